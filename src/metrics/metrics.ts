import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; /metrics serves it. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'diagbot_' });
  return {
    registry,
    webhooks: new Counter({ name: 'diagbot_webhooks_total', help: 'Webhook deliveries by source and outcome', labelNames: ['source', 'outcome'], registers: [registry] }),
    alerts: new Counter({ name: 'diagbot_alerts_received_total', help: 'Alerts recorded from webhooks', labelNames: ['source'], registers: [registry] }),
    slashCommands: new Counter({ name: 'diagbot_slash_commands_total', help: '/diagnose requests by outcome', labelNames: ['outcome'], registers: [registry] }),
    slackCalls: new Counter({ name: 'diagbot_slack_calls_total', help: 'Slack Web API calls by method and outcome', labelNames: ['method', 'outcome'], registers: [registry] }),
    jobs: new Counter({ name: 'diagbot_jobs_total', help: 'Queue jobs finished by queue and outcome', labelNames: ['queue', 'outcome'], registers: [registry] }),
    actions: new Counter({ name: 'diagbot_actions_total', help: 'Remediation button presses and outcomes by kind (started, refused_*, succeeded, failed, skipped, unknown)', labelNames: ['kind', 'outcome'], registers: [registry] }),
    jobDuration: new Histogram({ name: 'diagbot_job_duration_seconds', help: 'Queue job run time', labelNames: ['queue'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
