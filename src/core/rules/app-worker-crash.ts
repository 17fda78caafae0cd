import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import type { KernelCrash } from '../parsers/kernel-log.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { appSignatures, quietFront } from './app-signals.js';
import { finding, quote } from './finding.js';
import { httpStats } from './http-stats.js';
import { inWindow, minTime, type Window } from './window.js';

// worker_crash of the app tier: workers that died of a signal, were killed for hanging, or were
// all busy — as their master saw it (php-fpm, gunicorn, uWSGI, Puma, unicorn), or as only the
// kernel saw it (segfault, general-protection fault, trap). The requests those workers held get
// a 502/500, so a crash counts as the cause when the 5xx come within minutes of it.

/** How close a 5xx must be to a crash to be the request that crash dropped. */
const NEAR_MS = 5 * 60_000;
// Runtimes and app servers by task name; a thread's name starts with its process's (puma srv tp 001).
const APP_TASK = /^(?:nginx|node|nodejs|python[\d.]*|gunicorn|uwsgi|uvicorn|java|ruby|puma|unicorn|sidekiq|php-fpm[\d.]*|php[\d.]*|dotnet|bundle|deno|bun|httpd|apache2|perl|beam\.smp|rails)\b/i;

function appTask(ev: HostEvidence, comm: string): boolean {
  if (APP_TASK.test(comm)) return true;
  const names = (ev.processes?.appProcesses ?? []).map((p) => (p.args.split(' ')[0] ?? '').replace(/^.*\//, '').slice(0, 15));
  return names.some((n) => n !== '' && comm.startsWith(n));
}

function describeKernel(crashes: KernelCrash[]): string {
  const what = crashes.slice(0, 3).map((c) => `${c.comm} (pid ${c.pid}) for a ${c.fault}${c.object ? ` in ${c.object}` : ''}`);
  return `the kernel killed ${what.join(', ')}${crashes.length > 3 ? ` and ${crashes.length - 3} more` : ''}`;
}

export function appWorkerCrash(ev: HostEvidence, win: Window): Finding[] {
  const quiet = quietFront(ev, win);
  const oomRecent = (ev.kernel?.oomKills ?? []).some((k) => inWindow(win, k.timeMs));
  // A worker SIGKILLed while the OOM killer was busy is memory_exhaustion's finding, not a crash.
  const killed = appSignatures(ev, win, ['worker_killed']);
  const timeouts = appSignatures(ev, win, ['worker_timeout']);
  // The SIGABRT/SIGKILL a master sends a hung worker is that timeout, not a second death.
  const killedHits = killed.hits.filter((h) => h.recent > 0 && !(oomRecent && h.target === 'SIGKILL')
    && !(timeouts.recent > 0 && (h.target === 'SIGABRT' || h.target === 'SIGKILL')));
  const busy = appSignatures(ev, win, ['workers_exhausted']);
  const kernelAll = (ev.kernel?.crashes ?? []).filter((c) => inWindow(win, c.timeMs));
  const kernel = kernelAll.filter((c) => appTask(ev, c.comm));
  const killedN = killedHits.reduce((n, h) => n + h.recent, 0);
  const events = killedN + timeouts.recent + busy.recent + (quiet ? 0 : kernel.length);

  const kernelEvidence = (list: KernelCrash[]) => {
    const lines = list.map((c) => ev.kernel?.lines[c.sample]).filter((l): l is string => Boolean(l)).slice(0, 3);
    return lines.length > 0 ? [excerpt('kernel_log', lines)] : [];
  };
  if (events === 0) {
    const mutedN = killed.muted + timeouts.muted + busy.muted + (quiet ? kernel.length : 0);
    const oldN = killed.old + timeouts.old + busy.old + (ev.kernel?.crashes ?? []).filter((c) => c.timeMs !== null && c.timeMs < win.startMs).length;
    if (mutedN === 0 && oldN === 0) return [];
    return [finding({
      category: 'worker_crash', severity: 'info', confidence: 0.3,
      summary: mutedN > 0
        ? `${mutedN} app worker crash(es) or kill(s) in the last ${win.label}, but nginx answered no 5xx: no request was lost to them.`
        : `App workers crashed or were killed ${oldN} time(s) before the last ${win.label}; none since.`,
      evidence: [...killed.evidence, ...timeouts.evidence, ...busy.evidence, ...kernelEvidence(ev.kernel?.crashes ?? [])].slice(0, 2),
    })];
  }

  const times = [
    ...[...killedHits, ...timeouts.hits, ...busy.hits].flatMap((h) => (h.recent > 0 ? h.times.filter((t) => inWindow(win, t)) : [])),
    ...kernel.map((c) => c.timeMs),
  ].filter((t): t is number => t !== null);
  const errors = httpStats(ev, win).errors;
  const near = errors.filter((e) => e.timeMs === null || times.some((t) => Math.abs(e.timeMs! - t) <= NEAR_MS)).length;
  const parts: string[] = [];
  if (timeouts.recent > 0) parts.push(`${timeouts.recent} worker(s) killed for hanging past the app server's timeout, e.g. ${quote(timeouts.hits[0]!.firstLine.replace(/^.*?(?=\[pool|child|WORKER|HARAKIRI|Terminating|worker=)/, ''), 90)}`);
  if (killedN > 0) {
    const sigs = killedHits.map((h) => `${h.target ?? 'a signal'} ×${h.recent}`).join(', ');
    parts.push(`app workers died of a signal (${sigs}), e.g. ${quote(killedHits[0]!.firstLine.replace(/^.*?(?=\[pool|child|Worker|worker|DAMN|reaped|uWSGI)/, ''), 90)}`);
  }
  if (busy.recent > 0) parts.push(`every worker was busy (${quote(busy.hits[0]!.firstLine.replace(/^.*?(?=\[pool|server reached|The maximum|uWSGI)/, ''), 80)}), so new requests queued`);
  if (!quiet && kernel.length > 0) parts.push(describeKernel(kernel));
  const strong = killedN > 0 || (!quiet && kernel.length > 0);
  const nearText = errors.length > 0 ? `; ${near} of the ${errors.length} 5xx in the last ${win.label} came within 5 min of it` : '';
  return [finding({
    category: 'worker_crash',
    severity: near > 0 ? 'critical' : 'warning',
    confidence: (strong ? 0.85 : timeouts.recent > 0 ? 0.75 : 0.6) + (near > 0 ? 0.05 : 0),
    summary: `${killedN + timeouts.recent + (quiet ? 0 : kernel.length) > 0 ? 'App workers are dying' : 'App workers are exhausted'}: ${parts.join('; ')}; first ${formatTime(minTime(...times))}${nearText}.`,
    evidence: [...killed.evidence, ...timeouts.evidence, ...busy.evidence, ...kernelEvidence(kernel)].slice(0, 3),
    firstSeenMs: minTime(...times),
  })];
}
