import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FakeSlack } from '../fakes/fake-slack.js';
import { ALERT_CHANNEL, TEST_WEBHOOK_TOKEN } from '../helpers/diagbot-service.js';
import type { DiagbotProcess } from './helpers/bot.js';
import { startBotStack, type BotStack } from './helpers/bot-stack.js';
import { percentile, report } from './helpers/figures.js';
import { sleep, waitUntil } from './helpers/owned-process.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';
import { startSentinelSet, type SentinelSet } from './helpers/sentinel-set.js';
import { startStorm } from './helpers/storm.js';
import { checkAlerts, checkSlack, waitDrained } from './helpers/verify.js';
import type pg from 'pg';

// `diagbot web` + `diagbot worker` pointed at a Sentinel set (REDIS_URL=redis+sentinel://…) of
// the test's own: a primary, a replica, three sentinels. 8 s into a 25 s storm the primary is
// SIGKILLed; the sentinels promote the replica and diagbot must follow them by itself. 8 s later
// the old primary starts again and is turned into a replica of the new one.

const lab = inject('lab');
const RATE = 120;
const DURATION_MS = 25_000;
const KILL_AT_MS = 8000;
const RESTART_AFTER_MS = 8000;
let fake: FakeSlack;
let set: SentinelSet;
let pool: pg.Pool;
let procs: DiagbotProcess[] = [];
let env: Record<string, string>;
let stack: BotStack<SentinelSet, PrivatePostgres>;

beforeAll(async () => {
  stack = await startBotStack({ channel: { id: ALERT_CHANNEL, name: 'alerts' }, redis: startSentinelSet, postgres: startPrivatePostgres, inventoryPath: lab.inventoryPath,
    extra: { DIAGNOSE_TIMEOUT_MS: '8000' } });
  ({ fake, redis: set, pool, procs, env } = stack);
});
afterAll(() => stack?.stop());

describe('Redis Sentinel failover mid-storm', () => {
  it('primary SIGKILLed: the sentinels promote the replica, diagbot follows; no alert lost, one parent per group, only 503 + Retry-After meanwhile', async () => {
    const web = procs[0]!;
    const oldPrimary = await set.primaryPort();
    const storm = startStorm({ url: web.url, token: TEST_WEBHOOK_TOKEN, runId: 'sf', ratePerSec: RATE, durationMs: DURATION_MS,
      groups: 40, alertsPerGroup: 4, healthyGroups: 8, healthyHost: 'healthy', resolveGroups: 8, retryForMs: 90_000 });
    await sleep(KILL_AT_MS - storm.elapsed());
    const killAt = storm.elapsed();
    await set.killServer(oldPrimary);
    await waitUntil('sentinels name a new primary', async () => (await set.primaryPort()) !== oldPrimary, 30_000, 100);
    const promotedAt = storm.elapsed();
    let lastReadyz = '';
    const readyz = async () => {
      const res = await fetch(`${web.url}/readyz`, { signal: AbortSignal.timeout(3000) });
      lastReadyz = `${res.status} ${await res.text()}`;
      return res.status === 200;
    };
    await waitUntil('web /readyz 200 on the new primary', readyz, 30_000, 100).catch(async (err: Error) => {
      console.log(`last /readyz: ${lastReadyz}\nweb warnings: ${web.logs.filter((l) => Number(l.level) >= 40).slice(-10).map((l) => JSON.stringify(l)).join('\n')}\n${await set.logTail()}`);
      throw err;
    });
    const webReadyAt = storm.elapsed();
    await sleep(Math.max(0, killAt + RESTART_AFTER_MS - storm.elapsed()));
    await set.restartServer(oldPrimary);
    await waitUntil('old primary rejoins as a replica', async () => (await set.role(oldPrimary)) === 'slave', 30_000, 200);
    const r = await storm.done;

    const drain = await waitDrained(pool, 150_000).catch(async (err: Error) => {
      const worker = procs[1]!;
      console.log(`worker warnings: ${worker.logs.filter((l) => Number(l.level) >= 40).slice(-15).map((l) => JSON.stringify(l).slice(0, 400)).join('\n')}`);
      console.log(`worker last logs: ${worker.logs.slice(-5).map((l) => JSON.stringify(l).slice(0, 300)).join('\n')}`);
      console.log(`queues on the primary: ${JSON.stringify(await set.queueCounts(env.QUEUE_PREFIX!).catch((e: Error) => e.message))}`);
      console.log(await set.logTail());
      throw err;
    });
    await sleep(2000);
    const alerts = await checkAlerts(pool, r.accepted);
    const slack = await checkSlack(pool, fake, ALERT_CHANNEL, r.groups);
    const failed = r.attempts.filter((a) => a.status !== 200);
    const answered503 = failed.filter((a) => a.status === 503);
    const firstOkAfter = r.attempts.filter((a) => a.status === 200 && a.t >= killAt + 100).sort((a, b) => a.t - b.t)[0];
    const ok = r.attempts.filter((a) => a.status === 200).map((a) => a.ms);
    report('sentinel-failover', {
      webhooks: r.deliveries, rate_per_s: r.deliveries / (r.sendMs / 1000), attempts: r.attempts.length, answered_503: answered503.length,
      other_errors: failed.length - answered503.length, gave_up: r.gaveUp,
      promoted_after_kill_ms: promotedAt - killAt, web_ready_after_kill_ms: webReadyAt - killAt,
      last_503_after_kill_ms: answered503.length ? Math.max(...answered503.map((a) => a.t + a.ms)) - killAt : 0,
      first_2xx_after_kill_ms: firstOkAfter ? firstOkAfter.t + firstOkAfter.ms - killAt : -1,
      accept_p50_ms: percentile(ok, 50), accept_p99_ms: percentile(ok, 99),
      distinct_alerts_2xx: alerts.accepted, lost: alerts.lost, wrong_status: alerts.wrongStatus,
      groups: slack.groups, parents: slack.parents, replies: slack.replies, expected_replies: slack.expectedReplies, drain_after_storm_ms: drain.ms,
    });
    expect(await set.primaryPort()).not.toBe(oldPrimary);
    expect(slack.problems).toEqual([]);
    expect(alerts).toMatchObject({ lost: 0, wrongStatus: 0 });
    expect(r.gaveUp).toBe(0);
    expect(r.delivered).toBe(r.deliveries);
    // The failover was felt (webhooks refused while no primary answered) and answered as an outage is: 503 + Retry-After only.
    expect(failed.filter((a) => a.status !== 503 || a.retryAfter !== '5')).toEqual([]);
    expect(failed.filter((a) => a.t + a.ms < killAt)).toEqual([]);
    expect(slack.parents).toBe(slack.groups);
    // diagbot follows the sentinels promptly: the promotion takes ~2-3 s (down-after 1 s + election).
    expect(webReadyAt - promotedAt).toBeLessThan(10_000);
    expect(drain.ms).toBeLessThan(40_000);
  });
});
