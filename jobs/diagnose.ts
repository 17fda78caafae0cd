import { UnrecoverableError, type Job } from 'bullmq';
import type pg from 'pg';
import type { Inventory } from '../src/config/inventory.js';
import { calibrateFindings } from '../src/core/calibrate-confidence.js';
import { hostResources } from '../src/core/report/resources.js';
import { proposeAction } from '../src/db/action-store.js';
import { loadFeedbackCounts } from '../src/db/feedback-store.js';
import { failDiagnosis, finishDiagnosis, queueUpstreamDiagnoses, startDiagnosis } from '../src/db/diagnosis-store.js';
import { inTransaction } from '../src/db/pool.js';
import type { Logger } from '../src/log/logger.js';
import type { DiagnoseJobData, JobQueues } from '../src/queue/job-queues.js';
import type { RemediationDefinitions } from '../src/remediation/definitions.js';
import { planOffers } from '../src/remediation/offers.js';
import { diagnoseHost, type DiagnoseOptions } from '../src/triage/diagnose-host.js';

export interface DiagnoseDeps {
  pool: pg.Pool;
  queues: JobQueues;
  inventory: Inventory;
  log: Logger;
  timeoutMs: number;
  remediations: RemediationDefinitions;
  offerTtlMs: number;
  /** Counts SSH connect outcomes (metrics); see DiagnoseOptions.onConnect. */
  onConnect?: DiagnoseOptions['onConnect'];
}

/**
 * A check after a remediation looks only at what happened since it ended. The host's clock and
 * its log stamps have whole seconds, so the window starts a second later than that, or it
 * could count the failures that made someone press the button.
 */
const windowSince = (ms: number) => Math.max(1000, ms - 1000) / 60_000;

/**
 * Runs the read-only triage on one host, stores the result and the remediation offers it calls
 * for (in one transaction, so a reply is never posted without its buttons). An unreachable host
 * is a result, not a failure; only our own trouble (Postgres, Redis) throws and is retried.
 */
export function diagnoseProcessor(deps: DiagnoseDeps) {
  return async (job: Job<DiagnoseJobData>): Promise<string> => {
    const { diagnosisId, incidentId } = job.data;
    const log = deps.log.child({ incidentId, diagnosisId, jobId: job.id, host: job.data.host });
    const row = await startDiagnosis(deps.pool, diagnosisId);
    if (!row) return 'already finished';
    const host = deps.inventory.hosts.get(row.host);
    if (!host || host.local) {
      const done = await failDiagnosis(deps.pool, diagnosisId, `"${row.host}" is not in the inventory of this worker`);
      if (done) await deps.queues.addSlackSync(done.incidentId, done.revision);
      throw new UnrecoverableError(`host ${row.host} is not in the inventory`);
    }
    const peers = [...deps.inventory.hosts.values()].filter((h) => !h.local).map((h) => ({ name: h.name, address: h.address }));
    const { result } = await diagnoseHost(host, {
      timeoutMs: deps.timeoutMs,
      peers,
      ...(deps.onConnect ? { onConnect: deps.onConnect } : {}),
      ...(row.trigger === 'after_action' && row.sinceActionMs !== null ? { windowMinutes: windowSince(row.sinceActionMs) } : {}),
    });
    if (row.via) result.via = row.via;
    // The root cause's confidence as this installation's answers have calibrated it, and what
    // stands behind it (database, release, downstream), so the parent can tell a shared cause.
    result.findings = calibrateFindings(result.findings, await loadFeedbackCounts(deps.pool));
    const plan = await planOffers(host, result, deps.remediations);
    result.notes.push(...plan.notes);
    const stored = { ...result, resources: hostResources({ ...result, postgresUrl: host.postgres?.url ?? null }) };
    log.info({ reachable: result.reachable, rootCause: result.rootCause?.category ?? null, durationMs: result.durationMs,
      trigger: row.trigger, offers: plan.offers.map((o) => o.kind) }, 'diagnosis finished');
    // The hosts this one's nginx sends requests to, when the inventory has them: the cause is there.
    const behind = row.trigger === 'after_action' ? [] : result.upstreams
      .filter((u) => u.host !== null && u.host !== row.host && deps.inventory.hosts.get(u.host)?.local === false)
      .map((u) => ({ host: u.host!, viaHost: row.host, viaTarget: u.target }));
    const { done, added } = await inTransaction(deps.pool, async (db) => {
      for (const o of plan.offers) {
        await proposeAction(db, { incidentId: row.incidentId, diagnosisId, host: row.host, kind: o.kind, params: o.params, ttlMs: deps.offerTtlMs });
      }
      const finished = await finishDiagnosis(db, diagnosisId, {
        result: stored, rootCategory: result.rootCause?.category ?? null, reachable: result.reachable, durationMs: result.durationMs,
      });
      return { done: finished, added: finished ? await queueUpstreamDiagnoses(db, row.incidentId, behind) : [] };
    });
    if (added.length > 0) {
      log.info({ hosts: added.map((a) => a.host) }, 'diagnosing the hosts behind this nginx too');
      await deps.queues.addDiagnoses(row.incidentId, added);
    }
    if (done) await deps.queues.addSlackSync(done.incidentId, done.revision + (added.length > 0 ? 1 : 0));
    return result.rootCause?.category ?? (result.reachable ? 'healthy' : 'unreachable');
  };
}
