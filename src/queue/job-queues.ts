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
const DIAGNOSE_OPTS: JobsOptions = { ...KEEP, attempts: 8, backoff: { type: 'exponential', delay: 2000 } };
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

  constructor(connection: RedisConnection, prefix: string, private readonly timeoutMs = 3000) {
    this.diagnose = new Queue<DiagnoseJobData>(QUEUE_NAMES.diagnose, { connection, prefix, defaultJobOptions: DIAGNOSE_OPTS });
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
