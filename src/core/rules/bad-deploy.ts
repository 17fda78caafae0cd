import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import type { AppSignatureKind } from '../parsers/app-signatures.js';
import { formatDuration, formatTime } from '../time.js';
import type { ActionId, Finding } from '../types.js';
import { appSignatures, exceptionGroups } from './app-signals.js';
import { finding, quote } from './finding.js';
import { httpStats } from './http-stats.js';
import { firstNewError } from '../timeline.js';
import { minTime, type Window } from './window.js';

// bad_deploy: a release went live shortly before the trouble started, and errors exist only since.
// Errors only a deploy makes (missing module/class, env var, column, syntax) make it certain.

export const DEPLOY_LEAD_MS = 30 * 60_000;
/** Clocks and mtimes round to the second; a log line may precede the symlink's mtime a little. */
const SLACK_MS = 60_000;
const DEPLOY_KINDS: AppSignatureKind[] = ['missing_module', 'missing_env', 'missing_column', 'syntax_error'];
/**
 * "Only since the deploy" means absent while the previous release ran just before it, not never
 * seen: an error from an earlier incident hours ago (or the same bad release deployed before)
 * must not hide what this deploy broke.
 */
export const QUIET_BEFORE_MS = 10 * 60_000;

function onlySince(times: ReadonlyArray<number | null>, d: number): boolean {
  const known = times.filter((t): t is number => t !== null);
  return known.some((t) => t >= d - SLACK_MS) && !known.some((t) => t >= d - QUIET_BEFORE_MS && t < d - SLACK_MS);
}

export function badDeploy(ev: HostEvidence, win: Window): Finding[] {
  const deploy = ev.timeline.lastDeploy;
  const r = ev.releases;
  if (!deploy || !r) return [];
  const d = deploy.timeMs;
  if (d < win.startMs - DEPLOY_LEAD_MS || d > win.nowMs + SLACK_MS) return [];
  const stats = httpStats(ev, win);
  const fiveXX = stats.errors.filter((e) => e.timeMs !== null && e.timeMs >= d - SLACK_MS);
  const firstSince = (times: ReadonlyArray<number | null>) => times.find((t): t is number => t !== null && t >= d - SLACK_MS) ?? null;
  const newGroups = [...exceptionGroups(ev, win), ...exceptionGroups(ev, win, 'error_line')].filter((g) => g.recent > 0 && onlySince(g.times, d));
  const deployKinds = appSignatures(ev, win, DEPLOY_KINDS);
  const deployHits = deployKinds.hits.filter((h) => h.recent > 0 && onlySince(h.times, d));
  const firstTrouble = minTime(fiveXX[0]?.timeMs, ...newGroups.map((g) => firstSince(g.times)), ...deployHits.map((h) => firstSince(h.times)));
  if (firstTrouble === null || firstTrouble - d > DEPLOY_LEAD_MS) return [];
  if (newGroups.length === 0 && deployHits.length === 0) return [];

  const release = (p: string | null) => (p ? p.slice(p.lastIndexOf('/') + 1) : 'unknown');
  const strong = deployHits.length > 0;
  const actions: ActionId[] = r.previous ? ['rollback'] : [];
  const newErr = firstNewError(ev, d - SLACK_MS);
  const what = strong
    ? deployHits.slice(0, 2).map((h) => `${quote(h.firstLine.replace(/^.*?(?=Error|Cannot|No module|column|Unknown|ModuleNotFound|ClassNotFound|LoadError|KeyError|[A-Z][A-Z0-9]*_)/, ''), 90)} (${h.recent}×)`).join(', ')
    : newGroups.slice(0, 2).map((g) => `${quote(g.headline, 90)} (${g.recent}×)`).join(', ');
  const fiveText = fiveXX.length > 0 ? `5xx started ${formatDuration(fiveXX[0]!.timeMs! - d)} later (${fiveXX.length} since, first ${formatTime(fiveXX[0]!.timeMs)})` : `errors started ${formatDuration(firstTrouble - d)} later`;
  const rollback = r.previous ? `; roll back to ${release(r.previous.path)}` : '; no previous release to roll back to';
  return [finding({
    category: 'bad_deploy',
    severity: strong || fiveXX.length > 0 ? 'critical' : 'warning',
    confidence: strong ? 0.9 + (fiveXX.length > 0 ? 0.05 : 0) : 0.55 + (r.previous ? 0.1 : 0),
    summary: `Release ${release(r.current)} went live at ${formatTime(d)}; ${fiveText}, and errors that only exist since then: ${what}${rollback}.`,
    evidence: [
      excerpt('releases', r.lines),
      ...(newErr?.line ? [excerpt(newErr.source, newErr.line)] : []),
      ...deployKinds.evidence.slice(0, 1),
      ...(fiveXX[0] && fiveXX[0].sample >= 0 ? [excerpt(fiveXX[0].log.path, fiveXX[0].log.lines[fiveXX[0].sample]!)] : []),
    ],
    actions,
    firstSeenMs: d,
  })];
}
