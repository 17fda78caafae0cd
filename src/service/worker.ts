import { Worker, type Job } from 'bullmq';
import { diagnoseProcessor } from '../../jobs/diagnose.js';
import { afterFinish, HEARTBEAT_MS, remediateProcessor } from '../../jobs/remediate.js';
import { slackSyncProcessor } from '../../jobs/slack-sync.js';
import { sweepAbandoned } from '../db/action-store.js';
import { listUnsynced } from '../db/sync-store.js';
import { sweepStuckDiagnoses } from './diagnosis-sweeper.js';
import { loadRemediations } from '../remediation/definitions.js';
import { QUEUE_NAMES } from '../queue/job-queues.js';
import { createRedis } from '../queue/redis.js';
import { configureFleetLimits } from '../triage/fleet-limits.js';
import { SlackClient } from '../slack/slack-client.js';
import type { ServiceContext } from './service-context.js';

export interface WorkerHandle { stop(): Promise<void> }

export const DIAGNOSE_LOCK_MS = 8000;
export const DIAGNOSE_STALLED_CHECK_MS = 3000;
/** Worker deaths mid-action are noticed within ~4 heartbeats; claims no worker took, after a minute. */
const ACTION_SWEEP_EVERY_MS = 5000;

/**
 * Runs the diagnose and Slack-publishing queues. Any number of workers may run on any
 * machines; job ids and leases in Postgres keep each post single.
 */
