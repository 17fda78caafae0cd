import type { HostEvidence } from './host-evidence.js';
import { httpStats } from './rules/http-stats.js';
import type { Window } from './rules/window.js';

// The few numbers an on-call engineer compares before and after a remediation: 5xx against
// requests in the window, the release that is live, and database connections by state.

export interface HostFigures {
  /** "60 min", or "45 s" for a check that only looks at what came after a remediation. */
  window: string;
  /** Start of the window on the host's clock (ISO). */
  windowStart: string;
  requests: number;
  fiveXX: number;
  release: { current: string | null; previous: string | null } | null;
  connections: { total: number; maxConnections: number; usable: number; byState: Record<string, number> } | null;
}

export function hostFigures(ev: HostEvidence, win: Window): HostFigures {
  const stats = httpStats(ev, win);
  const pg = ev.pg;
  return {
    window: win.label,
    windowStart: new Date(win.startMs).toISOString(),
    requests: stats.requests,
    fiveXX: stats.errors.length,
    release: ev.releases ? { current: ev.releases.current, previous: ev.releases.previous?.path ?? null } : null,
    connections: pg ? { total: pg.total, maxConnections: pg.maxConnections, usable: pg.usable, byState: { ...pg.byState } } : null,
  };
}
