import type { SignatureTable } from './kinds.js';

// PHP: php-fpm's master (sapi/fpm/fpm/fpm_children.c, fpm_process_ctl.c, fpm_request.c), the Zend
// engine (zend_alloc.c, zend_execute_API.c), PDO/mysqlnd, Laravel, Symfony, Predis, cURL.

// Signals that mean a crash; SIGTERM, SIGQUIT, SIGHUP, SIGINT are reloads and idle kills.
const CRASH_SIGNAL = '(?:[4-9]|11|31) \\(';

export const PHP: SignatureTable = {
  out_of_memory: [/Allowed memory size of \d+ bytes exhausted|PHP Fatal error:\s+Out of memory \(allocated/],
  disk_full: [/possibly out of free disk space/],
  worker_killed: [new RegExp(`child \\d+ exited on signal ${CRASH_SIGNAL}`), /failed processes threshold \(\d+ in \d+ sec\) is reached/],
  worker_timeout: [/execution timed out \([\d.]+ sec\), terminating/],
  workers_exhausted: [/server reached (?:pm\.)?max_children setting|The maximum number of processes has been reached/],
  missing_module: [/(?:Class|Interface|Trait|Enum) ["'][\w\\]+["'] not found|Failed opening required '[^']*vendor\/autoload\.php'|Call to undefined function [\w\\]+\(\)/],
  missing_env: [/No application encryption key has been specified|Environment variable not found: "[A-Z_][A-Z0-9_]*"/],
  dns_failure: [/php_network_getaddresses: getaddrinfo (?:for \S+ )?failed/],
  dependency_timeout: [/cURL error 28|Operation timed out after \d+ milliseconds/],
  unreachable: [/SQLSTATE\[HY000\] \[2002\]|SQLSTATE\[08006\]/],
};
