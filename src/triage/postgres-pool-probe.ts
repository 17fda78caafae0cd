import type { CommandOutput } from '../core/types.js';
import { loadPostgresPoolQuery } from './command-set.js';
import { withHostPostgres } from './host-postgres.js';

/**
 * Reads pool use from pg_stat_activity with diagbot's own client: the URL (and any password
 * in it) never appears on a host's command line or process list.
 */
export async function probePostgresPool(url: string, timeoutMs: number): Promise<CommandOutput> {
  const started = performance.now();
  const base = { id: 'pg_activity', stderr: '', truncated: false };
  try {
    const res = await withHostPostgres(url, timeoutMs, 'diagbot-triage', (c) => c.query<{ pool: string }>(loadPostgresPoolQuery()));
    return { ...base, exitCode: 0, stdout: res.rows[0]?.pool ?? '', durationMs: Math.round(performance.now() - started), timedOut: false };
  } catch (err) {
    const message = (err as Error).message;
    return {
      ...base, exitCode: 1, stdout: '', stderr: message, error: `postgres probe failed: ${message}`,
      durationMs: Math.round(performance.now() - started), timedOut: /timeout/i.test(message),
    };
  }
}
