import type { HostEvidence } from '../host-evidence.js';
import type { AccessError, AccessLogEvidence, ErrorSide } from '../parsers/access-log.js';
import { excerpt } from '../excerpt.js';
import type { EvidenceExcerpt } from '../types.js';
import { inWindow, type Window } from './window.js';

// The HTTP layer over the recent window: how many 5xx of how many requests, which side of nginx
// produced them, on which endpoints, since when. Lines without a time count as recent (the format
// logs none, so nothing says they are old).

export interface WindowedError extends AccessError {
  log: AccessLogEvidence;
}

export interface HttpStats {
  requests: number;
  errors: WindowedError[];
  bySide: Record<ErrorSide, number>;
  /** Final upstream codes among errors of one side, e.g. intercepted → { '404': 10 }. */
  upstreamCodes: (side: ErrorSide) => Record<string, number>;
  statusCodes: (side?: ErrorSide) => Record<string, number>;
  topEndpoints: (side?: ErrorSide, n?: number) => Array<[string, number]>;
  firstMs: number | null;
  /** Requests and 5xx in the last 10 minutes, for "37 of 50 in the last 10 min". */
  recent: { minutes: number; requests: number; errors: number };
  /** Some log with errors lacks $upstream_status, so its sides are unknown. */
  sideUnknown: boolean;
}

const RECENT_MINUTES = 10;

function countBy<T>(items: readonly T[], key: (t: T) => string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) {
    const k = key(i);
    if (k !== null) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** Collapse ids so /api/orders/17 and /api/orders/18 count as one endpoint. */
function normalizeEndpoint(ep: string): string {
  return ep.replace(/\/(?:\d+|[0-9a-f]{8}-[0-9a-f-]{27,}|[0-9a-f]{24,})(?=\/|$)/gi, '/:id');
}

export function httpStats(ev: HostEvidence, win: Window): HttpStats {
  const recentStart = Math.max(win.startMs, win.nowMs - RECENT_MINUTES * 60_000);
  let requests = 0;
  let recentRequests = 0;
  for (const log of ev.accessLogs) {
    requests += log.untimedRequests;
    for (const [second, n] of Object.entries(log.requestsPerSecond)) {
      const t = Number(second);
      if (t + 1000 > win.startMs && t <= win.nowMs) requests += n;
      if (t + 1000 > recentStart && t <= win.nowMs) recentRequests += n;
    }
  }
  const errors: WindowedError[] = ev.accessLogs.flatMap((log) =>
    log.errors.filter((e) => e.timeMs === null || inWindow(win, e.timeMs)).map((e) => ({ ...e, log })));
  const bySide: Record<ErrorSide, number> = { passthrough: 0, internal: 0, intercepted: 0, unknown: 0 };
  for (const e of errors) bySide[e.side]++;
  const of = (side?: ErrorSide) => (side ? errors.filter((e) => e.side === side) : errors);
  const timed = errors.filter((e) => e.timeMs !== null);
  return {
    requests,
    errors,
    bySide,
    upstreamCodes: (side) => countBy(of(side), (e) => e.upstreamFinal),
    statusCodes: (side) => countBy(of(side), (e) => String(e.status)),
    topEndpoints: (side, n = 3) => Object.entries(countBy(of(side), (e) => (e.endpoint ? normalizeEndpoint(e.endpoint) : null)))
      .sort((a, b) => b[1] - a[1]).slice(0, n),
    firstMs: timed.length > 0 ? Math.min(...timed.map((e) => e.timeMs!)) : null,
    recent: { minutes: RECENT_MINUTES, requests: recentRequests, errors: timed.filter((e) => e.timeMs! >= recentStart).length },
    sideUnknown: errors.some((e) => e.side === 'unknown'),
  };
}

/** Significant enough to page about: a handful of 5xx, or a real share of the traffic. */
export function errorSeverity(count: number, requests: number): 'critical' | 'warning' | 'info' {
  const rate = requests > 0 ? count / requests : 1;
  if (count >= 10 || (count >= 3 && rate >= 0.2)) return 'critical';
  if (count >= 3 || (count >= 1 && rate >= 0.05 && requests >= 20)) return 'warning';
  return 'info';
}

/** First and latest line-exact error samples of one side, as evidence. */
export function sideEvidence(stats: HttpStats, side?: ErrorSide): EvidenceExcerpt[] {
  const withLine = stats.errors.filter((e) => (!side || e.side === side) && e.sample >= 0);
  const bySource = new Map<string, string[]>();
  for (const e of withLine) {
    const line = e.log.lines[e.sample];
    if (!line) continue;
    const list = bySource.get(e.log.path) ?? [];
    if (!list.includes(line)) list.push(line);
    bySource.set(e.log.path, list);
  }
  return [...bySource.entries()].map(([source, lines]) => excerpt(source, lines.length > 2 ? [lines[0]!, lines[lines.length - 1]!] : lines));
}

export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ');
}

/** "37 of 50 requests in the last 60 min answered 5xx (500 ×37)" */
export function describeVolume(stats: HttpStats, win: Window, count: number, side?: ErrorSide): string {
  const codes = describeCounts(stats.statusCodes(side));
  const of = stats.requests > 0 ? ` of ${stats.requests}` : '';
  return `${count}${of} requests in the last ${win.label} answered 5xx (${codes})`;
}
