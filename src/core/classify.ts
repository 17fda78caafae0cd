import { DEFAULT_WINDOW_MINUTES, type HostEvidence } from './host-evidence.js';
import { redact } from './redact.js';
import { RULES } from './rules/index.js';
import { rankRootCause } from './rules/rank-root-cause.js';
import { makeWindow } from './rules/window.js';
import { formatTime } from './time.js';
import { computeTimeline } from './timeline.js';
import type { Diagnosis, EvidenceExcerpt, Finding } from './types.js';

// Runs every rule over the evidence, ranks one root cause, and puts the timeline on it. Summaries
// and excerpts are redacted here once more, whatever the rules did.

export interface ClassifyOptions {
  /** Only signals this recent (on the host's clock) may be warning/critical. Default 60; may be
   *  fractional, e.g. to look only at what happened since a remediation. */
  windowMinutes?: number;
}

function timelineExcerpt(ev: HostEvidence, windowStartMs: number): EvidenceExcerpt | null {
  const tl = computeTimeline(ev, windowStartMs);
  const rows = [
    tl.first5xx ? `first 5xx:       ${formatTime(tl.first5xx.timeMs)}  ${tl.first5xx.line ?? ''}` : null,
    tl.firstNewError ? `first new error: ${formatTime(tl.firstNewError.timeMs)}  ${tl.firstNewError.line ?? ''}` : null,
    tl.lastDeploy ? `last deploy:     ${formatTime(tl.lastDeploy.timeMs)}  ${tl.lastDeploy.release ?? ''}` : null,
  ].filter((r): r is string => r !== null);
  return rows.length > 0 ? { source: 'timeline', excerpt: rows.map((r) => r.trimEnd()).join('\n') } : null;
}

function clean(f: Finding): Finding {
  return { ...f, summary: redact(f.summary), evidence: f.evidence.map((e) => ({ source: e.source, excerpt: redact(e.excerpt) })) };
}

export function classify(ev: HostEvidence, opts: ClassifyOptions = {}): Diagnosis {
  const win = makeWindow(ev, opts.windowMinutes ?? DEFAULT_WINDOW_MINUTES);
  const findings = Object.values(RULES).flatMap((rule) => rule(ev, win));
  const { findings: ranked, root } = rankRootCause(ev, findings);
  if (root) {
    const tl = timelineExcerpt(ev, win.startMs);
    if (tl) root.evidence = [...root.evidence, tl];
  }
  const out = ranked.map(clean);
  const rootOut = root ? out[ranked.indexOf(root)]! : null;
  return { findings: out, rootCause: rootOut ? { category: rootOut.category, summary: rootOut.summary } : null };
}
