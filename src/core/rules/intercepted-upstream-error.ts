import type { HostEvidence } from '../host-evidence.js';
import type { NginxConfig } from '../parsers/nginx-config.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { errorLogSignatures } from './app-signals.js';
import { finding } from './finding.js';
import { describeCounts, describeVolume, errorSeverity, httpStats, sideEvidence } from './http-stats.js';
import type { Window } from './window.js';

// intercepted_upstream_error: the client got a 5xx while the upstream answered something else —
// *_intercept_errors is on and the error_page for that code is missing or itself fails.

function configStory(cfg: NginxConfig | null, codes: string[]): string {
  if (!cfg) return 'the running config could not be read to confirm the intercept settings';
  const on = cfg.intercepts.map((i) => `${i.directive} on (${i.where})`);
  const parts: string[] = [on.length > 0 ? on.join(', ') : 'no *_intercept_errors directive was found'];
  for (const code of codes) {
    const page = cfg.errorPages.find((p) => p.codes.includes(Number(code)));
    parts.push(page ? `error_page ${code} → ${page.target}` : `no error_page for ${code}`);
  }
  return parts.join('; ');
}

export function interceptedUpstreamError(ev: HostEvidence, win: Window): Finding[] {
  const stats = httpStats(ev, win);
  const n = stats.bySide.intercepted;
  if (n === 0) return [];
  const upstream = stats.upstreamCodes('intercepted');
  const cycles = errorLogSignatures(ev, win, ['rewrite_cycle', 'permission_denied']);
  const failing = cycles.recent > 0 ? `, and the error page itself fails (${cycles.recent} rewrite/redirection or permission errors in the error log)` : '';
  const intercepts = ev.nginx.config?.intercepts.length ?? 0;
  return [finding({
    category: 'intercepted_upstream_error',
    severity: errorSeverity(n, stats.requests),
    confidence: 0.65 + (intercepts > 0 ? 0.15 : 0) + (cycles.recent > 0 ? 0.15 : 0),
    summary: `${describeVolume(stats, win, n, 'intercepted')} while the upstream answered ${describeCounts(upstream)}` +
      `${stats.firstMs !== null ? ` (since ${formatTime(stats.firstMs)})` : ''}: nginx intercepted the upstream's answer and turned it into a 500` +
      ` — ${configStory(ev.nginx.config, Object.keys(upstream))}${failing}.`,
    evidence: [...sideEvidence(stats, 'intercepted'), ...cycles.evidence.slice(0, 1)],
    firstSeenMs: stats.firstMs,
  })];
}
