import { safeText } from './safe-text.js';
import type { Category } from '../types.js';
import { incidentCauses } from './shared-causes.js';
import type { AlertLine, AlertView, HostLine, HostLineKind, HostStatusView, IncidentReport, IncidentView } from './types.js';

// The neutral view of an incident's parent message: which alerts, which hosts, what each host's
// diagnosis says so far. Alert labels and annotations come from outside, so all are redacted.

const redact = (text: string) => safeText(text, 5);
const redactOne = (text: string) => safeText(text, 1);

/** Labels that tell a reader where an alert fires; the rest stay in Alertmanager. */
const KEY_LABELS = ['instance', 'host', 'hostname', 'service', 'job', 'namespace', 'pod', 'severity'];
const MAX_KEY_LABELS = 4;

/** Problems first (what the reader came for), then work in progress, healthy last. */
const KIND_ORDER: HostLineKind[] = ['root_cause', 'unreachable', 'failed', 'running', 'queued', 'healthy'];

/**
 * Redacts a label as `key=value`, so a value is masked when only its key says it is secret
 * (`password`, `token`), then splits it back.
 */
function redactLabel(key: string, value: string): { key: string; value: string } {
  const k = redactOne(key);
  const joined = redactOne(`${k}=${redactOne(value)}`);
  return { key: k, value: joined.slice(k.length + 1) };
}

function alertLine(a: AlertView): AlertLine {
  const keyLabels = KEY_LABELS
    .filter((k) => typeof a.labels[k] === 'string' && a.labels[k] !== '')
    .slice(0, MAX_KEY_LABELS)
    .map((k) => redactLabel(k, a.labels[k]!));
  return {
    name: redact(a.name),
    status: a.status,
    keyLabels,
    summary: a.summary ? redact(a.summary) : null,
    startsAt: a.startsAt,
    endsAt: a.endsAt ?? null,
    generatorUrl: a.generatorUrl ? redact(a.generatorUrl) : null,
  };
}

function hostLine(h: HostStatusView): HostLine {
  const base = { host: redact(h.host), durationMs: h.durationMs ?? null };
  if (h.state === 'queued' || h.state === 'running') return { ...base, kind: h.state, category: null, detail: null };
  if (h.state === 'failed') return { ...base, kind: 'failed', category: null, detail: h.error ? redact(h.error) : null };
  if (h.reachable === false) return { ...base, kind: 'unreachable', category: 'host_unreachable', detail: h.error ? redact(h.error) : null };
  if (h.rootCause) return { ...base, kind: 'root_cause', category: h.rootCause.category, detail: redact(h.rootCause.summary) };
  return { ...base, kind: 'healthy', category: null, detail: null };
}

export function buildIncidentReport(v: IncidentView): IncidentReport {
  const lines = v.hosts.map(hostLine);
  const causes = incidentCauses(v.hosts.map((h, i) => ({
    host: lines[i]!.host, category: lines[i]!.kind === 'root_cause' ? lines[i]!.category : null,
    resources: (h.resources ?? []).map((r) => ({ kind: r.kind, key: r.key, label: redact(r.label) })),
  })));
  // Hosts with a root cause are listed by cause, biggest group first: the shape of the incident.
  const group = (h: HostLine) => (h.kind === 'root_cause' ? causes.groups.findIndex((g) => g.category === h.category) : 0);
  const hosts = [...lines].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || group(a) - group(b));
  const counts = Object.fromEntries(KIND_ORDER.map((k) => [k, 0])) as Record<HostLineKind, number>;
  for (const h of hosts) counts[h.kind] += 1;
  const categories: Category[] = [];
  for (const h of hosts) if (h.kind === 'root_cause' && h.category && !categories.includes(h.category)) categories.push(h.category);
  return {
    id: v.id,
    source: v.source,
    status: v.status,
    title: redact(v.title),
    requestedBy: v.requestedBy ? redact(v.requestedBy) : null,
    createdAt: v.createdAt,
    resolvedAt: v.resolvedAt ?? null,
    alerts: v.alerts.map(alertLine),
    hosts,
    hostNames: lines.map((h) => h.host),
    counts,
    rootCauseCategories: categories,
    unmatchedHosts: (v.unmatchedHosts ?? []).map(redact),
    slackError: v.slackError ? redact(v.slackError) : null,
    causes,
  };
}
