import type { HostEvidence, Timeline, TimelinePoint } from './host-evidence.js';
import { redact } from './redact.js';

// "When did 5xx start, what was the first new error, when was the last deploy" — the three
// times TRIAGE.md says to put side by side. "New" means first seen inside the window.

type Candidate = TimelinePoint;

function earliest(points: Array<Candidate | null>): Candidate | null {
  let best: Candidate | null = null;
  for (const p of points) if (p && (!best || p.timeMs < best.timeMs)) best = p;
  return best;
}

export function first5xx(ev: Pick<HostEvidence, 'accessLogs'>, windowStartMs: number): Candidate | null {
  return earliest(ev.accessLogs.map((log) => {
    const e = log.errors.find((x) => x.timeMs !== null && x.timeMs >= windowStartMs);
    if (!e || e.timeMs === null) return null;
    return { timeMs: e.timeMs, line: e.sample >= 0 ? (log.lines[e.sample] ?? null) : null, source: log.path };
  }));
}

export function firstNewError(ev: HostEvidence, windowStartMs: number): Candidate | null {
  const isNew = (first: number | null) => first !== null && first >= windowStartMs;
  const app = ev.app;
  const fromApp = [
    ...(app?.groups ?? []).filter((g) => isNew(g.firstMs)).map((g) => ({
      timeMs: g.firstMs!, line: g.excerpt.find((l) => l.includes(g.headline)) ?? g.excerpt[0] ?? null, source: g.source,
    })),
    ...(app?.signatures ?? []).filter((s) => isNew(s.firstMs)).map((s) => ({ timeMs: s.firstMs!, line: s.firstLine, source: s.source })),
  ];
  const fromNginx = ev.errorLogs.flatMap((log) => {
    const firstByKind = new Map<string, (typeof log.entries)[number]>();
    for (const e of log.entries) {
      const key = e.signature ?? e.level;
      if (!firstByKind.has(key)) firstByKind.set(key, e);
    }
    return [...firstByKind.values()]
      .filter((e) => isNew(e.timeMs))
      .map((e) => ({ timeMs: e.timeMs!, line: e.sample >= 0 ? (log.lines[e.sample] ?? null) : null, source: log.path }));
  });
  const fromKernel = [...(ev.kernel?.oomKills ?? []), ...(ev.kernel?.crashes ?? [])]
    .filter((k) => isNew(k.timeMs))
    .map((k) => ({ timeMs: k.timeMs!, line: k.sample >= 0 ? (ev.kernel!.lines[k.sample] ?? null) : null, source: 'kernel_log' }));
  return earliest([...fromApp, ...fromNginx, ...fromKernel]);
}

export function lastDeploy(ev: Pick<HostEvidence, 'releases'>): Timeline['lastDeploy'] {
  const r = ev.releases;
  if (!r) return null;
  const current = r.releases.find((x) => x.path === r.current);
  const timeMs = r.linkMtimeMs ?? current?.mtimeMs ?? null;
  if (timeMs === null) return null;
  return { timeMs, line: r.current ? `current ${r.current}` : null, source: 'releases', release: r.current };
}

export function computeTimeline(ev: HostEvidence, windowStartMs: number): Timeline {
  const clean = <T extends Candidate | null>(p: T): T => (p && p.line ? { ...p, line: redact(p.line) } : p);
  return {
    windowStartMs,
    first5xx: clean(first5xx(ev, windowStartMs)),
    firstNewError: clean(firstNewError(ev, windowStartMs)),
    lastDeploy: lastDeploy(ev),
  };
}
