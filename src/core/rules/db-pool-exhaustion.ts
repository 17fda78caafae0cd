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
// them idle or idle in transaction, and pool-timeout errors in the app log.

const NEAR_LIMIT = 0.9;
/** Idle in transaction longer than this holds locks and a slot for nothing. */
const STUCK_S = 30;

function pgText(pg: PgActivityEvidence): string {
  const idle = pg.byState.idle ?? 0;
  const iit = pg.idleInTransaction;
  return `${pg.total}/${pg.maxConnections} connections in use (${pg.usable} usable after ${pg.reserved} reserved)` +
    `${iit > 0 ? `, ${iit} idle in transaction (oldest ${pg.oldestIdleInTransactionS} s)` : ''}${idle > 0 ? `, ${idle} idle` : ''}`;
}

export function dbPoolExhaustion(ev: HostEvidence, win: Window): Finding[] {
  const pg = ev.pg;
  const timeouts = appSignatures(ev, win, ['pool_timeout']);
  const near = pg ? pg.total >= NEAR_LIMIT * pg.usable : false;
  const stuck = pg ? pg.idleInTransaction > 0 && pg.oldestIdleInTransactionS >= STUCK_S : false;
  const idleSlots = pg ? (pg.byState.idle ?? 0) + pg.idleInTransaction : 0;
  const actions: ActionId[] = pg && idleSlots > 0 ? ['kill_idle_connections'] : [];
  const pgEvidence = pg ? [excerpt('pg_activity', pg.raw)] : [];
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
  const top = timeouts.hits.find((h) => h.recent > 0);
  const errText = top ? `${timeouts.recent} pool errors in the app log in the last ${win.label} (${quote(top.firstLine.replace(/^.*?(?=timeout|Connection is not|too many|remaining|QueuePool|Timeout|Unable|connection pool)/i, ''), 70)}), first ${formatTime(timeouts.firstMs)}` : '';
  return [finding({
    category: 'db_pool_exhaustion',
    severity: timeouts.recent > 0 || (near && has5xx) ? 'critical' : 'warning',
    confidence: (timeouts.recent > 0 ? 0.7 : 0.5) + (near ? 0.15 : 0) + (stuck ? 0.1 : 0),
    summary: `Database connections exhausted: ${[pg ? pgText(pg) : '', errText].filter(Boolean).join('; ')}.`,
    evidence: [...pgEvidence, ...timeouts.evidence],
    actions,
    firstSeenMs: timeouts.firstMs,
  })];
}
