import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { parsePgActivity } from '../core/parsers/pg-activity.js';
import { loadPostgresPoolQuery } from '../triage/command-set.js';
import { withHostPostgres } from '../triage/host-postgres.js';
import type { RemediationDefinitions } from './definitions.js';
import type { ActionOutcome } from './outcome.js';

// Kill idle pool connections: pg_terminate_backend on the connections the approver was shown,
// and only those that still qualify at the moment of the kill. Runs through diagbot's own pg
// client (the URL never reaches a host's shell), in the URL's database only.

type Defs = RemediationDefinitions['killIdleConnections'] & { poolKillCandidatesSql: string };

export interface PoolConnection {
  pid: number;
  user: string;
  application: string;
  client: string;
  state: string;
  stateSeconds: number;
  /** Backend start in µs: with the pid, names one backend even if the pid is reused. */
  backendStartUs: string;
}

export interface PoolKillParams {
  /** Server and database, never the credentials. */
  target: string;
  idleMinSeconds: number;
  idleInTransactionMinSeconds: number;
  connections: PoolConnection[];
}

/** user@host:port/db from a postgres URL, without the password. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.username) || 'postgres'}@${u.hostname}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'the host\'s database';
  }
}

function toConnection(r: Record<string, unknown>): PoolConnection {
  return {
    pid: Number(r.pid), user: String(r.usename), application: String(r.application_name), client: String(r.client),
    state: String(r.state), stateSeconds: Number(r.state_seconds), backendStartUs: String(r.backend_start_us),
  };
}

async function candidates(c: pg.Client, d: Defs): Promise<PoolConnection[]> {
  const r = await c.query(d.poolKillCandidatesSql, [d.idleMinSeconds, d.idleInTransactionMinSeconds, d.maxPerAction]);
  return r.rows.map(toConnection);
}

/** What diagbot's role may see and end; without these an empty preview would mislead. */
async function privileges(c: pg.Client): Promise<{ seesAll: boolean; canSignal: boolean }> {
  const r = await c.query<{ sees_all: boolean; can_signal: boolean }>(
    `SELECT r.rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS sees_all,
            r.rolsuper OR pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS can_signal
     FROM pg_roles r WHERE r.rolname = current_user`);
  return { seesAll: r.rows[0]?.sees_all ?? false, canSignal: r.rows[0]?.can_signal ?? false };
}

/** The connections an offer would end right now; none → no button (and the reason why). */
export async function previewPoolKill(url: string, d: Defs): Promise<{ params: PoolKillParams } | { reason: string }> {
  const { connections, seesAll, canSignal } = await withHostPostgres(url, d.statementTimeoutMs, 'diagbot-remediation', async (c) => ({ ...(await privileges(c)), connections: await candidates(c, d) }));
  if (!canSignal) return { reason: `diagbot's Postgres role (${describeTarget(url)}) may not end other sessions: grant it pg_signal_backend` };
  if (!seesAll) return { reason: `diagbot's Postgres role (${describeTarget(url)}) cannot see other roles' sessions: grant it pg_monitor` };
  if (connections.length === 0) {
    return { reason: `no connection has been idle for ${d.idleMinSeconds} s (or idle in transaction for ${d.idleInTransactionMinSeconds} s) among the roles diagbot may end (superusers, replication and diagbot's own sessions are never touched)` };
  }
  return { params: { target: describeTarget(url), idleMinSeconds: d.idleMinSeconds, idleInTransactionMinSeconds: d.idleInTransactionMinSeconds, connections } };
}

async function slotsByState(c: pg.Client): Promise<{ total: number; maxConnections: number; byState: Record<string, number> } | null> {
  const r = await c.query<{ pool: string }>(loadPostgresPoolQuery());
  const pgEv = parsePgActivity(r.rows[0]?.pool ?? '');
  return pgEv ? { total: pgEv.total, maxConnections: pgEv.maxConnections, byState: pgEv.byState } : null;
}

const key = (x: Pick<PoolConnection, 'pid' | 'backendStartUs'>) => `${x.pid}/${x.backendStartUs}`;

export async function executePoolKill(url: string, host: string, p: PoolKillParams, d: Defs): Promise<ActionOutcome> {
  const shown = new Set(p.connections.map(key));
  let killSent = false;
  try {
    return await withHostPostgres(url, d.statementTimeoutMs, 'diagbot-remediation', async (c) => {
      const before = await slotsByState(c);
      // Re-applies every condition in the same statement as the kill: a connection that became
      // active, or belongs to a backend that is no longer the one shown, is left alone.
      killSent = true;
      const killed = await c.query<{ pid: number; usename: string; state: string; backend_start_us: string; terminated: boolean }>(
        `WITH candidates AS (${d.poolKillCandidatesSql.replace(/;\s*$/, '')})
         SELECT pid, usename, state, backend_start_us, pg_terminate_backend(pid) AS terminated
         FROM candidates WHERE (pid::text || '/' || backend_start_us) = ANY($4::text[])`,
        [p.idleMinSeconds, p.idleInTransactionMinSeconds, d.maxPerAction, [...shown]]);
      const terminated = killed.rows.filter((r) => r.terminated);
      if (killed.rows.length === 0) {
        return { state: 'skipped' as const, summary: `Nothing was done: none of the ${p.connections.length} connections shown is still idle on ${host} (they were reused, closed or already ended).`,
          result: { target: p.target, shown: p.connections.length, terminated: [], before }, output: '' };
      }
      await sleep(d.settleMs);
      const after = await slotsByState(c);
      const result = { target: p.target, shown: p.connections.length, terminated: terminated.map((r) => r.pid),
        notTerminated: killed.rows.filter((r) => !r.terminated).map((r) => r.pid), before, after };
      const slots = before && after ? ` Slots in use: ${before.total}/${before.maxConnections} → ${after.total}/${after.maxConnections}.` : '';
      const gone = p.connections.length - killed.rows.length;
      const rest = gone > 0 ? ` ${gone} of the connections shown had already gone or become busy and were left alone.` : '';
      if (terminated.length < killed.rows.length) {
        return { state: 'failed' as const, summary: `Ended ${terminated.length} of ${killed.rows.length} idle connections on ${p.target}; Postgres refused the rest.${slots}${rest}`, result, output: '' };
      }
      return { state: 'succeeded' as const, summary: `Ended ${terminated.length} idle connection(s) on ${p.target}.${slots}${rest}`, result, output: '' };
    });
  } catch (err) {
    const msg = (err as Error).message;
    if (!killSent) {
      return { state: 'failed', summary: `Could not reach ${p.target} (${msg}); nothing was changed.`, result: { target: p.target, error: msg }, output: '' };
    }
    // The kill statement was sent: it may have ended some backends before the error.
    return { state: 'unknown', summary: `The kill on ${p.target} did not complete (${msg}): check pg_stat_activity by hand.`, result: { target: p.target, error: msg }, output: '' };
  }
}
