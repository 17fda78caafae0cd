import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { AlertGroup, AlertSource, NormalizedAlert } from './alert-group.js';
import { redact } from '../redact.js';
import { groupFields, type RawAlert } from './payload-schema.js';

const alertmanagerSchema = z.object({ ...groupFields, version: z.literal('4') });
// Grafana's unified alerting webhook: Alertmanager's shape plus title/state/message; version "1".
const grafanaSchema = z.object({
  ...groupFields, version: z.string().max(16).optional(), title: z.string().max(2048).optional(),
  orgId: z.number().optional(), state: z.string().max(64).optional(), message: z.string().max(65_536).optional(),
});

export class PayloadError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid webhook payload: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
    this.name = 'PayloadError';
  }
}

const ZERO_TIME = /^0001-01-01/;

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Same labels give the same fingerprint, as Alertmanager computes it from the label set. */
function labelFingerprint(labels: Record<string, string>): string {
  return hash(JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/**
 * Text Postgres can store: NUL and unpaired UTF-16 surrogates are valid in JSON but not in a
 * text or jsonb column (the insert would fail on every retry), so they become U+FFFD.
 */
export function storableText(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching NUL is the point
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g, '\uFFFD');
}

function storableMap(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [storableText(k), storableText(v)]));
}

function normalizeAlert(a: RawAlert): NormalizedAlert {
  const endsAt = a.endsAt && !ZERO_TIME.test(a.endsAt) ? new Date(a.endsAt).toISOString() : null;
  const labels = storableMap(a.labels);
  return {
    fingerprint: a.fingerprint && /^[A-Za-z0-9_-]{1,128}$/.test(a.fingerprint) ? a.fingerprint : labelFingerprint(a.labels),
    status: a.status,
    name: labels.alertname ?? labels.__alert_rule_title__ ?? 'alert',
    labels,
    // Free text people type into alert rules (a runbook URL with a token, a pasted header) is
    // stored and shown redacted; labels stay exact because hosts are matched on them.
    annotations: Object.fromEntries(Object.entries(storableMap(a.annotations)).map(([k, v]) => [k, redact(v)])),
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt,
    generatorUrl: a.generatorURL ? redact(storableText(a.generatorURL)) : null,
  };
}

function describe(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`);
}

/** Validates and normalises one webhook body; throws PayloadError listing what is wrong. */
export function parseWebhook(source: AlertSource, body: unknown): AlertGroup {
  const parsed = source === 'alertmanager' ? alertmanagerSchema.safeParse(body) : grafanaSchema.safeParse(body);
  if (!parsed.success) throw new PayloadError(describe(parsed.error.issues));
  const p = parsed.data;
  const alerts = p.alerts.map(normalizeAlert);
  const groupIdentity = p.groupKey ?? JSON.stringify(Object.entries(p.groupLabels).sort());
  const firstName = alerts[0]!.name;
  const title = ('title' in p && typeof p.title === 'string' && p.title.trim()) ||
    (p.commonLabels.alertname ?? (alerts.every((a) => a.name === firstName) ? firstName : `${alerts.length} alerts`));
  return {
    source,
    // The key is hashed so a 8 KiB groupKey does not become an 8 KiB index entry.
    groupKey: `${source}:${hash(`${p.receiver}\n${groupIdentity}`)}`,
    status: p.status,
    title: redact(storableText(title.slice(0, 200))),
    alerts,
    truncatedAlerts: p.truncatedAlerts,
  };
}
