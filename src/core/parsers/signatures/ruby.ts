import type { SignatureTable } from './kinds.js';

// Ruby, Rails (ActiveRecord, pg, redis-rb, Bundler), Puma, unicorn and Sidekiq. Texts from
// rails/rails connection_pool/queue.rb, ruby/ruby (gc.c, hash.c, load.c, variable.c), puma/puma
// lib/puma/cluster.rb and unicorn lib/unicorn/http_server.rb.

export const RUBY: SignatureTable = {
  pool_timeout: [/could not obtain a (?:database )?connection (?:from the pool )?within [\d.]+ seconds|ActiveRecord::ConnectionTimeoutError|ConnectionPool::TimeoutError/],
  out_of_memory: [/\bNoMemoryError\b|failed to allocate memory/],
  worker_killed: [/reaped #<Process::Status: pid \d+ SIG(?:SEGV|BUS|ABRT|ILL|FPE|KILL|SYS)\b|\[BUG\] Segmentation fault/],
  worker_timeout: [/Terminating timed out worker|\bworker=\d+ PID:\d+ timeout \(\d+s > \d+s\), killing/],
  missing_module: [/\bLoadError\b|cannot load such file|uninitialized constant [A-Z]|Bundler::GemNotFound|Could not find [\w-]+-\d[\w.]* in (?:any of the sources|locally installed gems)/],
  missing_column: [/ActiveRecord::PendingMigrationError|Migrations are pending/],
  missing_env: [/key not found: "[A-Z][A-Z0-9_]{2,}"|Missing `secret_key_base`|Missing encryption key to decrypt/],
  dependency_timeout: [/Net::(?:Read|Open)Timeout|Redis::TimeoutError|Faraday::TimeoutError/],
  unreachable: [/Error connecting to Redis on|CannotConnectError|PG::ConnectionBad/],
};
