import type { HostEvidence } from '../host-evidence.js';
import type { ErrorSignature } from '../parsers/error-log.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { errorLogSignatures } from './app-signals.js';
import { finding, plural } from './finding.js';
import { describeVolume, errorSeverity, httpStats, sideEvidence } from './http-stats.js';
import { minTime, type Window } from './window.js';

// nginx_internal_error: nginx produced the 500 itself (no upstream answered) — rewrite cycles,
// permission denied while serving, module/Lua failures. Resource errors (descriptors, disk,
// memory) and crashed workers have their own categories.

export const NGINX_INTERNAL_SIGNATURES: ErrorSignature[] = ['rewrite_cycle', 'permission_denied', 'lua_error'];

const WHAT: Partial<Record<ErrorSignature, string>> = {
  rewrite_cycle: 'rewrite or internal redirection cycle',
  permission_denied: 'permission denied while serving',
  lua_error: 'Lua/module error',
};

export function nginxInternalError(ev: HostEvidence, win: Window): Finding[] {
  const stats = httpStats(ev, win);
  const sigs = errorLogSignatures(ev, win, NGINX_INTERNAL_SIGNATURES);
  const internal = stats.bySide.internal;
  // An intercepted upstream error whose error_page fails shows the same cycle in the error log;
  // that is the intercepted category's evidence, not a separate nginx fault.
  if (internal === 0 && stats.bySide.intercepted > 0) return [];
  const kinds = [...new Set(sigs.entries.filter((e) => sigs.recent === 0 || e.timeMs !== null && e.timeMs >= win.startMs).map((e) => WHAT[e.signature!] ?? e.signature!))];
  const what = kinds.length > 0 ? `; the error log shows ${kinds.join(', ')} (${plural(sigs.recent, 'entry')} in the window)` : '';
  if (internal > 0) {
    const sev = errorSeverity(internal, stats.requests);
    return [finding({
      category: 'nginx_internal_error',
      severity: sev === 'info' && sigs.recent > 0 ? 'warning' : sev,
      confidence: 0.7 + (sigs.recent > 0 ? 0.25 : 0),
      summary: `${describeVolume(stats, win, internal, 'internal')} with no upstream status, so nginx produced them itself${what}` +
        `${stats.firstMs !== null ? `; first at ${formatTime(stats.firstMs)}` : ''}.`,
      evidence: [...sideEvidence(stats, 'internal'), ...sigs.evidence],
      firstSeenMs: minTime(stats.firstMs, sigs.firstMs),
    })];
  }
  if (sigs.recent > 0) {
    const unknown = stats.bySide.unknown;
    return [finding({
      category: 'nginx_internal_error',
      severity: unknown > 0 ? errorSeverity(Math.max(unknown, 3), stats.requests) : 'warning',
      confidence: unknown > 0 ? 0.75 : 0.55,
      summary: `The nginx error log has ${plural(sigs.recent, 'entry')} of ${kinds.join(', ')} since ${formatTime(sigs.firstMs)}` +
        `${unknown > 0 ? `, alongside ${unknown} 5xx in the access log (whose format cannot show the side)` : ''}: nginx itself is failing these requests.`,
      evidence: sigs.evidence,
      firstSeenMs: sigs.firstMs,
    })];
  }
  if (sigs.old > 0) {
    return [finding({
      category: 'nginx_internal_error', severity: 'info', confidence: 0.3,
      summary: `Older nginx-internal errors (${kinds.join(', ')}) appear in the error log, none in the last ${win.label}.`,
      evidence: sigs.evidence,
    })];
  }
  return [];
}
