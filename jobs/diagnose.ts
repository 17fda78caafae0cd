import { UnrecoverableError, type Job } from 'bullmq';
import type pg from 'pg';
import type { Inventory } from '../src/config/inventory.js';
import { failDiagnosis, finishDiagnosis, startDiagnosis } from '../src/db/diagnosis-store.js';
import type { Logger } from '../src/log/logger.js';
import type { DiagnoseJobData, JobQueues } from '../src/queue/job-queues.js';
import { diagnoseHost } from '../src/triage/diagnose-host.js';

export interface DiagnoseDeps {
  pool: pg.Pool;
  queues: JobQueues;
  inventory: Inventory;
  log: Logger;
  timeoutMs: number;
}

/**
 * Runs the read-only triage on one host and stores the result. An unreachable host is a
 * result, not a failure; only our own trouble (Postgres, Redis) throws and is retried.
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
    const { result } = await diagnoseHost(host, { timeoutMs: deps.timeoutMs });
    log.info({ reachable: result.reachable, rootCause: result.rootCause?.category ?? null, durationMs: result.durationMs }, 'diagnosis finished');
    const done = await finishDiagnosis(deps.pool, diagnosisId, {
      result, rootCategory: result.rootCause?.category ?? null, reachable: result.reachable, durationMs: result.durationMs,
    });
    if (done) await deps.queues.addSlackSync(done.incidentId, done.revision);
    return result.rootCause?.category ?? (result.reachable ? 'healthy' : 'unreachable');
  };
}
