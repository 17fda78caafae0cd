// Known infrastructure and deploy signatures in application log lines. Each kind points at a
// category (pool, disk, memory, descriptors, dependency, deploy); the first kind that matches a
// line wins, so the order puts the most specific ones first (a pool "request timed out" is not a
// dependency timeout).

export type AppSignatureKind =
  | 'pool_timeout' | 'disk_full' | 'out_of_memory' | 'too_many_open_files'
  | 'connection_refused' | 'circuit_open' | 'dependency_timeout' | 'dns_failure'
  | 'missing_env' | 'missing_module' | 'missing_column' | 'syntax_error';

const KINDS: Array<[AppSignatureKind, RegExp]> = [
  ['pool_timeout', /timeout exceeded when trying to connect|Connection is not available, request timed out|too many clients already|remaining connection slots are reserved|QueuePool limit of size|Timeout acquiring a connection|Unable to acquire JDBC Connection|connection pool (?:is )?exhausted/i],
  ['disk_full', /\bENOSPC\b|No space left on device/i],
  ['out_of_memory', /JavaScript heap out of memory|OutOfMemoryError|\bMemoryError\b|Cannot allocate memory|\bENOMEM\b/],
  ['too_many_open_files', /\bEMFILE\b|Too many open files/i],
  ['missing_module', /Cannot find module '|ERR_MODULE_NOT_FOUND|ModuleNotFoundError|No module named|ImportError: cannot import name|ClassNotFoundException|NoClassDefFoundError|\bLoadError\b|cannot load such file/],
  ['missing_column', /column "?[\w.]+"? (?:of relation "[\w.]+" )?does not exist|Unknown column '|no such column:|UndefinedColumn/],
  ['missing_env', /\benv(?:ironment)?(?: var(?:iable)?s?)?\b.{0,60}\b(?:missing|required|not set|unset|undefined|is not defined|must be set)\b|\b(?:missing|required|not set|unset|undefined)\b.{0,40}\benv(?:ironment)? var(?:iable)?s?\b/i],
  // Case matters here: an upper-case NAME_LIKE_THIS is how env vars look.
  ['missing_env', /KeyError: '[A-Z][A-Z0-9_]{2,}'|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+ (?:is )?(?:not set|missing|undefined|required)\b/],
  ['syntax_error', /\bSyntaxError\b|\bIndentationError\b|syntax error, unexpected|\bParseError\b/],
  ['circuit_open', /circuit[ -]?breaker.{0,60}\bopen\b|CircuitBreakerOpen|breaker (?:is )?open|circuit (?:is )?open/i],
  ['connection_refused', /\bECONNREFUSED\b|Connection refused|ConnectionRefusedError/i],
  ['dns_failure', /\bENOTFOUND\b|\bEAI_AGAIN\b|Name or service not known|Temporary failure in name resolution|UnknownHostException|no such host/],
  ['dependency_timeout', /\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|\bEHOSTUNREACH\b|Read timed out|connect timed out|ConnectTimeout|SocketTimeoutException|context deadline exceeded|Connection timed out/],
];

export interface SignatureMatch {
  kind: AppSignatureKind;
  /** `host:port` or service name the failure names (dependency kinds), or the env var / module. */
  target: string | null;
}

const LEVEL_WORDS = new Set(['ERROR', 'WARN', 'WARNING', 'INFO', 'FATAL', 'DEBUG', 'CRITICAL', 'TRACE', 'SEVERE', 'UTC', 'GMT']);

function dependencyTarget(line: string): string | null {
  const specific = [
    /(?:ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN) (\[?[\w.:-]+\]?(?::\d+)?)/,
    /host='([^']+)', port=(\d+)/,
    /server at "([^"]+)"(?: \([^)]*\))?, port (\d+)/,
    /circuit[ -]?breaker[^\w]{0,3}(?:for |")?([\w.-]+(?::\d+)?)/i,
  ];
  for (const re of specific) {
    const m = re.exec(line);
    if (m && !/^(?:is|open|opened)$/i.test(m[1]!)) return m[2] ? `${m[1]}:${m[2]}` : m[1]!;
  }
  const generic = /\b((?:\d{1,3}\.){3}\d{1,3}|localhost|[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*):(\d{2,5})\b/.exec(line);
  return generic ? `${generic[1]}:${generic[2]}` : null;
}

function namedTarget(kind: AppSignatureKind, line: string): string | null {
  if (kind === 'missing_module') {
    const m = /Cannot find module '([^']+)'|No module named '?([\w.]+)'?|ClassNotFoundException: ([\w.$]+)|NoClassDefFoundError: ([\w/$.]+)|cannot load such file -- (\S+)|cannot import name '?(\w+)'?/.exec(line);
    return m ? (m.slice(1).find((g) => g !== undefined) ?? null) : null;
  }
  if (kind === 'missing_column') {
    const m = /column "?([\w.]+)"? (?:of relation "[\w.]+" )?does not exist|Unknown column '([^']+)'|no such column: (\S+)/.exec(line);
    return m ? (m.slice(1).find((g) => g !== undefined) ?? null) : null;
  }
  if (kind === 'missing_env') {
    for (const m of line.matchAll(/\b([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,})\b/g)) {
      if (!LEVEL_WORDS.has(m[1]!)) return m[1]!;
    }
  }
  return null;
}

export function matchSignature(line: string): SignatureMatch | null {
  for (const [kind, re] of KINDS) {
    const m = re.exec(line);
    if (!m) continue;
    // JSON.parse on bad input is a runtime error, not broken code.
    if (kind === 'syntax_error' && /JSON/i.test(line)) continue;
    const dependency = kind === 'connection_refused' || kind === 'circuit_open' || kind === 'dependency_timeout' || kind === 'dns_failure';
    const tail = line.slice(Math.max(0, m.index - 80));
    return { kind, target: dependency ? dependencyTarget(tail) : namedTarget(kind, line) };
  }
  return null;
}
