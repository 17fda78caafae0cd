import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FakeSlack } from '../fakes/fake-slack.js';
import { ALERT_CHANNEL, TEST_WEBHOOK_TOKEN } from '../helpers/diagbot-service.js';
import { createTestDatabase } from '../helpers/test-database.js';
import type { DiagbotProcess } from './helpers/bot.js';
import { startBotStack, type BotStack, type OwnedService } from './helpers/bot-stack.js';
import { report } from './helpers/figures.js';
import { sleep } from './helpers/owned-process.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';
import { startStorm } from './helpers/storm.js';
import { checkSlack, waitDrained } from './helpers/verify.js';
import type pg from 'pg';

// Slack accepts a chat.postMessage and the answer never arrives: the connection is reset, or the
// answer hangs past the client's timeout. The job is retried; the retry must find the message
// (by its metadata) instead of posting it again, and nothing may be lost.

const lab = inject('lab');
let fake: FakeSlack;
let pool: pg.Pool;
let procs: DiagbotProcess[] = [];
let stack: BotStack<PrivateRedis, OwnedService>;

beforeAll(async () => {
  stack = await startBotStack({ channel: { id: ALERT_CHANNEL, name: 'alerts' }, redis: startPrivateRedis, inventoryPath: lab.inventoryPath,
    postgres: async () => { const db = await createTestDatabase('slacklost'); return { url: db.url, stop: () => db.drop() }; } });
  ({ fake, pool, procs } = stack);
});
afterAll(() => stack?.stop());

describe('Slack answers lost after the post was made', () => {
  it('reset and hung answers during a storm: 0 lost, 0 doubled', async () => {
    const storm = startStorm({ url: procs[0]!.url, token: TEST_WEBHOOK_TOKEN, runId: 'sl', ratePerSec: 15, durationMs: 10_000,
      groups: 16, alertsPerGroup: 3, healthyGroups: 6, healthyHost: 'healthy', resolveGroups: 6, startSpread: 0.6 });
    // For the first 12 s, every 0.7 s: the next 1-2 posts are made and their answer dropped
    // (every fourth run hangs until the worker's 10 s timeout instead of resetting).
    let runs = 0;
    for (let i = 0; storm.elapsed() < 12_000; i++) {
      fake.dropAnswerNext(1 + (i % 2), i % 4 === 3 ? 'hang' : 'reset', 'chat.postMessage');
      runs += 1;
      await sleep(700);
    }
    const r = await storm.done;
    const drain = await waitDrained(pool, 180_000);
    await sleep(2000);
    const slack = await checkSlack(pool, fake, ALERT_CHANNEL, r.groups);
    const dropped = fake.callsTo('chat.postMessage').filter((c) => c.status === 0);
    const lookups = fake.callsTo('conversations.history').length + fake.callsTo('conversations.replies').length;
    const attempts = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM slack_post_attempts WHERE attempts > 1')).rows[0]!.n;
    report('slack-lost-answers', {
      webhooks: r.deliveries, groups: slack.groups, drop_runs: runs, answers_dropped: dropped.length,
      dropped_reset: dropped.filter((c) => (c.response as { answer_dropped?: string }).answer_dropped === 'reset').length,
      dropped_hang: dropped.filter((c) => (c.response as { answer_dropped?: string }).answer_dropped === 'hang').length,
      lookups, retried_posts: attempts, parents: slack.parents, replies: slack.replies, expected_replies: slack.expectedReplies,
      posts: slack.posts, drain_after_storm_ms: drain.ms,
    });
    expect(r.delivered).toBe(r.deliveries);
    expect(dropped.length).toBeGreaterThan(10);
    expect(slack.problems).toEqual([]);
    expect(slack.parents).toBe(16);
    expect(slack.replies).toBe(slack.expectedReplies);
    expect(slack.expectedReplies).toBeGreaterThanOrEqual(12);
    expect(lookups).toBeGreaterThan(0);
  });
});
