// The kinds of infrastructure, deploy and app-server signal an application log line can carry.
// Each maps to one category (rules/*.ts); the order of KIND_ORDER is the precedence when a line
// carries several (a pool "request timed out" is a pool signal, not a dependency timeout; a
// gunicorn "SIGKILL! Perhaps out of memory?" is memory, not a plain worker kill).

export type AppSignatureKind =
  | 'pool_timeout' | 'disk_full' | 'out_of_memory' | 'too_many_open_files'
  | 'worker_killed' | 'worker_timeout' | 'workers_exhausted'
  | 'missing_module' | 'missing_column' | 'missing_env' | 'syntax_error'
  | 'circuit_open' | 'connection_refused' | 'dns_failure' | 'dependency_timeout' | 'unreachable';

export const KIND_ORDER: readonly AppSignatureKind[] = [
  'pool_timeout', 'disk_full', 'out_of_memory', 'too_many_open_files',
  'worker_killed', 'worker_timeout', 'workers_exhausted',
  'missing_module', 'missing_column', 'missing_env', 'syntax_error',
  'circuit_open', 'connection_refused', 'dns_failure', 'dependency_timeout', 'unreachable',
];

export const DEPENDENCY_KINDS: readonly AppSignatureKind[] = ['circuit_open', 'connection_refused', 'dns_failure', 'dependency_timeout', 'unreachable'];

/** Patterns per kind that one stack contributes. */
export type SignatureTable = Partial<Record<AppSignatureKind, RegExp[]>>;
