import type { HostEvidence } from '../host-evidence.js';
import type { Category, Finding, Role, Severity } from '../types.js';

// Picks exactly one root cause (TRIAGE.md): a deploy that certainly broke things first; then
// infrastructure, deploy and dependency causes over the stack traces they produce; then what nginx
// did itself; an invalid config only when nothing else explains the 500s; the app's own 500s only
// when nothing explains them; bare exceptions only where no nginx fronts the app. Critical beats
// warning across tiers; within a tier the first signal in the timeline wins, then confidence.
// Info findings are never the root cause.

const TIER: Record<Category, number> = {
  bad_deploy: 1,
  db_pool_exhaustion: 1,
  disk_full: 1,
  memory_exhaustion: 1,
  fd_exhaustion: 1,
  dependency_down: 1,
  worker_crash: 1,
  host_unreachable: 1,
  nginx_internal_error: 2,
  intercepted_upstream_error: 2,
  nginx_config_invalid: 3,
  upstream_app_error: 4,
  unhandled_exception: 5,
};

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
/** Deploy-only errors (missing module, env var, column) make the deploy the cause outright. */
const CERTAIN_DEPLOY = 0.85;

function tier(f: Finding): number {
  return f.category === 'bad_deploy' && f.confidence >= CERTAIN_DEPLOY ? 0 : TIER[f.category];
}

function compare(a: Finding, b: Finding): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]
    || tier(a) - tier(b)
    || (a.firstSeenMs ?? Infinity) - (b.firstSeenMs ?? Infinity)
    || b.confidence - a.confidence;
}

function nonRootRole(f: Finding): Role {
  return f.category === 'upstream_app_error' || f.category === 'unhandled_exception' ? 'symptom' : 'contributing';
}

export function rankRootCause(ev: HostEvidence, findings: Finding[]): { findings: Finding[]; root: Finding | null } {
  const candidates = findings
    .filter((f) => f.severity !== 'info')
    // Exceptions are a symptom wherever nginx reports the 500s; they lead only without nginx
    // or when nothing else at all is wrong.
    .filter((f) => f.category !== 'unhandled_exception' || !ev.nginx.present || findings.every((g) => g === f || g.severity === 'info' || g.category === 'unhandled_exception'));
  const root = [...candidates].sort(compare)[0] ?? null;
  const ranked = findings.map((f) => ({ ...f, role: f === root ? ('root_cause' as Role) : nonRootRole(f) }));
  const rootRanked = root ? ranked[findings.indexOf(root)]! : null;
  ranked.sort((a, b) => (a === rootRanked ? -1 : b === rootRanked ? 1 : compare(a, b)));
  return { findings: ranked, root: rootRanked };
}
