import type { AppSignatureKind } from './signatures/kinds.js';

// What a signature line names: the downstream (`host:port` or name), the env var, module, column
// or table, or the signal a worker died of.

const NOT_ENV = new Set(['ERROR', 'WARN', 'WARNING', 'INFO', 'FATAL', 'DEBUG', 'CRITICAL', 'TRACE', 'SEVERE', 'UTC', 'GMT', 'PHP', 'SQL', 'HTTP', 'HTTPS', 'JSON', 'API', 'URL']);
const SIGNALS: Record<string, string> = { 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 31: 'SIGSYS' };

const first = (m: RegExpExecArray | null) => (m ? (m.slice(1).find((g) => g !== undefined) ?? null) : null);

export function dependencyTarget(line: string): string | null {
  const specific = [
    /lookup ([\w.-]+) on /,
    /(?:ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN) (\[?[\w.:-]+\]?(?::\d+)?)/,
    /host='([^']+)', port=(\d+)/,
    /server at "([^"]+)"(?: \([^)]*\))?, port (\d+)/,
    /server on '([^']+)'/,
    /dial tcp (\[[^\]]+\]:\d+|[\w.-]+:\d+)/,
    /Failed to connect to (\[?[\w.:-]+\]?:\d+)/,
    /circuit[ -]?breaker[^\w]{0,3}(?:for |")?([\w.-]+(?::\d+)?)/i,
  ];
  for (const re of specific) {
    const m = re.exec(line);
    if (m && !/^(?:is|open|opened)$/i.test(m[1]!)) return m[2] ? `${m[1]}:${m[2]}` : m[1]!;
  }
  // Not a source position (Connection.php:824, /app/main.go:62): no word, dot or path slash before
  // it — a URL's `//host:port` is fine.
  const generic = /(?<![\w.\\-])(?<!(?:^|[^/])\/)((?:\d{1,3}\.){3}\d{1,3}|localhost|(?!(?:php|rb|py|js|cjs|mjs|ts|go|java|cs|kt|ex|exs)\b)[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*):(\d{2,5})\b/.exec(line);
  return generic ? `${generic[1]}:${generic[2]}` : null;
}

export function namedTarget(kind: AppSignatureKind, line: string): string | null {
  if (kind === 'missing_module') {
    return first(/Cannot find module '([^']+)'|No module named '?([\w.]+)'?|ClassNotFoundException: ([\w.$]+)|NoClassDefFoundError: ([\w/$.]+)|cannot load such file -- (\S+)|cannot import name '?(\w+)'?|uninitialized constant ([\w:]+)|(?:Class|Interface|Trait|Enum) ["']([\w\\]+)["'] not found|Could not load file or assembly '([^',]+)|Could not find ([\w-]+-\d[\w.]*) in|Call to undefined function ([\w\\]+)\(/.exec(line));
  }
  if (kind === 'missing_column') {
    return first(/column "?([\w.]+)"? (?:of relation "[\w.]+" )?does not exist|Unknown column '([^']+)'|no such column: (\S+)|relation "([\w.]+)" does not exist|Table '([^']+)' doesn't exist|Invalid (?:column|object) name '([^']+)'/.exec(line));
  }
  if (kind === 'missing_env') {
    const named = first(/(?:key not found|[Vv]ariable not found|required key|[Ee]nvironment variable)[:\s]*"?([A-Z][A-Z0-9_]{2,})\b/.exec(line));
    if (named) return named;
    if (/No application encryption key/.test(line)) return 'APP_KEY';
    for (const m of line.matchAll(/\b([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,})\b/g)) {
      if (!NOT_ENV.has(m[1]!)) return m[1]!;
    }
  }
  if (kind === 'worker_killed') {
    const sig = /\b(SIG[A-Z]{2,5})\b/.exec(line)?.[1] ?? /signal (\d+)/.exec(line)?.[1]
      ?? /status=\d+\/([A-Z]{3,5})\b/.exec(line)?.[1]?.replace(/^/, 'SIG');
    if (sig) return /^\d+$/.test(sig) ? (SIGNALS[sig] ?? `signal ${sig}`) : sig;
    return /Segmentation [Ff]ault/.test(line) ? 'SIGSEGV' : null;
  }
  return null;
}
