import { Queue, type JobsOptions } from 'bullmq';
import { withTimeout } from '../util/with-timeout.js';
import type { RedisConnection } from './redis.js';

export const QUEUE_NAMES = { diagnose: 'diagbot-diagnose', slackSync: 'diagbot-slack-sync', remediate: 'diagbot-remediate' } as const;

export interface DiagnoseJobData { diagnosisId: number; incidentId: number; host: string }
export interface SlackSyncJobData { incidentId: number; revision: number }
export interface RemediateJobData { actionId: string; incidentId: number }

// Finished jobs are kept for a day so a re-added job id is still recognised as a duplicate.
const KEEP = { removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 7 * 86_400 } };

// Attempts are spent only on our own trouble (an unreachable host is a result), so they must
// outlast a Postgres or Redis restart or failover: 2 s doubling over 8 attempts spans ~4 min.
// (With 3, a 7 s Postgres restart failed the job for good and the diagnosis never finished:
// re-adding its id later is a no-op while the failed job is kept.)
// Past that span (a longer outage) the worker's sweeper puts the job back (requeueDiagnosis).
export const DIAGNOSE_ATTEMPTS = 8;
const diagnoseOpts = (retryBaseMs: number): JobsOptions => ({ ...KEEP, attempts: DIAGNOSE_ATTEMPTS, backoff: { type: 'exponential', delay: retryBaseMs } });
const SYNC_OPTS: JobsOptions = { ...KEEP, attempts: 8, backoff: { type: 'exponential', delay: 1000 } };
// One attempt, ever: a remediation that failed or stalled is reported, never run again by the queue.
const REMEDIATE_OPTS: JobsOptions = { ...KEEP, attempts: 1 };

/** Job ids carry the dedup: one diagnose job per diagnosis row, one sync job per incident revision. */
export const jobIds = {
  diagnose: (diagnosisId: number) => `diagnosis-${diagnosisId}`,
  slackSync: (incidentId: number, revision: number, retry?: string) => `incident-${incidentId}-rev-${revision}${retry ? `-${retry}` : ''}`,
  remediate: (actionId: string) => `action-${actionId}`,
};

export class JobQueues {
  readonly diagnose: Queue<DiagnoseJobData>;
  readonly slackSync: Queue<SlackSyncJobData>;
  readonly remediate: Queue<RemediateJobData>;

  /** `diagnoseRetryBaseMs`: first backoff of a diagnose job (DIAGNOSE_RETRY_BASE_MS), doubling per attempt. */
  constructor(connection: RedisConnection, prefix: string, private readonly timeoutMs = 3000, diagnoseRetryBaseMs = 2000) {
    this.diagnose = new Queue<DiagnoseJobData>(QUEUE_NAMES.diagnose, { connection, prefix, defaultJobOptions: diagnoseOpts(diagnoseRetryBaseMs) });
    this.slackSync = new Queue<SlackSyncJobData>(QUEUE_NAMES.slackSync, { connection, prefix, defaultJobOptions: SYNC_OPTS });
    this.remediate = new Queue<RemediateJobData>(QUEUE_NAMES.remediate, { connection, prefix, defaultJobOptions: REMEDIATE_OPTS });
    // Queue 'error' events mirror failed calls, which callers already handle.
    this.diagnose.on('error', () => undefined);
    this.slackSync.on('error', () => undefined);
    this.remediate.on('error', () => undefined);
  }

  /** `delayMs`: e.g. the settle time before the check that follows a remediation. */
  async addDiagnoses(incidentId: number, queued: { id: number; host: string }[], delayMs = 0): Promise<void> {
    if (queued.length === 0) return;
    await withTimeout(this.diagnose.addBulk(queued.map((q) => ({
      name: 'diagnose', data: { diagnosisId: q.id, incidentId, host: q.host },
      opts: { jobId: jobIds.diagnose(q.id), ...(delayMs > 0 ? { delay: delayMs } : {}) },
    }))), this.timeoutMs, 'queueing diagnoses');
  }

  /**
   * For the sweeper: puts an unfinished diagnosis back in the queue under its own job id, unless
   * a job still carries it (waiting, delayed, active). A failed job (retries spent in an outage)
   * is retried with fresh attempts; a missing one (never queued, or lost with Redis) is added.
   */
  async requeueDiagnosis(d: { id: number; incidentId: number; host: string }): Promise<'in_flight' | 'retried' | 'added'> {
    return withTimeout((async () => {
      const job = await this.diagnose.getJob(jobIds.diagnose(d.id));
      const state = job ? await job.getState() : 'unknown';
      if (job && state === 'failed') {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return 'retried' as const;
      }
      if (job && state !== 'completed' && state !== 'unknown') return 'in_flight' as const;
      if (job) await job.remove();
      await this.addDiagnoses(d.incidentId, [{ id: d.id, host: d.host }]);
      return 'added' as const;
    })(), this.timeoutMs, 'requeueing a diagnosis');
  }

  async addRemediation(actionId: string, incidentId: number): Promise<void> {
    await withTimeout(this.remediate.add('remediate', { actionId, incidentId }, { jobId: jobIds.remediate(actionId) }),
      this.timeoutMs, 'queueing remediation');
  }

  /** `retry` names a catch-up attempt: a spent job with the plain id would swallow it as a duplicate. */
  async addSlackSync(incidentId: number, revision: number, retry?: string): Promise<void> {
    await withTimeout(this.slackSync.add('sync', { incidentId, revision },
      { jobId: jobIds.slackSync(incidentId, revision, retry) }), this.timeoutMs, 'queueing Slack update');
  }

  /** Jobs per queue and state, for diagbot_queue_jobs (labels as in diagbot_job_duration_seconds). */
  async jobCounts(): Promise<Record<string, Record<string, number>>> {
    const queues = [['diagnose', this.diagnose], ['slack-sync', this.slackSync], ['remediate', this.remediate]] as const;
    const counts = await Promise.all(queues.map(([, q]) => q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')));
    return Object.fromEntries(queues.map(([name], i) => [name, counts[i]!]));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.diagnose.close(), this.slackSync.close(), this.remediate.close()]);
  }
}
