import { excerpt } from '../excerpt.js';
import type { HostEvidence } from '../host-evidence.js';
import type { AppErrorGroup, AppSignatureHit } from '../parsers/app-log.js';
import type { AppSignatureKind } from '../parsers/app-signatures.js';
import type { ErrorLogEntry, ErrorLogEvidence, ErrorSignature } from '../parsers/error-log.js';
import type { EvidenceExcerpt } from '../types.js';
import { httpStats } from './http-stats.js';
import { countInWindow, firstInWindow, inWindow, type Window } from './window.js';

// Windowed views over the app log and nginx error log that several rules share.
//
// An app-log line is an opinion; the access log is the outcome. Where nginx fronts the app and its
// access logs show requests but no 5xx in the window, whatever the app logged did not fail a
// request (a 4xx it mapped, a retried call, a background job): such lines are `muted` — counted,
// never `recent` — so no rule raises more than info on them. Without nginx (or without access
// logs) nothing says the errors were harmless, and they count as before.

export function quietFront(ev: HostEvidence, win: Window): boolean {
  if (!ev.nginx.present || ev.accessLogs.length === 0) return false;
  const stats = httpStats(ev, win);
  return stats.requests > 0 && stats.errors.length === 0;
}

export interface WindowedHits {
  hits: Array<AppSignatureHit & { recent: number }>;
  recent: number;
  /** Occurrences outside the window (history). */
  old: number;
  /** Occurrences inside the window on a host that answered no 5xx in it (see quietFront). */
  muted: number;
  firstMs: number | null;
  evidence: EvidenceExcerpt[];
}

export function appSignatures(ev: HostEvidence, win: Window, kinds: readonly AppSignatureKind[]): WindowedHits {
  const all = (ev.app?.signatures ?? []).filter((s) => kinds.includes(s.kind));
  const quiet = quietFront(ev, win);
  const inWin = all.map((s) => countInWindow(win, s.times));
  const hits = all.map((s, i) => ({ ...s, recent: quiet ? 0 : inWin[i]! })).sort((a, b) => b.recent - a.recent || b.count - a.count);
  const within = inWin.reduce((n, c) => n + c, 0);
  const recent = quiet ? 0 : within;
  const firsts = quiet ? [] : hits.map((h) => firstInWindow(win, h.times)).filter((t): t is number => t !== null);
  const shown = hits.filter((h) => h.recent > 0).slice(0, 2);
  return {
    hits,
    recent,
    old: hits.reduce((n, h) => n + h.count, 0) - within,
    muted: quiet ? within : 0,
    firstMs: firsts.length > 0 ? Math.min(...firsts) : null,
    evidence: (shown.length > 0 ? shown : hits.slice(0, 1)).flatMap((h) => {
      const both = h.count > 1 && h.latestLine !== h.firstLine;
      if (both && h.latestSource !== h.source) return [excerpt(h.source, [h.firstLine]), excerpt(h.latestSource, [h.latestLine])];
      return [excerpt(h.source, both ? [h.firstLine, h.latestLine] : [h.firstLine])];
    }),
  };
}

export interface WindowedGroup extends AppErrorGroup {
  recent: number;
  /** In the window, but on a host that answered no 5xx in it (see quietFront). */
  muted: number;
}

export function exceptionGroups(ev: HostEvidence, win: Window, kind: AppErrorGroup['kind'] = 'exception'): WindowedGroup[] {
  const quiet = quietFront(ev, win);
  return (ev.app?.groups ?? [])
    .filter((g) => g.kind === kind)
    .map((g) => {
      const within = countInWindow(win, g.times);
      return { ...g, recent: quiet ? 0 : within, muted: quiet ? within : 0 };
    })
    .sort((a, b) => b.recent - a.recent || b.count - a.count);
}

export interface ErrorLogHits {
  entries: Array<ErrorLogEntry & { log: ErrorLogEvidence }>;
  recent: number;
  old: number;
  firstMs: number | null;
  evidence: EvidenceExcerpt[];
}

export function errorLogSignatures(ev: HostEvidence, win: Window, sigs: readonly ErrorSignature[]): ErrorLogHits {
  const entries = ev.errorLogs.flatMap((log) => log.entries.filter((e) => e.signature && sigs.includes(e.signature)).map((e) => ({ ...e, log })));
  const recentEntries = entries.filter((e) => inWindow(win, e.timeMs));
  const firsts = recentEntries.map((e) => e.timeMs!);
  const pick = recentEntries.length > 0 ? recentEntries : entries;
  const bySource = new Map<string, string[]>();
  for (const e of pick) {
    const line = e.sample >= 0 ? e.log.lines[e.sample] : undefined;
    if (!line) continue;
    const list = bySource.get(e.log.path) ?? [];
    if (!list.includes(line)) list.push(line);
    bySource.set(e.log.path, list);
  }
  return {
    entries,
    recent: recentEntries.length,
    old: entries.length - recentEntries.length,
    firstMs: firsts.length > 0 ? Math.min(...firsts) : null,
    evidence: [...bySource.entries()].map(([source, lines]) => excerpt(source, lines.slice(0, 4))),
  };
}
