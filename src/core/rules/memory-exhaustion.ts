import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { appSignatures, errorLogSignatures } from './app-signals.js';
import { finding, quote } from './finding.js';
import { firstInWindow, inWindow, minTime, type Window } from './window.js';

// memory_exhaustion: the kernel OOM-killer (a kill, or its invocation when the kill fell outside
// the tail), a runtime out of heap (V8, JVM, CLR, Go, Zend memory_limit, Python/Ruby), an app
// server reporting a worker SIGKILLed "perhaps out of memory", or MemAvailable near zero.
// A kill by the kernel is a fact about the host and counts whatever the access log says; the
// runtimes' lines are muted on a host that answered no 5xx (app-signals.ts).

const LOW_PCT = 5;
const CRITICAL_PCT = 2;

export function memoryExhaustion(ev: HostEvidence, win: Window): Finding[] {
  const kills = ev.kernel?.oomKills ?? [];
  const recentKills = kills.filter((k) => k.timeMs !== null && k.timeMs >= win.startMs);
  const invoked = recentKills.length > 0 ? [] : (ev.kernel?.oomInvocations ?? []).filter((i) => inWindow(win, i.timeMs));
  const heap = appSignatures(ev, win, ['out_of_memory']);
  const nginxAlloc = errorLogSignatures(ev, win, ['out_of_memory']);
  const mem = ev.memory;
  const low = mem && mem.availablePct < LOW_PCT ? mem : null;
  const parts: string[] = [];
  if (recentKills.length > 0) {
    const victims = [...new Set(recentKills.map((k) => `${k.comm} (pid ${k.pid})`))].slice(0, 3).join(', ');
    parts.push(`the kernel OOM-killer killed ${victims} — ${recentKills.length} kill(s) in the last ${win.label}, first ${formatTime(recentKills[0]!.timeMs)}`);
  }
  if (invoked.length > 0) {
    const who = [...new Set(invoked.map((i) => i.comm).filter(Boolean))].slice(0, 3).join(', ');
    parts.push(`the kernel invoked the OOM-killer ${invoked.length} time(s) in the last ${win.label}${who ? ` (allocating: ${who})` : ''}, first ${formatTime(invoked[0]!.timeMs)}`);
  }
  if (heap.recent > 0) parts.push(`${heap.recent} out-of-memory errors in the app log (${quote(heap.hits[0]!.firstLine.replace(/^.*?(?=\S*(?:heap|Memory|memory|SIGKILL))/, ''), 80)}), first ${formatTime(heap.firstMs)}`);
  if (nginxAlloc.recent > 0) parts.push(`${nginxAlloc.recent} allocation failures in the nginx error log`);
  if (low) parts.push(`only ${low.availablePct.toFixed(1)}% of memory is available (${Math.round(low.availableKb / 1024)} of ${Math.round(low.totalKb / 1024)} MiB)`);
  const kernelLines = [...recentKills, ...invoked].map((k) => ev.kernel?.lines[k.sample]).filter((l): l is string => Boolean(l)).slice(0, 3);
  const kernelEvidence = kernelLines.length > 0 ? [excerpt('kernel_log', kernelLines)] : [];
  const memEvidence = low ? [excerpt('memory', low.lines)] : [];
  if (parts.length === 0) {
    if (heap.muted > 0) {
      return [finding({
        category: 'memory_exhaustion', severity: 'info', confidence: 0.3,
        summary: `The app logged ${heap.muted} out-of-memory error(s) in the last ${win.label}, but nginx answered no 5xx and memory is fine now.`,
        evidence: heap.evidence.slice(0, 1),
      })];
    }
    const oldHeap = heap.old + nginxAlloc.old;
    const oldKills = kills.length;
    if (oldHeap + oldKills === 0) return [];
    return [finding({
      category: 'memory_exhaustion', severity: 'info', confidence: 0.3,
      summary: `Out-of-memory events appear only before the last ${win.label} (${oldKills} OOM kill(s), ${oldHeap} heap errors); memory is fine now.`,
      evidence: [...heap.evidence, ...nginxAlloc.evidence].slice(0, 1),
    })];
  }
  const strong = recentKills.length > 0 || invoked.length > 0 || heap.recent > 0 || nginxAlloc.recent > 0;
  return [finding({
    category: 'memory_exhaustion',
    severity: strong || (low && low.availablePct < CRITICAL_PCT) ? 'critical' : 'warning',
    confidence: (strong ? 0.8 : 0.5) + (strong && low ? 0.1 : 0) + (recentKills.length > 0 && heap.recent > 0 ? 0.1 : 0),
    summary: `Out of memory: ${parts.join('; ')}.`,
    evidence: [...kernelEvidence, ...heap.evidence, ...nginxAlloc.evidence, ...memEvidence],
    firstSeenMs: minTime(firstInWindow(win, recentKills.map((k) => k.timeMs)), firstInWindow(win, invoked.map((i) => i.timeMs)), heap.firstMs, nginxAlloc.firstMs),
  })];
}
