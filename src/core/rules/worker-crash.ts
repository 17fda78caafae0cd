import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { errorLogSignatures } from './app-signals.js';
import { appWorkerCrash } from './app-worker-crash.js';
import { finding } from './finding.js';
import type { Window } from './window.js';

// worker_crash: nginx workers dying on a signal (the master respawns them, dropping the requests
// they held), or fewer workers running than worker_processes asks for; and the app tier's workers
// (app-worker-crash.ts).

function expectedWorkers(ev: HostEvidence): number | null {
  const wp = ev.nginx.config?.workerProcesses;
  if (wp === 'auto') return ev.hostInfo?.nproc ?? null;
  return wp ?? (ev.nginx.config ? 1 : null);
}

export function workerCrash(ev: HostEvidence, win: Window): Finding[] {
  return [...nginxWorkerCrash(ev, win), ...appWorkerCrash(ev, win)];
}

function nginxWorkerCrash(ev: HostEvidence, win: Window): Finding[] {
  const exits = errorLogSignatures(ev, win, ['worker_exited']);
  const procs = ev.processes;
  const expected = expectedWorkers(ev);
  const masters = procs?.nginxMasters ?? [];
  const short = procs && expected !== null && masters.length > 0
    ? masters.map((m) => ({ m, workers: procs.nginxWorkers.filter((w) => w.ppid === m.pid).length })).filter((x) => x.workers < expected)
    : [];
  const signals = [...new Set(exits.entries.filter((e) => e.timeMs !== null && e.timeMs >= win.startMs).map((e) => e.signal))].filter((s) => s !== undefined);
  const psEvidence = short.length > 0 && procs ? [excerpt('processes', [short[0]!.m, ...procs.nginxWorkers.filter((w) => w.ppid === short[0]!.m.pid)]
    .map((p) => `${String(p.pid).padStart(5)} ${String(p.ppid).padStart(5)} ${p.user} ${p.rssKb} ${p.args}`))] : [];
  const workerText = short.length > 0 ? `; only ${short[0]!.workers} of ${expected} workers are running now` : '';

  if (exits.recent > 0) {
    return [finding({
      category: 'worker_crash',
      severity: 'critical',
      confidence: 0.85 + (short.length > 0 ? 0.1 : 0),
      summary: `nginx workers crashed ${exits.recent} times in the last ${win.label} (exited on signal ${signals.join(', ') || '?'}; first ${formatTime(exits.firstMs)}); requests they held were dropped${workerText}.`,
      evidence: [...exits.evidence, ...psEvidence],
      firstSeenMs: exits.firstMs,
    })];
  }
  if (short.length > 0) {
    return [finding({
      category: 'worker_crash',
      severity: 'warning',
      confidence: 0.6,
      summary: `nginx runs ${short[0]!.workers} worker process(es) while worker_processes asks for ${expected}; workers may be dying or failing to start.`,
      evidence: psEvidence,
    })];
  }
  if (exits.old > 0) {
    return [finding({
      category: 'worker_crash', severity: 'info', confidence: 0.3,
      summary: `nginx workers crashed ${exits.old} time(s) before the last ${win.label}; none since and the worker count is complete.`,
      evidence: exits.evidence,
    })];
  }
  return [];
}
