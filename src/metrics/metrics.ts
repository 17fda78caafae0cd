import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { withTimeout } from '../util/with-timeout.js';

/** Job states reported per queue by diagbot_queue_jobs. */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
export type JobState = (typeof JOB_STATES)[number];
export type JobCounts = Record<string, Partial<Record<JobState, number>>>;

export interface MetricsSources {
  /** Job counts per queue, read from Redis on each scrape. */
  jobCounts?: () => Promise<JobCounts>;
  /** How long a scrape waits for them: a dead or stuck Redis must not hang /metrics. */
  jobCountsTimeoutMs?: number;
}

/** One registry per process; /metrics serves it. */
export function createMetrics(sources: MetricsSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'diagbot_' });
  // Both queue gauges are filled from one read per scrape (prom-client collects them concurrently).
  let reading: Promise<JobCounts | null> | null = null;
  const readCounts = (): Promise<JobCounts | null> => {
    if (!sources.jobCounts) return Promise.resolve(null);
    reading ??= withTimeout(sources.jobCounts(), sources.jobCountsTimeoutMs ?? 1000, 'queue job counts')
      .catch(() => null)
      .finally(() => { reading = null; });
    return reading;
  };
  const queueJobs = new Gauge({
    name: 'diagbot_queue_jobs', help: 'Jobs in each queue by state (waiting, active, delayed, failed, completed), read from Redis at scrape time; absent when Redis did not answer in time',
    labelNames: ['queue', 'state'], registers: [registry],
    async collect() {
      const counts = await readCounts();
      queueJobs.reset();
      for (const [queue, byState] of Object.entries(counts ?? {})) {
        for (const state of JOB_STATES) queueJobs.set({ queue, state }, byState[state] ?? 0);
      }
    },
  });
  const queueJobsUp = new Gauge({
    name: 'diagbot_queue_jobs_up', help: '1 when this scrape read the queue job counts from Redis in time, else 0', registers: [registry],
    async collect() { queueJobsUp.set((await readCounts()) ? 1 : 0); },
  });
  return {
    registry,
    webhooks: new Counter({ name: 'diagbot_webhooks_total', help: 'Webhook deliveries by source and outcome', labelNames: ['source', 'outcome'], registers: [registry] }),
    alerts: new Counter({ name: 'diagbot_alerts_received_total', help: 'Alerts recorded from webhooks', labelNames: ['source'], registers: [registry] }),
    slashCommands: new Counter({ name: 'diagbot_slash_commands_total', help: '/diagnose requests by outcome', labelNames: ['outcome'], registers: [registry] }),
    slackCalls: new Counter({ name: 'diagbot_slack_calls_total', help: 'Slack Web API calls by method and outcome', labelNames: ['method', 'outcome'], registers: [registry] }),
    jobs: new Counter({ name: 'diagbot_jobs_total', help: 'Queue jobs finished by queue and outcome', labelNames: ['queue', 'outcome'], registers: [registry] }),
    actions: new Counter({ name: 'diagbot_actions_total', help: 'Remediation button presses and outcomes by kind (started, refused_*, succeeded, failed, skipped, unknown)', labelNames: ['kind', 'outcome'], registers: [registry] }),
    feedback: new Counter({ name: 'diagbot_feedback_total', help: '"Right / wrong cause" answers recorded, by the category diagnosed (or no_problem) and verdict (confirmed, corrected); a changed answer counts again', labelNames: ['category', 'verdict'], registers: [registry] }),
    jobDuration: new Histogram({ name: 'diagbot_job_duration_seconds', help: 'Queue job run time', labelNames: ['queue'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60], registers: [registry] }),
    sshConnects: new Counter({ name: 'diagbot_ssh_connects_total', help: 'SSH connection attempts by outcome: ok, or why the host was unreachable (refused, connect_timeout, no_banner, auth_failed, host_key_mismatch…)', labelNames: ['outcome'], registers: [registry] }),
    queueJobs, queueJobsUp,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
