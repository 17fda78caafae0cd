// Finds stack traces in an application log and names each by its headline (the exception line
// people search for). Shapes: Node/JS (`TypeError: …` + `    at …`), Java (`Exception in thread`,
// `java.lang.X: …` + `\tat …`, `Caused by:`), Python (`Traceback (most recent call last):` …
// `ValueError: …`), Go (`panic: …` + `goroutine 1 [running]:`), Ruby (`NoMethodError (…):` +
// `app/models/x.rb:12:in …`, or `x.rb:12:in 'm': msg (NameError)`).

export type Language = 'node' | 'java' | 'python' | 'go' | 'ruby';

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

function nextFrameWithin(lines: readonly string[], from: number, frame: RegExp, within: number): number {
  for (let j = from; j < Math.min(lines.length, from + within); j++) {
    if (frame.test(lines[j]!)) return j;
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
  const m = /(?:^|\s)(panic: .+)$/.exec(lines[i]!);
  if (!m) return null;
  if (nextFrameWithin(lines, i + 1, /^goroutine \d+ \[/, 4) < 0) return null;
  const end = consume(lines, i + 1, (l) => l === '' || /^(goroutine \d+ \[|\s|[\w./()*-]+\(.*\)$|created by |exit status|\[recovered\]|\[signal )/.test(l));
  return { language: 'go', start: i, end, headline: m[1]!, headlineLine: i, cause: null };
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

const DETECTORS = [python, go, java, ruby, node];

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
