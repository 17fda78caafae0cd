import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FakeSlack } from '../fakes/fake-slack.js';
import { ALERT_CHANNEL, TEST_WEBHOOK_TOKEN } from '../helpers/diagbot-service.js';
import type { DiagbotProcess } from './helpers/bot.js';
import { startBotStack, type BotStack } from './helpers/bot-stack.js';
import { report } from './helpers/figures.js';
import { sleep } from './helpers/owned-process.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';
import { startClusterSet, type ClusterSet } from './helpers/cluster-set.js';
import { startStorm } from './helpers/storm.js';
import { checkAlerts, checkSlack, waitDrained } from './helpers/verify.js';
import type pg from 'pg';

// `diagbot web` + `diagbot worker` on a 3-master Redis Cluster (REDIS_URL=redis+cluster://…) with
// a QUEUE_PREFIX lacking a {hash tag}: diagbot wraps it, and jobs flow (alerts → parents →
// diagnoses → replies), as on one server. A small storm, no fault.

const lab = inject('lab');
let fake: FakeSlack;
let pool: pg.Pool;
let procs: DiagbotProcess[] = [];
let stack: BotStack<ClusterSet, PrivatePostgres>;

beforeAll(async () => {
  stack = await startBotStack({ channel: { id: ALERT_CHANNEL, name: 'alerts' }, redis: startClusterSet, postgres: startPrivatePostgres, inventoryPath: lab.inventoryPath,
    extra: { QUEUE_PREFIX: 'clustered' } });
  ({ fake, pool, procs } = stack);
});
afterAll(() => stack?.stop());

describe('Redis Cluster', () => {
  it('prefix wrapped in a {hash tag}, said at start; alerts, diagnoses and Slack posts flow through the Cluster', async () => {
    const warned = procs[0]!.logs.find((l) => String(l.msg).startsWith('Redis Cluster: QUEUE_PREFIX has no {hash tag}'));
    expect(warned).toMatchObject({ given: 'clustered', used: '{clustered}' });
    const storm = startStorm({ url: procs[0]!.url, token: TEST_WEBHOOK_TOKEN, runId: 'cl', ratePerSec: 30, durationMs: 8000,
      groups: 10, alertsPerGroup: 3, healthyGroups: 3, healthyHost: 'healthy', resolveGroups: 3 });
    const r = await storm.done;
    const drain = await waitDrained(pool, 90_000);
    await sleep(1000);
    const alerts = await checkAlerts(pool, r.accepted);
    const slack = await checkSlack(pool, fake, ALERT_CHANNEL, r.groups);
    report('redis-cluster', { webhooks: r.deliveries, answered_2xx: r.delivered, lost: alerts.lost, groups: slack.groups, parents: slack.parents,
      replies: slack.replies, expected_replies: slack.expectedReplies, drain_after_storm_ms: drain.ms });
    expect(slack.problems).toEqual([]);
    expect(alerts).toMatchObject({ lost: 0, wrongStatus: 0 });
    expect(r.delivered).toBe(r.deliveries);
    expect(slack.parents).toBe(10);
    // Three diagnoses of the healthy host, each replied in its thread.
    expect(slack.expectedReplies).toBeGreaterThanOrEqual(3);
  });
});
