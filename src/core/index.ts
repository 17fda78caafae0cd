// Public API of diagbot's pure core: strings in, data out. No I/O anywhere under src/core.
import { buildEvidence } from './build-evidence.js';
import { classify, type ClassifyOptions } from './classify.js';
import { summarizeChecks } from './checks.js';
import { hostFigures } from './figures.js';
import { DEFAULT_WINDOW_MINUTES } from './host-evidence.js';
import { makeWindow } from './rules/window.js';
import type { Diagnosis, RawHostOutputs } from './types.js';

export { buildEvidence } from './build-evidence.js';
export { classify, type ClassifyOptions } from './classify.js';
export { planLogTargets, type LogTargetPlan } from './plan-log-targets.js';
export { redact } from './redact.js';
export type { HostEvidence, Timeline, TimelinePoint } from './host-evidence.js';
export * from './types.js';

export function diagnoseOutputs(raw: RawHostOutputs, opts?: ClassifyOptions): Diagnosis {
  const ev = buildEvidence(raw);
  const minutes = opts?.windowMinutes ?? DEFAULT_WINDOW_MINUTES;
  return { ...classify(ev, opts), checks: summarizeChecks(ev, minutes), figures: hostFigures(ev, makeWindow(ev, minutes)),
    // Command failures are reported per command already (HostResult.commands).
    notes: ev.notes.filter((n) => !ev.commands.some((c) => c.note === n)),
    upstreams: ev.appSources.remote.map((r) => ({ target: r.target, host: r.peer })),
    appLogs: [...ev.appSources.files.map((f) => ({ source: f.target, how: f.how })), ...ev.appSources.journals.map((j) => ({ source: `journal:${j.target}`, how: j.how }))] };
}
