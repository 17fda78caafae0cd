import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { AlertSource } from '../core/alerts/alert-group.js';
import { matchAlertHosts, type HostIndex } from '../core/alerts/match-hosts.js';
import { parseWebhook, PayloadError } from '../core/alerts/parse-webhook.js';
import { recordAlertGroup } from '../db/alert-store.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { JobQueues } from '../queue/job-queues.js';
import { bearerMatches } from './bearer-auth.js';
import { HttpError, readBody, sendJson } from './http-io.js';

export interface WebhookDeps {
  pool: pg.Pool;
  queues: JobQueues;
  hostIndex: HostIndex;
  token: string;
  alertChannel: string;
  log: Logger;
  metrics: Metrics;
  maxHostsPerIncident?: number;
}

/**
 * POST /webhooks/{alertmanager,grafana}: authenticate, parse, record durably, queue, then
 * answer. A 2xx is sent only after Postgres has committed and Redis has the jobs; if either is
 * down the sender gets a 503 and retries, and the retry is deduplicated by the database.
 */
export function webhookRoute(source: AlertSource, deps: WebhookDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    let outcome = 'accepted';
    try {
      if (!bearerMatches(req.headers.authorization, deps.token)) {
        req.resume();
        throw new HttpError(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
      }
      const raw = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new HttpError(400, 'body is not valid JSON');
      }
      const group = parseWebhook(source, body);
      const matches = group.alerts.map((a) => matchAlertHosts(a.labels, deps.hostIndex));
      let recorded;
      try {
        recorded = await recordAlertGroup(deps.pool, group, {
          channel: deps.alertChannel, hostsByAlert: matches.map((m) => m.hosts),
          unmatchedHosts: [...new Set(matches.flatMap((m) => m.unmatched))], maxHostsPerIncident: deps.maxHostsPerIncident ?? 20,
        });
        await deps.queues.addDiagnoses(recorded.incidentId, recorded.queued);
        await deps.queues.addSlackSync(recorded.incidentId, recorded.revision);
      } catch (err) {
        deps.log.error({ err, source, groupKey: group.groupKey }, 'webhook not recorded: answering 503 so the sender retries');
        throw new HttpError(503, 'diagbot cannot record alerts right now (database or queue unavailable); retry later', { 'retry-after': '5' });
      }
      deps.metrics.alerts.inc({ source }, group.alerts.length);
      deps.log.info({ source, incidentId: recorded.incidentId, status: group.status, alerts: group.alerts.length,
        diagnoses: recorded.queued.length, ms: Math.round(performance.now() - started) }, 'webhook recorded');
      sendJson(res, 200, { ok: true, incident: recorded.incidentId, alerts: group.alerts.length, diagnosing: recorded.queued.map((q) => q.host) });
    } catch (err) {
      const status = err instanceof HttpError ? err.status : err instanceof PayloadError ? 400 : 500;
      outcome = String(status);
      if (status === 500) deps.log.error({ err, source }, 'webhook failed');
      const message = err instanceof Error && status !== 500 ? err.message : 'internal error';
      sendJson(res, status, { ok: false, error: message }, err instanceof HttpError ? err.headers : {});
      // Unread request bodies (e.g. a 413) must not keep the connection half-open.
      if (status === 413) res.on('finish', () => req.destroy());
    } finally {
      deps.metrics.webhooks.inc({ source, outcome });
    }
  };
}
