import type { HostEvidence } from '../host-evidence.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { appSignatures, errorLogSignatures } from './app-signals.js';
import { finding, quote } from './finding.js';
import { httpStats } from './http-stats.js';
import type { Window } from './window.js';

// dependency_down: the app cannot reach a downstream (refused, timed out, DNS, breaker open, or a
// client library's "cannot connect"), or nginx cannot reach the app itself (connect() refused / no
// live upstreams).

const KINDS = ['connection_refused', 'circuit_open', 'dependency_timeout', 'dns_failure', 'unreachable'] as const;
const HOW: Record<(typeof KINDS)[number], string> = {
  connection_refused: 'connection refused',
  circuit_open: 'circuit breaker open',
  dependency_timeout: 'timed out',
  dns_failure: 'name does not resolve',
  unreachable: 'cannot connect',
};

export function dependencyDown(ev: HostEvidence, win: Window): Finding[] {
  const app = appSignatures(ev, win, KINDS);
  const nginx = errorLogSignatures(ev, win, ['upstream_refused', 'no_live_upstreams']);
  const out: Finding[] = [];
  if (app.recent > 0) {
    const recentHits = app.hits.filter((h) => h.recent > 0);
    // A client error often spans lines (.NET's "Failed to connect to X" over "(111): Connection
    // refused"): the line that names no target adds nothing once another names one.
    const named = recentHits.filter((h) => h.target);
    const targets = (named.length > 0 ? named : recentHits).slice(0, 3)
      .map((h) => `${h.target ?? 'a downstream'} (${HOW[h.kind as (typeof KINDS)[number]]}, ${h.recent}×)`);
    const top = named[0] ?? app.hits[0]!;
    // One refused connect is enough when requests are failing beside it; alone it may be a blip.
    const has5xx = httpStats(ev, win).errors.length > 0;
    out.push(finding({
      category: 'dependency_down',
      severity: app.recent >= 3 || has5xx ? 'critical' : 'warning',
      confidence: 0.7 + (top.target ? 0.1 : 0) + (has5xx ? 0.1 : 0),
      summary: `The app cannot reach ${targets.join(', ')}: ${app.recent} errors in the last ${win.label}, first ${formatTime(app.firstMs)}, e.g. ${quote(top.firstLine.replace(/^.*?(?=Error|ECONN|Connection|connect|circuit|getaddrinfo|Can't|Lost|Failed|It was not|SQLSTATE|dial|lookup)/i, ''), 90)}.`,
      evidence: app.evidence,
      firstSeenMs: app.firstMs,
    }));
  }
  if (nginx.recent > 0) {
    const upstreams = [...new Set(nginx.entries.filter((e) => e.timeMs !== null && e.timeMs >= win.startMs).map((e) => e.upstream).filter(Boolean))].slice(0, 3);
    out.push(finding({
      category: 'dependency_down',
      severity: 'warning',
      confidence: 0.6,
      summary: `nginx cannot reach its upstream ${upstreams.join(', ') || '(unnamed)'}: ${nginx.recent} connect failures in the last ${win.label}, first ${formatTime(nginx.firstMs)} — is the app running?`,
      evidence: nginx.evidence,
      firstSeenMs: nginx.firstMs,
    }));
  }
  if (out.length === 0 && app.muted > 0) {
    out.push(finding({
      category: 'dependency_down', severity: 'info', confidence: 0.3,
      summary: `The app logged ${app.muted} connection failure(s) to dependencies in the last ${win.label}, but nginx answered no 5xx: nothing failed a request.`,
      evidence: app.evidence.slice(0, 1),
    }));
  } else if (out.length === 0 && app.old + nginx.old > 0) {
    out.push(finding({
      category: 'dependency_down', severity: 'info', confidence: 0.3,
      summary: `Connection failures to dependencies appear only before the last ${win.label}.`,
      evidence: [...app.evidence, ...nginx.evidence].slice(0, 1),
    }));
  }
  return out;
}
