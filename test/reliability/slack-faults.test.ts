import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { ALERT_CHANNEL, serviceEnv, TEST_WEBHOOK_TOKEN } from '../helpers/diagbot-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { healthUrl, metricsOf, sampleSum, startDiagbotProcess, stopAll, type DiagbotProcess } from './helpers/bot.js';
import { report } from './helpers/figures.js';
import { sleep } from './helpers/owned-process.js';
import { checkPool } from './helpers/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';
import { startStorm } from './helpers/storm.js';
import { checkSlack, waitDrained } from './helpers/verify.js';
import type pg from 'pg';

// Slack answers runs of 429 (Retry-After: 1) and of HTTP 500 while alerts arrive, diagnoses are
// posted and groups resolve. A 429 is waited out and the same call sent again; a 500 fails the
// job, which the queue retries after re-reading what was already posted. Neither may lose or
// repeat a message.

const lab = inject('lab');
let fake: FakeSlack;
let db: TestDatabase;
let redis: PrivateRedis;
let pool: pg.Pool;
const procs: DiagbotProcess[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }] });
  [db, redis] = await Promise.all([createTestDatabase('slackfaults'), startPrivateRedis()]);
  const env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath, redisUrl: redis.url,
    extra: { LOG_LEVEL: 'info' } });
  procs.push(await startDiagbotProcess('web', env));
  procs.push(await startDiagbotProcess('worker', env));
  pool = checkPool(db.url);
});

afterAll(async () => {
  await stopAll(procs);
  await pool?.end();
  await fake?.close();
  await Promise.all([db?.drop(), redis?.stop()]);
});

describe('Slack rate limits and server errors', () => {
  it('429 and 500 runs: every parent and every reply posted exactly once', async () => {
    const storm = startStorm({ url: procs[0]!.url, token: TEST_WEBHOOK_TOKEN, runId: 'sf', ratePerSec: 15, durationMs: 10_000,
      groups: 16, alertsPerGroup: 3, healthyGroups: 6, healthyHost: 'healthy', resolveGroups: 6, startSpread: 0.6 });
    // Fault runs for the first 12 s: alternately 2-4 rate limits and 2-4 server errors, every 0.8 s.
    let runs429 = 0;
    let runs500 = 0;
    for (let i = 0; storm.elapsed() < 12_000; i++) {
      const n = 2 + (i % 3);
      if (i % 2 === 0) { fake.rateLimitNext(n, 1); runs429 += 1; } else { fake.serverErrorNext(n, 500); runs500 += 1; }
      await sleep(800);
    }
    const r = await storm.done;
    const drain = await waitDrained(pool, 120_000);
    await sleep(2000);
    const slack = await checkSlack(pool, fake, ALERT_CHANNEL, r.groups);
    const answered429 = fake.calls.filter((c) => c.status === 429).length;
    const answered500 = fake.calls.filter((c) => c.status === 500).length;
    const metrics = await metricsOf(healthUrl(procs[1]!));
    const counted429 = sampleSum(metrics, 'diagbot_slack_calls_total', { outcome: 'ratelimited' });
    const counted500 = sampleSum(metrics, 'diagbot_slack_calls_total', { outcome: 'http_500' });
    report('slack-429-500', {
      webhooks: r.deliveries, groups: slack.groups, fault_runs_429: runs429, fault_runs_500: runs500,
      answered_429: answered429, answered_500: answered500, metric_ratelimited: counted429, metric_http_500: counted500,
      slack_calls: fake.calls.length, parents: slack.parents, replies: slack.replies, expected_replies: slack.expectedReplies,
      posts: slack.posts, drain_after_storm_ms: drain.ms,
    });
    expect(r.delivered).toBe(r.deliveries);
    expect(answered429).toBeGreaterThan(5);
    expect(answered500).toBeGreaterThan(5);
    expect(slack.problems).toEqual([]);
    expect(slack.parents).toBe(16);
    expect(slack.replies).toBe(slack.expectedReplies);
    expect(slack.expectedReplies).toBeGreaterThanOrEqual(12);
    // /metrics counts what Slack answered (the worker makes every Slack call).
    expect(counted429).toBe(answered429);
    expect(counted500).toBe(answered500);
  });
});
