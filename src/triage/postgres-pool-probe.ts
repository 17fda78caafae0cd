import pg from 'pg';
import type { CommandOutput } from '../core/types.js';
import { loadPostgresPoolQuery } from './command-set.js';

/**
 * Reads pool use from pg_stat_activity with diagbot's own client: the URL (and any password
 * in it) never appears on a host's command line or process list.
 */
export async function probePostgresPool(url: string, timeoutMs: number): Promise<CommandOutput> {
  const started = performance.now();
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 500,
    application_name: 'diagbot-triage',
  });
  const base = { id: 'pg_activity', stderr: '', truncated: false };
  // A server that dies or ends our session mid-query would otherwise emit an unhandled 'error'
  // and kill the worker; the query's own rejection is what gets reported.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const res = await client.query<{ pool: string }>(loadPostgresPoolQuery());
    return { ...base, exitCode: 0, stdout: res.rows[0]?.pool ?? '', durationMs: Math.round(performance.now() - started), timedOut: false };
  } catch (err) {
    const message = (err as Error).message;
    return {
      ...base, exitCode: 1, stdout: '', stderr: message, error: `postgres probe failed: ${message}`,
      durationMs: Math.round(performance.now() - started), timedOut: /timeout/i.test(message),
    };
  } finally {
    client.end().catch(() => undefined);
  }
}
