import { Queue, type JobsOptions } from 'bullmq';
import { withTimeout } from '../util/with-timeout.js';
import type { Redis } from './redis.js';

export const QUEUE_NAMES = { diagnose: 'diagbot-diagnose', slackSync: 'diagbot-slack-sync' } as const;

export interface DiagnoseJobData { diagnosisId: number; incidentId: number; host: string }
export interface SlackSyncJobData { incidentId: number; revision: number }

// Finished jobs are kept for a day so a re-added job id is still recognised as a duplicate.
const KEEP = { removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 7 * 86_400 } };

const DIAGNOSE_OPTS: JobsOptions = { ...KEEP, attempts: 3, backoff: { type: 'exponential', delay: 2000 } };
const SYNC_OPTS: JobsOptions = { ...KEEP, attempts: 8, backoff: { type: 'exponential', delay: 1000 } };

/** Job ids carry the dedup: one diagnose job per diagnosis row, one sync job per incident revision. */
export const jobIds = {
  diagnose: (diagnosisId: number) => `diagnosis-${diagnosisId}`,
  slackSync: (incidentId: number, revision: number, retry?: string) => `incident-${incidentId}-rev-${revision}${retry ? `-${retry}` : ''}`,
};

export class JobQueues {
  readonly diagnose: Queue<DiagnoseJobData>;
  readonly slackSync: Queue<SlackSyncJobData>;

  constructor(connection: Redis, prefix: string, private readonly timeoutMs = 3000) {
    this.diagnose = new Queue<DiagnoseJobData>(QUEUE_NAMES.diagnose, { connection, prefix, defaultJobOptions: DIAGNOSE_OPTS });
    this.slackSync = new Queue<SlackSyncJobData>(QUEUE_NAMES.slackSync, { connection, prefix, defaultJobOptions: SYNC_OPTS });
    // Queue 'error' events mirror failed calls, which callers already handle.
    this.diagnose.on('error', () => undefined);
    this.slackSync.on('error', () => undefined);
  }

  async addDiagnoses(incidentId: number, queued: { id: number; host: string }[]): Promise<void> {
    if (queued.length === 0) return;
    await withTimeout(this.diagnose.addBulk(queued.map((q) => ({
      name: 'diagnose', data: { diagnosisId: q.id, incidentId, host: q.host }, opts: { jobId: jobIds.diagnose(q.id) },
    }))), this.timeoutMs, 'queueing diagnoses');
  }

  /** `retry` names a catch-up attempt: a spent job with the plain id would swallow it as a duplicate. */
  async addSlackSync(incidentId: number, revision: number, retry?: string): Promise<void> {
    await withTimeout(this.slackSync.add('sync', { incidentId, revision },
      { jobId: jobIds.slackSync(incidentId, revision, retry) }), this.timeoutMs, 'queueing Slack update');
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.diagnose.close(), this.slackSync.close()]);
  }
}
