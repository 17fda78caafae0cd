import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { errorLogSignatures, exceptionGroups } from './app-signals.js';
import { finding, quote } from './finding.js';
import { NGINX_INTERNAL_SIGNATURES } from './nginx-internal-error.js';
import { describeCounts, describeVolume, errorSeverity, httpStats, sideEvidence } from './http-stats.js';
import type { Window } from './window.js';

// upstream_app_error: the application answered 5xx and nginx passed it through. Where the log
// format has no $upstream_status the side is unknown: say so, and decide from the error and app
// logs (no nginx-internal signature in the window → the app's).

export function upstreamAppError(ev: HostEvidence, win: Window): Finding[] {
  const stats = httpStats(ev, win);
  const out: Finding[] = [];
  const topException = exceptionGroups(ev, win).find((g) => g.recent > 0);
  const appEvidence = topException ? [excerpt(topException.source, topException.excerpt)] : [];
  const top = (side: 'passthrough' | 'unknown') => stats.topEndpoints(side).map(([ep, n]) => `${ep} ×${n}`).join(', ');
  const since = stats.firstMs !== null ? ` since ${formatTime(stats.firstMs)}` : '';
  // nginx proxies to another machine: name it, so the reader (and diagbot) look there.
  const remote = ev.appSources.services.length === 0 ? ev.appSources.remote : [];
  const behind = remote.length > 0
    ? `; the 500s come from ${remote.slice(0, 3).map((r) => (r.peer ? `${r.peer} (${r.target})` : `${r.target} (not in the inventory)`)).join(', ')}` : '';

  const pass = stats.bySide.passthrough;
  if (pass > 0) {
    const all = stats.errors.length;
    const upstream = describeCounts(stats.upstreamCodes('passthrough'));
    const share = pass === all ? 'in all of them' : `in ${pass} of them`;
    const recent = stats.recent.errors > 0 && stats.recent.requests > 0
      ? ` (${stats.recent.errors} of ${stats.recent.requests} in the last ${stats.recent.minutes} min)` : '';
    out.push(finding({
      category: 'upstream_app_error',
      severity: errorSeverity(pass, stats.requests),
      confidence: 0.6 + (topException ? 0.25 : 0) + (pass >= 10 ? 0.1 : 0),
      summary: `${describeVolume(stats, win, all)}${recent}${since}; the upstream itself answered 5xx ${share} (${upstream}), so the application produced them` +
        `${behind}${top('passthrough') ? `; top endpoints: ${top('passthrough')}` : ''}${topException ? `; the app log shows ${quote(topException.headline)} ×${topException.recent}` : ''}.`,
      evidence: [...sideEvidence(stats, 'passthrough'), ...appEvidence],
      firstSeenMs: stats.firstMs,
    }));
  }

  const unknown = stats.bySide.unknown;
  if (unknown > 0) {
    const formatNames = [...new Set(stats.errors.filter((e) => e.side === 'unknown').map((e) => `${e.log.format} (${e.log.path})`))].join(', ');
    out.push(finding({
      category: 'upstream_app_error',
      severity: 'info',
      confidence: 0.9,
      summary: `The access log format ${formatNames} has no $upstream_status, so nginx-internal and application 500s cannot be told apart in this log; ` +
        `add $upstream_status to the log_format (e.g. upstream_status=$upstream_status). Meanwhile the side is judged from the error and app logs.`,
      evidence: sideEvidence(stats, 'unknown').slice(0, 1),
    }));
    const internalSigns = errorLogSignatures(ev, win, NGINX_INTERNAL_SIGNATURES).recent;
    if (internalSigns === 0) {
      out.push(finding({
        category: 'upstream_app_error',
        severity: errorSeverity(unknown, stats.requests),
        confidence: topException ? 0.7 : 0.45,
        summary: `${describeVolume(stats, win, unknown, 'unknown')}${since}; the log format cannot show which side produced them, but the nginx error log has no nginx-internal errors` +
          `${topException ? ` and the app log shows ${quote(topException.headline)} ×${topException.recent}` : ''}, so they most likely come from the application${behind}` +
          `${top('unknown') ? `; top endpoints: ${top('unknown')}` : ''}.`,
        evidence: [...sideEvidence(stats, 'unknown'), ...appEvidence],
        firstSeenMs: stats.firstMs,
      }));
    }
  }
  return out;
}
