import { accuracyNote } from '../calibrate-confidence.js';
import type { Finding, Severity } from '../types.js';
import { CATEGORY_TITLES } from './category-titles.js';
import { safeLines, safeText } from './safe-text.js';
import { sparkline } from './sparkline.js';
import { suggestActions } from './suggested-actions.js';
import type { CommandProblem, CommandReportInput, HostOutcome, HostReport, HostReportInput, ReportEvidence, ReportFinding } from './types.js';

// Turns one host's result into the neutral report every renderer shares. Everything that can
// carry text from a host (log lines, summaries, errors, notes) is redacted here, once, before any
// renderer clips it: a secret cut in half would no longer match the patterns (safe-text.ts
// bounds sizes without cutting tokens). The JSON result keeps everything; this keeps what a
// person can read.

/** Findings beyond these are counted, not carried: no message shows more. */
const MAX_FINDINGS = 25;
const MAX_EXCERPT_LINES = 50;

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Drops an excerpt that another excerpt of the same source already contains. */
function dedupeEvidence(evidence: ReportEvidence[]): ReportEvidence[] {
  return evidence.filter((e, i) => !evidence.some((o, j) => j !== i && o.source === e.source
    && o.excerpt.includes(e.excerpt) && (o.excerpt !== e.excerpt || j < i)));
}

function reportFinding(f: Finding): ReportFinding {
  return {
    category: f.category,
    severity: f.severity,
    role: f.role,
    confidence: f.confidence,
    summary: safeText(f.summary),
    evidence: dedupeEvidence(f.evidence.map((e) => {
      const { text, totalLines } = safeLines(e.excerpt, MAX_EXCERPT_LINES);
      return { source: safeText(e.source, 1), excerpt: text, totalLines };
    })),
    actions: [...f.actions],
    calibration: f.calibration ? { ...f.calibration } : null,
    accuracyNote: accuracyNote(f.calibration),
  };
}

function commandProblem(c: CommandReportInput): CommandProblem | null {
  const kinds: CommandProblem['kinds'] = [];
  const details: string[] = [];
  if (c.timedOut) {
    kinds.push('timed_out');
    details.push(c.error ?? `timed out after ${c.durationMs} ms`);
  } else if (c.error) {
    kinds.push('failed');
    details.push(c.error);
  }
  if (c.truncated) {
    kinds.push('truncated');
    details.push('output cut at the size cap, older lines were not read');
  }
  if (kinds.length === 0) return null;
  return { id: c.id, target: c.target !== undefined ? safeText(c.target, 1) : null, kinds, detail: safeText(details.join('; ')) };
}

function outcomeOf(r: HostReportInput): HostOutcome {
  if (!r.reachable) return 'unreachable';
  return r.rootCause ? 'root_cause' : 'healthy';
}

/** The finding behind the root cause; synthesised when a caller passed a bare rootCause. */
function pickRoot(r: HostReportInput): { root: ReportFinding | null; source: Finding | null } {
  if (!r.rootCause) return { root: null, source: null };
  const cat = r.rootCause.category;
  const source = r.findings.find((f) => f.role === 'root_cause' && f.category === cat)
    ?? r.findings.find((f) => f.category === cat) ?? null;
  const root: ReportFinding = source
    ? { ...reportFinding(source), role: 'root_cause', summary: safeText(r.rootCause.summary) }
    : { category: cat, severity: 'critical', role: 'root_cause', confidence: null, summary: safeText(r.rootCause.summary), evidence: [], actions: [],
      calibration: null, accuracyNote: null };
  return { root, source };
}

function headline(host: string, outcome: HostOutcome, r: HostReportInput, reason: string | null): string {
  if (outcome === 'unreachable') return `${host}: could not be diagnosed, host unreachable${reason ? ` (${reason})` : ''}.`;
  if (outcome === 'healthy') return `${host}: no cause for 500s found.`;
  const cat = r.rootCause!.category;
  return `${host}: ${CATEGORY_TITLES[cat]} (${cat}).`;
}

export function buildHostReport(r: HostReportInput): HostReport {
  const outcome = outcomeOf(r);
  const host = safeText(r.host, 1);
  const reason = r.reachable ? null : (r.errorReason ?? null);
  const { root, source } = pickRoot(r);
  const rest = r.findings
    .filter((f) => f !== source)
    // The unreachable finding only repeats the error the headline already gives.
    .filter((f) => !(outcome === 'unreachable' && f.category === 'host_unreachable'))
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const kept = rest.slice(0, MAX_FINDINGS).map(reportFinding);
  return {
    host,
    address: r.address !== undefined ? safeText(r.address, 1) : null,
    outcome,
    headline: headline(host, outcome, r, reason),
    title: outcome === 'root_cause' ? CATEGORY_TITLES[root!.category]
      : outcome === 'unreachable' ? CATEGORY_TITLES.host_unreachable : 'No cause for 500s found',
    durationMs: r.durationMs,
    startedAt: r.startedAt ?? null,
    error: r.error !== null ? safeText(r.error) : null,
    unreachableReason: reason,
    rootCause: root,
    symptoms: kept.filter((f) => f.role === 'symptom'),
    contributing: kept.filter((f) => f.role === 'contributing'),
    other: kept.filter((f) => f.role === 'root_cause'),
    omittedFindings: rest.length - kept.length,
    checks: (r.checks ?? []).map((c) => ({ area: safeText(c.area, 1), checked: c.checked, detail: safeText(c.detail) })),
    commandProblems: r.commands.map(commandProblem).filter((p): p is CommandProblem => p !== null),
    notes: (r.notes ?? []).map((n) => safeText(n)),
    via: r.via ? { host: safeText(r.via.host), target: safeText(r.via.target) } : null,
    suggestedActions: suggestActions(outcome, root, reason),
    // The curve explains a cause; a healthy or unreachable host has none to explain.
    curve: outcome === 'root_cause' ? sparkline(r.figures?.curve) : null,
  };
}
