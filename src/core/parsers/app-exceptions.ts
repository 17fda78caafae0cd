// Finds stack traces in an application log and names each by its headline (the exception line
// people search for). Shapes: Node/JS (`TypeError: …` + `    at …`), Java (`Exception in thread`,
// `java.lang.X: …` + `\tat …`, `Caused by:`), Python (`Traceback (most recent call last):` …
// `ValueError: …`), Go (`panic: …` + `goroutine 1 [running]:`), Ruby (`NoMethodError (…):` +
// `app/models/x.rb:12:in …`, or `x.rb:12:in 'm': msg (NameError)`), .NET (`Ns.XException (0x…): …`
// + `   at Ns.Type.Method(Arg a)` / ` ---> ` inner exceptions), PHP (Monolog's `{"exception":"[object]
// (Class(code: N): …` + `[stacktrace]`, or `PHP Fatal error:  Uncaught X: …` + `Stack trace:`).

export type Language = 'node' | 'java' | 'python' | 'go' | 'ruby' | 'dotnet' | 'php';

export interface TraceBlock {
  language: Language;
  /** First line index of the block and one past its last. */
  start: number;
  end: number;
  /** The exception line, from the exception type on (log prefix removed). */
  headline: string;
  /** Index of the line holding the headline. */
  headlineLine: number;
  /** Deepest `Caused by:` for Java. */
  cause: string | null;
}

