import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import type { PgActivityEvidence } from '../parsers/pg-activity.js';
import { formatTime } from '../time.js';
import type { ActionId, Finding } from '../types.js';
import { appSignatures } from './app-signals.js';
import { finding, quote } from './finding.js';
import { httpStats } from './http-stats.js';
import type { Window } from './window.js';

// db_pool_exhaustion: connections near max_connections (minus superuser-reserved slots), many of
// them idle or idle in transaction, and pool-timeout errors in the app log. An app's own pool is
// usually far smaller than max_connections, so it runs dry while Postgres has slots to spare: then
// the signals are the app role's sessions stuck idle in transaction and requests that wait (504s
// beside the 500s, 5xx that all took about as long as a pool timeout).

const NEAR_LIMIT = 0.9;
/** Idle in transaction longer than this holds locks and a slot for nothing. */
const STUCK_S = 30;

function pgText(pg: PgActivityEvidence): string {
  const idle = pg.byState.idle ?? 0;
  const iit = pg.idleInTransaction;
  return `${pg.total}/${pg.maxConnections} connections in use (${pg.usable} usable after ${pg.reserved} reserved)` +
    `${iit > 0 ? `, ${iit} idle in transaction (oldest ${pg.oldestIdleInTransactionS} s)` : ''}${idle > 0 ? `, ${idle} idle` : ''}`;
}

/** Roles with sessions idle in a transaction for STUCK_S or more: a pool whose connections leak. */
function stuckRoles(pg: PgActivityEvidence | null): Array<{ role: string; count: number; oldestS: number }> {
  const by = new Map<string, { role: string; count: number; oldestS: number }>();
  for (const r of pg?.rows ?? []) {
    if (!r.state.startsWith('idle in transaction') || r.maxStateSeconds < STUCK_S) continue;
    const cur = by.get(r.usename) ?? { role: r.usename, count: 0, oldestS: 0 };
    cur.count += r.count;
    cur.oldestS = Math.max(cur.oldestS, r.maxStateSeconds);
    by.set(r.usename, cur);
  }
  return [...by.values()].sort((a, b) => b.count - a.count);
}

/** 5xx that waited: gateway timeouts, or most of them slow and alike (a pool's checkout timeout). */
function waiting(ev: HostEvidence, win: Window): { yes: boolean; text: string } {
  const errors = httpStats(ev, win).errors;
  const gateway = errors.filter((e) => e.status === 504).length;
  const slow = errors.filter((e) => e.requestTimeS !== null && e.requestTimeS >= 1).map((e) => e.requestTimeS!).sort((a, b) => a - b);
  const typical = slow.length > 0 ? slow[Math.floor(slow.length / 2)]! : null;
  const yes = gateway > 0 || (slow.length >= 3 && slow.length * 2 >= errors.length);
  const parts = [gateway > 0 ? `${gateway} gateway timeouts (504)` : '', typical !== null && slow.length >= 3 ? `${slow.length} of ${errors.length} 5xx took ${typical.toFixed(1)} s or so` : ''];
  return { yes, text: parts.filter(Boolean).join(', ') };
}

export function dbPoolExhaustion(ev: HostEvidence, win: Window): Finding[] {
  const pg = ev.pg;
  const timeouts = appSignatures(ev, win, ['pool_timeout']);
  const near = pg ? pg.total >= NEAR_LIMIT * pg.usable : false;
  const stuck = pg ? pg.idleInTransaction > 0 && pg.oldestIdleInTransactionS >= STUCK_S : false;
  const idleSlots = pg ? (pg.byState.idle ?? 0) + pg.idleInTransaction : 0;
  const actions: ActionId[] = pg && idleSlots > 0 ? ['kill_idle_connections'] : [];
  const pgEvidence = pg ? [excerpt('pg_activity', pg.raw)] : [];
  const stuckApp = stuckRoles(pg);
  const wait = waiting(ev, win);
  if (timeouts.recent === 0 && !near && stuckApp.length > 0 && stuckApp[0]!.count >= 2 && httpStats(ev, win).errors.length > 0) {
    const s0 = stuckApp[0]!;
    return [finding({
      category: 'db_pool_exhaustion',
      severity: wait.yes ? 'critical' : 'warning',
      confidence: 0.55 + (wait.yes ? 0.2 : 0),
      summary: `The app's own connection pool is likely used up while Postgres has slots to spare (${pgText(pg!)}): ` +
        `${s0.count} sessions of role ${s0.role} have sat idle in transaction for up to ${s0.oldestS} s, holding pool connections` +
        `${wait.text ? `, and requests wait: ${wait.text}` : ''}.`,
      evidence: pgEvidence, actions,
    })];
  }
  if (timeouts.recent === 0 && !near) {
    if (timeouts.old > 0) {
      return [finding({
        category: 'db_pool_exhaustion', severity: 'info', confidence: 0.3,
        summary: `Pool-timeout errors appear only before the last ${win.label}${pg ? `; now ${pgText(pg)}` : ''}.`,
        evidence: [...timeouts.evidence, ...pgEvidence],
      })];
    }
    if (pg && stuck && pg.idleInTransaction >= 3) {
      return [finding({
        category: 'db_pool_exhaustion', severity: 'info', confidence: 0.3,
        summary: `${pgText(pg)}: not near the limit, but connections left idle in transaction leak slots.`,
        evidence: pgEvidence, actions,
      })];
    }
    return [];
  }
  const has5xx = httpStats(ev, win).errors.length > 0;
  const waitText = wait.text ? `; requests wait: ${wait.text}` : '';
  const top = timeouts.hits.find((h) => h.recent > 0);
  const errText = top ? `${timeouts.recent} pool errors in the app log in the last ${win.label} (${quote(top.firstLine.replace(/^.*?(?=timeout|Connection is not|too many|remaining|QueuePool|Timeout|Unable|connection pool)/i, ''), 70)}), first ${formatTime(timeouts.firstMs)}` : '';
  return [finding({
    category: 'db_pool_exhaustion',
    severity: timeouts.recent > 0 || (near && has5xx) ? 'critical' : 'warning',
    confidence: (timeouts.recent > 0 ? 0.7 : 0.5) + (near ? 0.15 : 0) + (stuck ? 0.1 : 0),
    summary: `Database connections exhausted: ${[pg ? pgText(pg) : '', errText].filter(Boolean).join('; ')}${!near && pg ? ' (the app\'s own pool ran dry, not the server)' : ''}${waitText}.`,
    evidence: [...pgEvidence, ...timeouts.evidence],
    actions,
    firstSeenMs: timeouts.firstMs,
  })];
}
