import { z } from 'zod';
import { ALERT_LIMITS } from './alert-group.js';

// Shared pieces of the Alertmanager v4 and Grafana webhook bodies.

const stringMap = z.record(z.string().max(ALERT_LIMITS.keyChars), z.string().max(ALERT_LIMITS.valueChars))
  .refine((m) => Object.keys(m).length <= ALERT_LIMITS.labelsPerAlert, `at most ${ALERT_LIMITS.labelsPerAlert} entries`);

/** RFC 3339 time; Alertmanager sends 0001-01-01T00:00:00Z for "not set". */
const time = z.string().max(64).refine((v) => !Number.isNaN(Date.parse(v)), 'must be an RFC 3339 time');

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
