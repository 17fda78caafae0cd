import * as z from 'zod';
import { ALERT_LIMITS } from './alert-group.js';

// Shared pieces of the Alertmanager v4 and Grafana webhook bodies.

const stringMap = z.record(z.string().max(ALERT_LIMITS.keyChars), z.string().max(ALERT_LIMITS.valueChars))
  .refine((m) => Object.keys(m).length <= ALERT_LIMITS.labelsPerAlert, `at most ${ALERT_LIMITS.labelsPerAlert} entries`);

/** RFC 3339 time; Alertmanager sends 0001-01-01T00:00:00Z for "not set". */
const FIRST_MS = Date.parse('0001-01-01T00:00:00Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');
// Years outside 1..9999 parse in JavaScript but not in Postgres: refuse them here (400), not there (503 forever).
const time = z.string().max(64).refine((v) => {
  const t = Date.parse(v);
  return !Number.isNaN(t) && t >= FIRST_MS && t <= LAST_MS;
}, 'must be an RFC 3339 time between years 1 and 9999');

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap.default({}),
  startsAt: time,
  endsAt: time.optional().nullable(),
  generatorURL: z.string().max(4096).optional().nullable(),
  fingerprint: z.string().max(128).optional(),
});

export const groupFields = {
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(512).default(''),
  groupKey: z.string().max(8192).optional(),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().max(4096).optional(),
  truncatedAlerts: z.number().int().min(0).default(0),
  alerts: z.array(alertSchema).min(1).max(ALERT_LIMITS.alertsPerPayload),
};

export type RawAlert = z.infer<typeof alertSchema>;
