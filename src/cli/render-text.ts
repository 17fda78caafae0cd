import { createColors } from 'picocolors';
import { sharedCauseText, sparkline, sparklineText, type IncidentCauses } from '../core/report/index.js';
import type { Finding } from '../core/types.js';
import type { HostResult } from '../triage/host-result.js';

type Colors = ReturnType<typeof createColors>;

const ROLE_ORDER = { root_cause: 0, symptom: 1, contributing: 2 } as const;
const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

function severityTag(c: Colors, f: Finding): string {
  const tag = `[${f.severity}]`;
  return f.severity === 'critical' ? c.red(tag) : f.severity === 'warning' ? c.yellow(tag) : c.dim(tag);
}

function excerptLines(c: Colors, f: Finding, indent: string, maxLines: number): string[] {
  const out: string[] = [];
  for (const ev of f.evidence) {
    out.push(`${indent}${c.dim(`from ${ev.source}:`)}`);
    const lines = ev.excerpt.split('\n');
    for (const l of lines.slice(0, maxLines)) out.push(`${indent}  ${c.dim('│')} ${l}`);
    if (lines.length > maxLines) out.push(`${indent}  ${c.dim(`│ … ${lines.length - maxLines} more lines`)}`);
  }
  return out;
}

export function renderHostText(r: HostResult, c: Colors): string {
  const via = r.via ? c.dim(` — behind ${r.via.host}, whose nginx sends requests to ${r.via.target}`) : '';
  const head = `${c.bold(r.host)} ${c.dim(`(${r.address}, ${r.durationMs} ms)`)}${via}`;
  if (!r.reachable) {
    return `${head}\n  ${c.red(c.bold('UNREACHABLE'))} ${c.dim(`host_unreachable/${r.errorReason ?? 'other'}`)}: ${r.error}\n`;
  }
  const lines: string[] = [];
  const sorted = [...r.findings].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const root = sorted.find((f) => f.role === 'root_cause' && f.severity !== 'info');
  if (r.rootCause && root) {
    lines.push(`${head}\n  ${c.red(c.bold('ROOT CAUSE'))} ${c.bold(r.rootCause.category)} ${severityTag(c, root)} ${c.dim(`confidence ${Math.round(root.confidence * 100)}%`)}`);
    lines.push(`  ${r.rootCause.summary}`);
    const curve = sparkline(r.figures?.curve);
    if (curve) lines.push(`  ${c.cyan(sparklineText(curve))}`);
    lines.push(...excerptLines(c, root, '    ', 8));
    if (root.actions.length > 0) lines.push(`    ${c.cyan('suggested actions:')} ${root.actions.join(', ')}`);
  } else {
    lines.push(`${head}\n  ${c.green(c.bold('NO PROBLEM FOUND'))} ${c.dim('no warning or critical signal')}`);
  }
  const rest = sorted.filter((f) => f !== root);
  for (const f of rest) {
    const role = f.role === 'root_cause' ? 'note' : f.role;
    lines.push(`  ${severityTag(c, f)} ${c.bold(f.category)} ${c.dim(`(${role})`)} ${f.summary}`);
    lines.push(...excerptLines(c, f, '      ', 4));
  }
  const troubled = r.commands.filter((x) => x.timedOut || x.truncated || x.error);
  for (const x of troubled) {
    const what = x.timedOut ? 'timed out' : x.error ? x.error : 'output truncated';
    lines.push(`  ${c.dim(`command ${x.id}${x.target ? ` ${x.target}` : ''}: ${what}`)}`);
  }
  for (const n of r.notes) lines.push(`  ${c.dim(`note: ${n}`)}`);
  // Which app logs the findings rest on (and how each was found) is worth seeing on every host.
  const appLogs = r.checks.find((k) => k.area === 'app_logs');
  if (r.rootCause && appLogs) lines.push(`  ${c.dim(`app logs: ${appLogs.detail}`)}`);
  // Coverage matters most when nothing was found; JSON always carries it.
  if (!r.rootCause && r.checks.length > 0) {
    lines.push(`  ${c.dim('checked:')}`);
    for (const k of r.checks) lines.push(`    ${k.checked ? c.green('✓') : c.dim('–')} ${k.area.padEnd(12)} ${c.dim(k.detail)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The incident as a whole: causes several hosts share (with the resource), then hosts by cause. */
function incidentLines(c: Colors, causes: IncidentCauses, hostCount: number): string[] {
  const shared = causes.sharedCauses.map((s) => `${c.bold('shared cause:')} ${sharedCauseText(s, hostCount)} (${s.hosts.join(', ')})`);
  const groups = causes.groups.length > 0
    ? [`${c.bold('by cause:')} ${causes.groups.map((g) => `${g.category}: ${g.hosts.join(', ')}`).join(' · ')}`] : [];
  return [...shared, ...groups];
}

export function renderText(results: HostResult[], useColor: boolean, causes?: IncidentCauses): string {
  const c = createColors(useColor);
  // Hosts with a root cause first: that is what the reader came for.
  const order = (r: HostResult) => (!r.reachable ? 1 : r.rootCause ? 0 : 2);
  const body = [...results].sort((a, b) => order(a) - order(b)).map((r) => renderHostText(r, c)).join('\n');
  const found = results.filter((r) => r.rootCause).length;
  const down = results.filter((r) => !r.reachable).length;
  const quiet = results.length - found - down;
  const summary = `${results.length} host${results.length === 1 ? '' : 's'}: ${found} with a root cause, ${quiet} without a problem, ${down} unreachable`;
  const incident = causes && results.length > 1 ? incidentLines(c, causes, results.length) : [];
  return `${body}\n${[c.bold(summary), ...incident].join('\n')}\n`;
}