export async function startWorker(ctx: ServiceContext, opts: { sweepEveryMs?: number; heartbeatMs?: number } = {}): Promise<WorkerHandle> {
  const { config, log, metrics } = ctx;
  const slack = new SlackClient({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, log,
    onCall: (method, outcome) => metrics.slackCalls.inc({ method, outcome }) });
  const connection = createRedis(config.redis, 'worker');
  const track = <T>(queue: string, fn: (job: Job<T>) => Promise<string>) => async (job: Job<T>) => {
    const end = metrics.jobDuration.startTimer({ queue });
    try {
      return await fn(job);
    } finally {
      end();
    }
  };
  const remediations = loadRemediations();
  // Concurrent jobs share one budget of handshakes and channels with every other diagnosis in
  // this process; two batch channels per host at least, so more jobs than that would only queue.
  configureFleetLimits({ connecting: config.SSH_MAX_CONNECTING, channels: config.SSH_MAX_CHANNELS });
  const diagnoseConcurrency = Math.max(1, Math.min(config.WORKER_CONCURRENCY, Math.floor(config.SSH_MAX_CHANNELS / 2)));
  const diagnose = new Worker(QUEUE_NAMES.diagnose, track('diagnose', diagnoseProcessor({
    pool: ctx.pool, queues: ctx.queues, inventory: ctx.inventory, log: log.child({ component: 'diagnose' }), timeoutMs: config.DIAGNOSE_TIMEOUT_MS,
    remediations, offerTtlMs: config.ACTION_OFFER_TTL_MS, onConnect: (outcome) => metrics.sshConnects.inc({ outcome }),
  })), { connection, prefix: config.QUEUE_PREFIX, concurrency: diagnoseConcurrency,
    // BullMQ renews the lock every lockDuration/2 (4 s) while a diagnosis runs, however long it
    // takes; a SIGKILLed worker's lock lapses within 8 s and a stalled check (every 3 s) hands
    // the job to another worker: measured ~9-13 s (a 10 s lock + 4 s check measured 16.9 s).
    lockDuration: DIAGNOSE_LOCK_MS, stalledInterval: DIAGNOSE_STALLED_CHECK_MS, maxStalledCount: 2 });
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  // maxStalledCount 0: a remediation whose worker died is failed by the queue, never handed to
  // another worker (and beginExecution would refuse it anyway).
  const remediate = new Worker(QUEUE_NAMES.remediate, track('remediate', remediateProcessor({
    pool: ctx.pool, queues: ctx.queues, inventory: ctx.inventory, log: log.child({ component: 'remediate' }), remediations,
    owner: ctx.instanceId, settleMs: config.ACTION_SETTLE_MS, heartbeatMs,
    onOutcome: (kind, outcome) => metrics.actions.inc({ kind, outcome }),
    onConnect: (outcome) => metrics.sshConnects.inc({ outcome }),
  })), { connection, prefix: config.QUEUE_PREFIX, concurrency: 4, maxStalledCount: 0 });
  const sync = new Worker(QUEUE_NAMES.slackSync, track('slack-sync', slackSyncProcessor({
    pool: ctx.pool, slack, log: log.child({ component: 'slack-sync' }), owner: ctx.instanceId,
  })), { connection, prefix: config.QUEUE_PREFIX, concurrency: 8, lockDuration: 180_000 });
  for (const [name, w] of [['diagnose', diagnose], ['slack-sync', sync], ['remediate', remediate]] as const) {
    w.on('completed', () => metrics.jobs.inc({ queue: name, outcome: 'completed' }));
    w.on('failed', (job, err) => {
      metrics.jobs.inc({ queue: name, outcome: 'failed' });
      const data = job?.data as { incidentId?: number } | undefined;
      log.warn({ err, jobId: job?.id, incidentId: data?.incidentId, queue: name, attemptsMade: job?.attemptsMade }, 'job failed');
    });
    w.on('error', (err) => log.error({ err, queue: name }, 'worker error'));
  }
  // Catch-up: an incident whose Slack messages fell behind (all retries spent during a Slack
  // outage, a job lost with Redis) gets a fresh publish job.
  const stuckAfterMs = config.DIAGNOSIS_STUCK_AFTER_MS;
  let sweeping = false;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    // Diagnoses first: a failed one bumps its incident, which the Slack catch-up then posts.
    sweepStuckDiagnoses({ pool: ctx.pool, queues: ctx.queues, log }, { stuckAfterMs, giveUpAfterMs: config.DIAGNOSIS_GIVE_UP_AFTER_MS })
      .catch((err) => log.warn({ err }, 'sweep for unfinished diagnoses failed'))
      .then(() => listUnsynced(ctx.pool, stuckAfterMs))
      .then((rows) => Promise.all(rows.map((r) => ctx.queues.addSlackSync(r.id, r.revision, `sweep-${Math.floor(Date.now() / stuckAfterMs)}`))))
      .catch((err) => log.warn({ err }, 'sweep for unpublished incidents failed'))
      .finally(() => { sweeping = false; });
  }, opts.sweepEveryMs ?? config.SWEEP_EVERY_MS);
  sweep.unref();
  const actionSweep = setInterval(() => {
    sweepAbandoned(ctx.pool, { heartbeatStaleMs: heartbeatMs * 4, neverStartedMs: 60_000 })
      .then(async (done) => {
        for (const f of done) {
          log.warn({ actionId: f.action.id, state: f.action.state, host: f.action.host }, 'remediation abandoned by its worker');
          metrics.actions.inc({ kind: f.action.kind, outcome: f.action.state });
          await afterFinish({ pool: ctx.pool, queues: ctx.queues, settleMs: config.ACTION_SETTLE_MS }, f);
        }
      })
      .catch((err) => log.warn({ err }, 'sweep for abandoned remediations failed'));
  }, ACTION_SWEEP_EVERY_MS);
  actionSweep.unref();
  log.info({ concurrency: diagnoseConcurrency, sshMaxChannels: config.SSH_MAX_CHANNELS, sshMaxConnecting: config.SSH_MAX_CONNECTING }, 'worker running');
  return {
    async stop() {
      clearInterval(sweep);
      clearInterval(actionSweep);
      // close() waits for running jobs to finish; the caller bounds it with a deadline.
      await Promise.all([diagnose.close(), sync.close(), remediate.close()]);
      connection.disconnect();
    },
  };
}
