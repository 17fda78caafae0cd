import type { SignatureTable } from './kinds.js';

// Errno texts every runtime prints, and the Java, Node and Python libraries diagbot started with
// (HikariCP, node-postgres, SQLAlchemy, psycopg, V8, the JVM).

export const COMMON: SignatureTable = {
  pool_timeout: [
    /timeout exceeded when trying to connect|Connection is not available, request timed out|too many clients already|remaining connection slots are reserved|QueuePool limit of size|Timeout acquiring a connection|Unable to acquire JDBC Connection/,
    /connection pool (?:is |has been )?exhausted|too many connections for role/i,
  ],
  disk_full: [/\bENOSPC\b|No space left on device/i],
  // Names of the error, not of a handler or a JVM flag (-XX:+HeapDumpOnOutOfMemoryError).
  out_of_memory: [/JavaScript heap out of memory|\bOutOfMemoryError(?::|\s*$|\s*\()|\bMemoryError(?::|\s*$)|Cannot allocate memory|\bENOMEM\b/],
  too_many_open_files: [/\bEMFILE\b|Too many open files/i],
  missing_module: [/Cannot find module '|ERR_MODULE_NOT_FOUND|ModuleNotFoundError|No module named|ImportError: cannot import name|ClassNotFoundException|NoClassDefFoundError/],
  missing_column: [/column "?[\w.]+"? (?:of relation "[\w.]+" )?does not exist|no such column:|UndefinedColumn|relation "[\w.]+" does not exist|UndefinedTable/],
  missing_env: [
    /\benv(?:ironment)?(?: var(?:iable)?s?)?\b.{0,60}\b(?:missing|required|not set|unset|undefined|is not defined|must be set)\b|\b(?:missing|required|not set|unset|undefined)\b.{0,40}\benv(?:ironment)? var(?:iable)?s?\b/i,
    // Case matters here: an upper-case NAME_LIKE_THIS is how env vars look.
    /KeyError: '[A-Z][A-Z0-9_]{2,}'|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+ (?:is )?(?:not set|missing|undefined|required)\b/,
  ],
  syntax_error: [/\bSyntaxError\b|\bIndentationError\b|syntax errors? found|syntax error, unexpected|\bParseError\b/],
  circuit_open: [/circuit[ -]?breaker.{0,60}\bopen\b|CircuitBreakerOpen|breaker (?:is )?open|circuit (?:is )?open/i],
  connection_refused: [/\bECONNREFUSED\b|Connection refused|ConnectionRefusedError|actively refused it/i],
  dns_failure: [/\bENOTFOUND\b|\bEAI_AGAIN\b|Name or service not known|Temporary failure in name resolution|UnknownHostException|no such host|server misbehaving/],
  dependency_timeout: [/\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|\bEHOSTUNREACH\b|Read timed out|connect timed out|ConnectTimeout|SocketTimeoutException|context deadline exceeded|Connection timed out|\bi\/o timeout\b/],
};
