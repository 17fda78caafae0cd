import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { appSignatures, errorLogSignatures } from './app-signals.js';
import { finding } from './finding.js';
import { minTime, type Window } from './window.js';

// disk_full: a filesystem at ≥ 95 % (df), or "No space left on device" / ENOSPC in the logs (an
// inotify watch limit's ENOSPC is no disk and never reaches here: signature-guards.ts).

function size(kb: number): string {
  return kb >= 1024 * 1024 ? `${(kb / 1024 / 1024).toFixed(1)} GiB` : kb >= 1024 ? `${Math.round(kb / 1024)} MiB` : `${kb} KiB`;
}

export function diskFull(ev: HostEvidence, win: Window): Finding[] {
  const full = ev.disk?.full ?? [];
  const app = appSignatures(ev, win, ['disk_full']);
  const nginx = errorLogSignatures(ev, win, ['no_space']);
  const recent = app.recent + nginx.recent;
  if (full.length === 0 && recent === 0) {
    if (app.muted > 0) {
      return [finding({
        category: 'disk_full', severity: 'info', confidence: 0.3,
        summary: `The app logged ${app.muted} "No space left on device" error(s) in the last ${win.label}, but no filesystem is at 95% and nginx answered no 5xx.`,
        evidence: app.evidence.slice(0, 1),
      })];
    }
    if (app.old + nginx.old === 0) return [];
    return [finding({
      category: 'disk_full', severity: 'info', confidence: 0.3,
      summary: `"No space left on device" errors appear only before the last ${win.label} and no filesystem is at 95% now.`,
      evidence: [...app.evidence, ...nginx.evidence].slice(0, 1),
    })];
  }
  const mounts = full.slice(0, 2).map((m) => `${m.mountedOn} (${m.filesystem}) is ${m.usePct}% full, ${size(m.availKb)} free of ${size(m.sizeKb)}`);
  const first = minTime(app.firstMs, nginx.firstMs);
  const errors = recent > 0 ? `${recent} "No space left on device" errors in the last ${win.label}, first ${formatTime(first)}` : '';
  const worst = full[0]?.usePct ?? 0;
  return [finding({
    category: 'disk_full',
    severity: recent > 0 || worst >= 99 ? 'critical' : 'warning',
    confidence: (recent > 0 ? 0.75 : 0.55) + (recent > 0 && full.length > 0 ? 0.2 : 0),
    summary: `Disk full: ${[...mounts, errors].filter(Boolean).join('; ')}.`,
    evidence: [
      ...(full.length > 0 ? [excerpt('disk', full.slice(0, 3).map((m) => m.line))] : []),
      ...app.evidence, ...nginx.evidence,
    ],
    firstSeenMs: first,
  })];
}
