import type { SignatureTable } from './kinds.js';

// Go: the runtime, net/http, database/sql drivers (pgx, lib/pq), go-redis, envconfig. Most Go
// errors are errno texts (common.ts); these are the ones only Go prints. Texts from golang/go
// src/runtime/mem_linux.go, redis/go-redis internal/pool/pool.go, kelseyhightower/envconfig.

export const GO: SignatureTable = {
  pool_timeout: [/redis: connection pool timeout/],
  out_of_memory: [/fatal error: (?:runtime: )?out of memory|runtime: out of memory/],
  missing_env: [/required key [A-Z_][A-Z0-9_]* missing value/],
};
