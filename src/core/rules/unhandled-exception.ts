import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import { formatTime } from '../time.js';
import type { Finding } from '../types.js';
import { exceptionGroups } from './app-signals.js';
import { finding, quote } from './finding.js';
import { firstInWindow, type Window } from './window.js';

// unhandled_exception: stack traces in the app log, grouped by headline. The detail behind an
// app error — a symptom, unless no nginx fronts the app (then nothing else reports the 500s). A
// trace on a host whose nginx answered no 5xx was handled or mapped to a 4xx: info only.

export function unhandledException(ev: HostEvidence, win: Window): Finding[] {
  const groups = exceptionGroups(ev, win);
  const recent = groups.filter((g) => g.recent > 0);
  if (recent.length === 0) {
    if (groups.length === 0) return [];
    const muted = groups.reduce((n, g) => n + g.muted, 0);
    if (muted > 0) {
      const top = groups.find((g) => g.muted > 0)!;
      return [finding({
        category: 'unhandled_exception', severity: 'info', confidence: 0.3,
        summary: `${muted} stack trace(s) in the app log in the last ${win.label} (e.g. ${quote(top.headline, 100)}), but nginx answered no 5xx: handled, or mapped to a 4xx.`,
        evidence: [excerpt(top.source, top.excerpt)],
      })];
    }
    const old = groups.reduce((n, g) => n + g.count, 0);
    return [finding({
      category: 'unhandled_exception', severity: 'info', confidence: 0.3,
      summary: `${old} older stack trace(s) in the app log (latest ${formatTime(Math.max(...groups.map((g) => g.lastMs ?? 0)))}), none in the last ${win.label}.`,
      evidence: [excerpt(groups[0]!.source, groups[0]!.excerpt)],
    })];
  }
  const total = recent.reduce((n, g) => n + g.recent, 0);
  const first = Math.min(...recent.map((g) => firstInWindow(win, g.times) ?? Infinity));
  const top = recent.slice(0, 3).map((g) => `${quote(g.headline, 100)} ×${g.recent}`).join(', ');
  const fronted = ev.nginx.present;
  return [finding({
    category: 'unhandled_exception',
    severity: total >= 3 ? 'critical' : 'warning',
    confidence: 0.6 + (total >= 3 ? 0.15 : 0) + (recent[0]!.language ? 0.1 : 0),
    summary: `${total} unhandled exception(s) in the app log in the last ${win.label}, first ${formatTime(first)}: ${top}` +
      `${fronted ? '' : ' (no nginx on this host: these are the 500s clients get)'}.`,
    evidence: recent.slice(0, 2).map((g) => excerpt(g.source, g.excerpt)),
    firstSeenMs: Number.isFinite(first) ? first : null,
  })];
}