const MAX_BLOCK = 200;
const NODE_FRAME = /^\s+at \S/;
const NEW_ENTRY = /^\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|^\{"/;
const JAVA_FRAME = /^\s+at [\w$.<>/-]+\(|^\s*\.\.\. \d+ (?:more|common frames omitted)|^\s*Suppressed: /;
const RUBY_FRAME = /^\s*(?:from )?\S+\.rb:\d+:in /;
const JAVA_HEAD = /(?:Exception in thread "[^"]*" )?((?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::\s.*)?)$/;
const NODE_HEAD = /\b((?:[A-Z][\w$]*)?(?:Error|Exception)(?: \[[A-Z0-9_]+\])?: .+)$/;
const RUBY_RAILS_HEAD = /\b([A-Z]\w*(?:::[A-Z]\w*)*(?:Error|Exception) \(.+\)):?\s*$/;
const RUBY_TOP_HEAD = /^\S+\.rb:\d+:in [`'][^']*': (.+) \(([A-Z]\w*(?:::\w+)*)\)$/;
const PY_EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;

function nextFrameWithin(lines: readonly string[], from: number, frame: RegExp | ((l: string) => boolean), within: number): number {
  const test = typeof frame === 'function' ? frame : (l: string) => frame.test(l);
  for (let j = from; j < Math.min(lines.length, from + within); j++) {
    if (test(lines[j]!)) return j;
  }
  return -1;
}

function consume(lines: readonly string[], from: number, keep: (l: string) => boolean): number {
  let j = from;
  while (j < lines.length && j - from < MAX_BLOCK && keep(lines[j]!)) j++;
  return j;
}

function python(lines: readonly string[], i: number): TraceBlock | null {
  if (!/Traceback \(most recent call last\):/.test(lines[i]!)) return null;
  let j = i + 1;
  // Indented frames; chained tracebacks ("During handling…") continue the same block.
  while (j < lines.length && j - i < MAX_BLOCK) {
    const l = lines[j]!;
    if (/^\s/.test(l) || l === '' || /^(During handling|The above exception|Traceback \(most recent)/.test(l)) { j++; continue; }
    const m = PY_EXCEPTION.exec(l.trim());
    if (m && !/^Traceback/.test(l)) return { language: 'python', start: i, end: j + 1, headline: l.trim(), headlineLine: j, cause: null };
    break;
  }
  return null;
}

function go(lines: readonly string[], i: number): TraceBlock | null {
  // net/http recovers a handler's panic and logs "http: panic serving ADDR: VALUE" + the stack.
  const m = /(?:^|\s)(panic: .+|fatal error: .+)$/.exec(lines[i]!) ?? /http: panic serving \S+: (.+)$/.exec(lines[i]!);
  if (!m) return null;
  if (nextFrameWithin(lines, i + 1, /^(?:goroutine \d+ \[|runtime stack:)/, 4) < 0) return null;
  const end = consume(lines, i + 1, (l) => l === '' || /^(goroutine \d+ |runtime stack:|\s|[\w./()*{}-]+\(.*\)$|created by |exit status|\[recovered\]|\[signal |panic\()/.test(l));
  const headline = /^(?:panic|fatal error): /.test(m[1]!) ? m[1]! : `panic: ${m[1]!}`;
  return { language: 'go', start: i, end, headline, headlineLine: i, cause: null };
}

// A frame's arguments are typed parameters (`String path, Int32 n`); Java's are a file:line.
const DOTNET_FRAME = /^\s+at [^(\s]+\((?!Native Method\)|Unknown Source\))(?:[\w.`<>[\],&*]+ \w+(?:, [\w.`<>[\],&*]+ \w+)*)?\)(?: in .+:line \d+)?\s*$/;
const DOTNET_MORE = /^\s*(?:---> |--- End of (?:inner exception )?stack trace|File name: ')/;
const DOTNET_HEAD = /(?:^\s*|Unhandled exception\. )((?:[A-Za-z_]\w*\.)+[A-Z]\w*Exception(?: \((?:0x[0-9A-Fa-f]{8}|\d+)\))?: .*)$/;

function dotnet(lines: readonly string[], i: number): TraceBlock | null {
  const m = DOTNET_HEAD.exec(lines[i]!);
  if (!m) return null;
  const first = nextFrameWithin(lines, i + 1, (l) => DOTNET_FRAME.test(l) || DOTNET_MORE.test(l), 2);
  if (first !== i + 1) return null;
  let cause: string | null = null;
  const end = consume(lines, i + 1, (l) => {
    const inner = /^\s*---> (.+)$/.exec(l);
    if (inner) cause = inner[1]!;
    return DOTNET_FRAME.test(l) || DOTNET_MORE.test(l);
  });
  return { language: 'dotnet', start: i, end, headline: m[1]!, headlineLine: i, cause };
}

const PHP_MONOLOG = /\{"exception":"\[object\] \(([\w\\]+)\(code: [^)]*\): (.*?)(?: at \/\S+:\d+\)?)?"?\}?$/;
const PHP_UNCAUGHT = /PHP Fatal error:\s+Uncaught ([\w\\]+): (.*?)(?: in \/\S+:\d+)?$/;
const PHP_FRAME = /^(?:#\d+ |\[stacktrace\]$|Stack trace:$|\s+thrown in |"\}$)/;

function php(lines: readonly string[], i: number): TraceBlock | null {
  const m = PHP_MONOLOG.exec(lines[i]!) ?? PHP_UNCAUGHT.exec(lines[i]!);
  if (!m) return null;
  if (nextFrameWithin(lines, i + 1, PHP_FRAME, 1) !== i + 1) return null;
  const end = consume(lines, i + 1, (l) => PHP_FRAME.test(l));
  const cls = m[1]!.replace(/\\\\/g, '\\');
  return { language: 'php', start: i, end, headline: `${cls}: ${m[2]!.replace(/\\(["\\])/g, '$1')}`, headlineLine: i, cause: null };
}

function java(lines: readonly string[], i: number): TraceBlock | null {
  const m = JAVA_HEAD.exec(lines[i]!);
  if (!m) return null;
  const starts = /Exception in thread "/.test(lines[i]!);
  if (!starts && nextFrameWithin(lines, i + 1, JAVA_FRAME, 2) !== i + 1) return null;
  let cause: string | null = null;
  const end = consume(lines, i + 1, (l) => {
    if (/^Caused by: /.test(l)) { cause = l.replace(/^Caused by: /, ''); return true; }
    return JAVA_FRAME.test(l);
  });
  return { language: 'java', start: i, end, headline: m[1]!, headlineLine: i, cause };
}

function node(lines: readonly string[], i: number): TraceBlock | null {
  const m = NODE_HEAD.exec(lines[i]!);
  if (!m || /^\s+at /.test(lines[i]!)) return null;
  // A multi-line message (Node's "Require stack:", a child's stderr) may sit between the headline
  // and the frames; it belongs to the same entry as long as no new stamped log line starts.
  const first = nextFrameWithin(lines, i + 1, NODE_FRAME, 60);
  if (first < 0) return null;
  if (lines.slice(i + 1, first).some((l) => NEW_ENTRY.test(l))) return null;
  const end = consume(lines, first, (l) => NODE_FRAME.test(l) || /^\s+\{|^\s+\w+: |^\s*\}$/.test(l));
  return { language: 'node', start: i, end, headline: m[1]!, headlineLine: i, cause: null };
}

function ruby(lines: readonly string[], i: number): TraceBlock | null {
  const line = lines[i]!;
  const top = RUBY_TOP_HEAD.exec(line);
  if (top) {
    const end = consume(lines, i + 1, (l) => RUBY_FRAME.test(l));
    return { language: 'ruby', start: i, end, headline: `${top[2]}: ${top[1]}`, headlineLine: i, cause: null };
  }
  const m = RUBY_RAILS_HEAD.exec(line);
  if (!m) return null;
  const first = nextFrameWithin(lines, i + 1, RUBY_FRAME, 3);
  if (first < 0 || !lines.slice(i + 1, first).every((l) => l.trim() === '')) return null;
  const end = consume(lines, first, (l) => RUBY_FRAME.test(l) && !RUBY_TOP_HEAD.test(l));
  return { language: 'ruby', start: i, end, headline: m[1]!, headlineLine: i, cause: null };
}

const DETECTORS = [python, go, php, dotnet, java, ruby, node];

export function findTraceBlocks(lines: readonly string[]): TraceBlock[] {
  const blocks: TraceBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    let found: TraceBlock | null = null;
    for (const detect of DETECTORS) {
      found = detect(lines, i);
      if (found) break;
    }
    if (found) { blocks.push(found); i = Math.max(found.end, i + 1); } else i++;
  }
  return blocks;
}
