import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { appSignatures, errorLogSignatures } from './app-signals.js';
import { finding } from './finding.js';
import { minTime, type Window } from './window.js';

// fd_exhaustion: "Too many open files" (errno 24 / EMFILE), or a process holding ≥ 90 % of its
// soft descriptor limit.

export function fdExhaustion(ev: HostEvidence, win: Window): Finding[] {
  const app = appSignatures(ev, win, ['too_many_open_files']);
  const nginx = errorLogSignatures(ev, win, ['too_many_open_files']);
  const near = ev.fds?.nearLimit ?? [];
  const recent = app.recent + nginx.recent;
  const nearText = near.slice(0, 2).map((p) => `${p.comm} (pid ${p.pid}) holds ${p.count} of ${p.softLimit} descriptors (${Math.round((p.ratio ?? 0) * 100)}%)`).join('; ');
  const fdEvidence = near.length > 0 ? [excerpt('fd_usage', near.slice(0, 3).flatMap((p) => [`fd ${p.pid} ${p.count} ${p.comm}`, `limit ${p.pid} ${p.softLimit} …`]))] : [];
  if (recent === 0 && near.length === 0) {
    if (app.muted > 0) {
      return [finding({
        category: 'fd_exhaustion', severity: 'info', confidence: 0.3,
        summary: `The app logged ${app.muted} "Too many open files" error(s) in the last ${win.label}, but no process is near its descriptor limit and nginx answered no 5xx.`,
        evidence: app.evidence.slice(0, 1),
      })];
    }
    if (app.old + nginx.old === 0) return [];
    return [finding({
      category: 'fd_exhaustion', severity: 'info', confidence: 0.3,
      summary: `"Too many open files" errors appear only before the last ${win.label}, and no process is near its descriptor limit now.`,
      evidence: [...app.evidence, ...nginx.evidence],
    })];
  }
  const first = minTime(app.firstMs, nginx.firstMs);
  const logs = recent > 0
    ? `${recent} "Too many open files" errors in the last ${win.label} (${[app.recent ? `app log ${app.recent}` : '', nginx.recent ? `nginx error log ${nginx.recent}` : ''].filter(Boolean).join(', ')}; first ${formatTime(first)})`
    : '';
  return [finding({
    category: 'fd_exhaustion',
    severity: recent > 0 ? 'critical' : 'warning',
    confidence: (recent > 0 ? 0.75 : 0.5) + (recent > 0 && near.length > 0 ? 0.2 : 0),
    summary: `Out of file descriptors: ${[nearText, logs].filter(Boolean).join('; ')}.`,
    evidence: [...fdEvidence, ...app.evidence, ...nginx.evidence],
    firstSeenMs: first,
  })];
}
