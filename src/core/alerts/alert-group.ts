// The sender-neutral shape of one webhook delivery: one alert group, its alerts.

export type AlertStatus = 'firing' | 'resolved';
export type AlertSource = 'alertmanager' | 'grafana';

export interface NormalizedAlert {
  /** The sender's identity for the alert; with startsAt it names one firing episode. */
  fingerprint: string;
  status: AlertStatus;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  generatorUrl: string | null;
}

export interface AlertGroup {
  source: AlertSource;
  /** Stable identity of the group across deliveries, scoped by sender and receiver. */
  groupKey: string;
  status: AlertStatus;
  title: string;
  alerts: NormalizedAlert[];
  truncatedAlerts: number;
}

/** Limits on what one delivery may carry; Alertmanager's own defaults are far below them. */
export const ALERT_LIMITS = { alertsPerPayload: 2000, labelsPerAlert: 64, keyChars: 256, valueChars: 4096 };
