// Webhook bodies shaped exactly as Alertmanager 0.25 (captured, see test/fixtures/alerts) and Grafana
// unified alerting (from its docs) send them, for tests that don't start a real sender.

export type Labels = Record<string, string>;
export type AlertStatus = 'firing' | 'resolved';

/** Go's zero time: what both senders put in endsAt while an alert is still firing. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** prometheus/common LabelSet.Fingerprint(): FNV-1a 64 over sorted name 0xff value 0xff, as 16 hex chars. */
export function labelsFingerprint(labels: Labels): string {
  let h = FNV_OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK64;
  };
  const sep = Uint8Array.of(0xff);
  for (const name of Object.keys(labels).sort()) {
    add(Buffer.from(name, 'utf8'));
    add(sep);
    add(Buffer.from(labels[name]!, 'utf8'));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}

/** Go LabelSet.String(), the form group keys are built from: {a="1", b="2"}. */
export function labelSetString(labels: Labels): string {
  return `{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}`;
}

function common(maps: Labels[]): Labels {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

function pick(labels: Labels, names: string[]): Labels {
  return Object.fromEntries(names.filter((n) => n in labels).map((n) => [n, labels[n]!]));
}

export interface WebhookAlertInput {
  labels: Labels;
  status?: AlertStatus;
  annotations?: Labels;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

export interface AlertmanagerWebhookAlert {
  status: AlertStatus;
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface AlertmanagerWebhook {
  receiver: string;
  status: AlertStatus;
  alerts: AlertmanagerWebhookAlert[];
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

export interface PayloadInput<A> {
  alerts: A[];
  status?: AlertStatus;
  receiver?: string;
  /** Route group_by; used for groupLabels and groupKey unless those are given. */
  groupBy?: string[];
  groupLabels?: Labels;
  commonLabels?: Labels;
  commonAnnotations?: Labels;
  externalURL?: string;
  groupKey?: string;
  truncatedAlerts?: number;
}

function buildAlert(a: WebhookAlertInput, fallback: AlertStatus): AlertmanagerWebhookAlert {
  const status = a.status ?? fallback;
  const now = new Date().toISOString();
  return {
    status,
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt: a.startsAt ?? now,
    endsAt: a.endsAt ?? (status === 'resolved' ? now : ZERO_TIME),
    generatorURL: a.generatorURL ?? '',
    fingerprint: a.fingerprint ?? labelsFingerprint(a.labels),
  };
}

function envelope<A extends { status: AlertStatus; labels: Labels; annotations: Labels }>(alerts: A[], p: PayloadInput<unknown>) {
  const commonLabels = p.commonLabels ?? common(alerts.map((a) => a.labels));
  const groupLabels = p.groupLabels ?? pick(commonLabels, p.groupBy ?? ['alertname']);
  return {
    status: p.status ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved') as AlertStatus,
    groupLabels,
    commonLabels,
    commonAnnotations: p.commonAnnotations ?? common(alerts.map((a) => a.annotations)),
    // Alertmanager keys a group by its route's matchers ({} for the root route) and the group labels.
    groupKey: p.groupKey ?? `{}:${labelSetString(groupLabels)}`,
    truncatedAlerts: p.truncatedAlerts ?? 0,
  };
}

export function alertmanagerPayload(p: PayloadInput<WebhookAlertInput>): AlertmanagerWebhook {
  const alerts = p.alerts.map((a) => buildAlert(a, p.status ?? 'firing'));
  const env = envelope(alerts, p);
  return {
    receiver: p.receiver ?? 'webhook',
    status: env.status,
    alerts,
    groupLabels: env.groupLabels,
    commonLabels: env.commonLabels,
    commonAnnotations: env.commonAnnotations,
    externalURL: p.externalURL ?? 'http://127.0.0.1:9093',
    version: '4',
    groupKey: env.groupKey,
    truncatedAlerts: env.truncatedAlerts,
  };
}

export interface GrafanaAlertInput extends WebhookAlertInput {
  silenceURL?: string;
  dashboardURL?: string;
  panelURL?: string;
  values?: Record<string, number>;
  valueString?: string;
  imageURL?: string;
}

export interface GrafanaWebhookAlert extends AlertmanagerWebhookAlert {
  silenceURL: string;
  dashboardURL: string;
  panelURL: string;
  values: Record<string, number>;
  valueString: string;
  imageURL?: string;
}

export interface GrafanaWebhook extends Omit<AlertmanagerWebhook, 'alerts' | 'version'> {
  orgId: number;
  alerts: GrafanaWebhookAlert[];
  version: '1';
  /** title, state and message are marked "will be deprecated" in Grafana's docs but still sent. */
  title: string;
  state: 'alerting' | 'ok';
  message: string;
}

export interface GrafanaPayloadInput extends PayloadInput<GrafanaAlertInput> {
  orgId?: number;
  title?: string;
  state?: 'alerting' | 'ok';
  message?: string;
}

function grafanaTitle(status: AlertStatus, firing: number, groupLabels: Labels, commonLabels: Labels): string {
  const head = status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  const extra = Object.keys(commonLabels).filter((k) => !(k in groupLabels)).sort().map((k) => commonLabels[k]);
  const groupValues = Object.keys(groupLabels).sort().map((k) => groupLabels[k]).join(' ');
  return `${head} ${groupValues} ${extra.length ? `(${extra.join(' ')})` : ''}`.trimEnd();
}

function grafanaMessage(alerts: GrafanaWebhookAlert[]): string {
  const block = (a: GrafanaWebhookAlert) => [
    `Value: ${Object.entries(a.values).map(([k, v]) => `${k}=${v}`).join(', ') || '[no value]'}`,
    'Labels:', ...Object.entries(a.labels).map(([k, v]) => ` - ${k} = ${v}`),
    'Annotations:', ...Object.entries(a.annotations).map(([k, v]) => ` - ${k} = ${v}`),
    `Source: ${a.generatorURL}`, `Silence: ${a.silenceURL}`,
  ].join('\n');
  const section = (title: string, list: GrafanaWebhookAlert[]) => (list.length ? `**${title}**\n\n${list.map(block).join('\n\n')}\n` : '');
  return section('Firing', alerts.filter((a) => a.status === 'firing')) + section('Resolved', alerts.filter((a) => a.status === 'resolved'));
}

export function grafanaPayload(p: GrafanaPayloadInput): GrafanaWebhook {
  const externalURL = p.externalURL ?? 'http://127.0.0.1:3000/';
  const alerts = p.alerts.map((a): GrafanaWebhookAlert => {
    const base = buildAlert(a, p.status ?? 'firing');
    const values = a.values ?? {};
    const matchers = encodeURIComponent(Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(','));
    return {
      ...base,
      generatorURL: a.generatorURL ?? `${externalURL}alerting/grafana/${base.fingerprint}/view`,
      silenceURL: a.silenceURL ?? `${externalURL}alerting/silence/new?alertmanager=grafana&matchers=${matchers}`,
      dashboardURL: a.dashboardURL ?? '',
      panelURL: a.panelURL ?? '',
      values,
      valueString: a.valueString ?? Object.entries(values).map(([k, v]) => `[ var='${k}' labels={} value=${v} ]`).join(', '),
      ...(a.imageURL !== undefined ? { imageURL: a.imageURL } : {}),
    };
  });
  const env = envelope(alerts, p);
  return {
    receiver: p.receiver ?? 'webhook',
    status: env.status,
    orgId: p.orgId ?? 1,
    alerts,
    groupLabels: env.groupLabels,
    commonLabels: env.commonLabels,
    commonAnnotations: env.commonAnnotations,
    externalURL,
    version: '1',
    groupKey: env.groupKey,
    truncatedAlerts: env.truncatedAlerts,
    title: p.title ?? grafanaTitle(env.status, alerts.filter((a) => a.status === 'firing').length, env.groupLabels, env.commonLabels),
    state: p.state ?? (env.status === 'firing' ? 'alerting' : 'ok'),
    message: p.message ?? grafanaMessage(alerts),
  };
}
