import type { HostEvidence } from './host-evidence.js';
import { appSignatures } from './rules/app-signals.js';
import { httpStats } from './rules/http-stats.js';
import { inWindow, type Window } from './rules/window.js';
import { computeTimeline } from './timeline.js';

// The few numbers an on-call engineer compares before and after a remediation: 5xx against
// requests in the window, the release that is live, and database connections by state. Plus the
// 5xx curve (per minute, with the deploy / first new error / first 5xx moments) and the
// downstreams the app failed to reach, which the incident report uses to tell a shared cause.

/** 5xx per minute over the window; the three moments TRIAGE.md puts side by side. */
export interface FiveXXCurve {
  /** Start of the first bucket (ISO, host clock). */
  start: string;
  bucketMs: number;
  fiveXX: number[];
  /** 5xx lines without a time: counted in `fiveXX` of the figures, not placeable on the curve. */
  untimed: number;
  marks: { deploy: string | null; firstNewError: string | null; first5xx: string | null };
}

export interface HostFigures {
  /** "60 min", or "45 s" for a check that only looks at what came after a remediation. */
  window: string;
  /** Start of the window on the host's clock (ISO). */
  windowStart: string;
  requests: number;
  fiveXX: number;
  release: { current: string | null; previous: string | null } | null;
  connections: { total: number; maxConnections: number; usable: number; byState: Record<string, number> } | null;
  /** Absent in results stored before it existed. */
  curve?: FiveXXCurve;
  /** `host:port` (or service names) the app failed to reach inside the window. */
  dependencies?: string[];
}

const BUCKET_MS = 60_000;
const MAX_DEPENDENCIES = 5;
const DEPENDENCY_KINDS = ['connection_refused', 'circuit_open', 'dependency_timeout', 'dns_failure'] as const;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function curveOf(ev: HostEvidence, win: Window): FiveXXCurve {
  const buckets = Math.max(1, Math.ceil((win.nowMs - win.startMs) / BUCKET_MS));
  const fiveXX = new Array<number>(buckets).fill(0);
  let untimed = 0;
  for (const log of ev.accessLogs) {
    for (const e of log.errors) {
      if (e.timeMs === null) { untimed += 1; continue; }
      if (!inWindow(win, e.timeMs)) continue;
      // Lines stamped a little after the host's clock reading belong to the last minute.
      fiveXX[Math.min(buckets - 1, Math.floor((e.timeMs - win.startMs) / BUCKET_MS))]! += 1;
    }
  }
  const tl = computeTimeline(ev, win.startMs);
  return {
    start: new Date(win.startMs).toISOString(), bucketMs: BUCKET_MS, fiveXX, untimed,
    marks: { deploy: iso(tl.lastDeploy?.timeMs), firstNewError: iso(tl.firstNewError?.timeMs), first5xx: iso(tl.first5xx?.timeMs) },
  };
}

function dependenciesOf(ev: HostEvidence, win: Window): string[] {
  const hits = appSignatures(ev, win, DEPENDENCY_KINDS).hits.filter((h) => h.recent > 0 && h.target);
  return [...new Set(hits.map((h) => h.target!))].slice(0, MAX_DEPENDENCIES);
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
    curve: curveOf(ev, win),
    dependencies: dependenciesOf(ev, win),
  };
}
