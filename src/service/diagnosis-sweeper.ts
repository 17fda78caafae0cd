import type pg from 'pg';
import { failDiagnosis } from '../db/diagnosis-store.js';
import { listUnfinishedDiagnoses } from '../db/stuck-store.js';
import type { Logger } from '../log/logger.js';
import type { JobQueues } from '../queue/job-queues.js';

export interface DiagnosisSweepOptions {
  /** Unfinished and untouched this long: ask the queue whether a job still carries it. */
  stuckAfterMs: number;
  /** Unfinished this long after being requested: failed, with a reply. */
  giveUpAfterMs: number;
}

export interface SweepOutcome { requeued: number; failed: number }

/**
 * Every accepted diagnosis ends in a reply: one whose job is gone (retries spent during a long
 * Postgres outage, lost with Redis, never queued because the web process died) is put back;
 * one past its budget is failed, and the failure is posted in its thread. Diagnoses are
 * read-only, so running one again is safe; remediations are never swept here.
 */
export async function sweepStuckDiagnoses(deps: { pool: pg.Pool; queues: JobQueues; log: Logger }, opts: DiagnosisSweepOptions): Promise<SweepOutcome> {
  const out: SweepOutcome = { requeued: 0, failed: 0 };
  for (const d of await listUnfinishedDiagnoses(deps.pool, opts.stuckAfterMs)) {
    if (d.ageMs > opts.giveUpAfterMs) {
      const minutes = Math.round(opts.giveUpAfterMs / 60_000);
      const done = await failDiagnosis(deps.pool, d.id,
        `not finished within ${minutes} min of being requested (diagbot's database or queue was unavailable too long); run /diagnose ${d.host} again`);
      if (!done) continue;
      out.failed++;
      deps.log.warn({ diagnosisId: d.id, incidentId: d.incidentId, host: d.host, ageMs: Math.round(d.ageMs) }, 'diagnosis past its budget: failed');
      // If Redis is down too, the sweep for unpublished incidents posts it later.
      await deps.queues.addSlackSync(done.incidentId, done.revision).catch(() => undefined);
      continue;
    }
    // Another worker's sweeper may have just put it back: then this one's retry throws.
    const how = await deps.queues.requeueDiagnosis(d).catch((err: unknown) => {
      deps.log.debug({ err, diagnosisId: d.id }, 'requeueing a diagnosis failed');
      return 'in_flight' as const;
    });
    if (how === 'in_flight') continue;
    out.requeued++;
    deps.log.warn({ diagnosisId: d.id, incidentId: d.incidentId, host: d.host, how, ageMs: Math.round(d.ageMs) }, 'unfinished diagnosis had no job: queued again');
  }
  return out;
}
