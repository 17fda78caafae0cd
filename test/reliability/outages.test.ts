import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { ALERT_CHANNEL, serviceEnv, TEST_WEBHOOK_TOKEN } from '../helpers/diagbot-service.js';
import { startDiagbotProcess, stopAll, type DiagbotProcess } from './helpers/bot.js';
import { percentile, report } from './helpers/figures.js';
import { sleep, waitUntil } from './helpers/owned-process.js';
import { checkPool, startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';
import { startStorm, type StormResult } from './helpers/storm.js';
import { checkAlerts, checkSlack, waitDrained } from './helpers/verify.js';
import type pg from 'pg';

// The test's own redis-server and PostgreSQL (so they can be killed) behind `diagbot web` and
// `diagbot worker` processes, while an Alertmanager-like storm runs and retries 503s after their
// Retry-After. Each outage starts 8 s into a 25 s storm and lasts 6 s.

const lab = inject('lab');
const RATE = 120;
const DURATION_MS = 25_000;
const DOWN_AT_MS = 8000;
const DOWN_FOR_MS = 6000;
let fake: FakeSlack;
let redis: PrivateRedis;
let postgres: PrivatePostgres;
let pool: pg.Pool;
const procs: DiagbotProcess[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }] });
  [redis, postgres] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
  const env = serviceEnv({ databaseUrl: postgres.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath, redisUrl: redis.url,
    extra: { LOG_LEVEL: 'info', DIAGNOSE_TIMEOUT_MS: '8000' } });
  procs.push(await startDiagbotProcess('web', env));
  procs.push(await startDiagbotProcess('worker', env));
  pool = checkPool(postgres.url);
});

afterAll(async () => {
  await stopAll(procs);
  await pool?.end();
  await fake?.close();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** Runs a storm, taking the service down for DOWN_FOR_MS at DOWN_AT_MS; returns the storm and the outage window. */
async function stormWithOutage(runId: string, down: () => Promise<void>, up: () => Promise<void>) {
  const storm = startStorm({ url: procs[0]!.url, token: TEST_WEBHOOK_TOKEN, runId, ratePerSec: RATE, durationMs: DURATION_MS,
    groups: 40, alertsPerGroup: 4, healthyGroups: 8, healthyHost: 'healthy', resolveGroups: 8, retryForMs: 90_000 });
  await sleep(DOWN_AT_MS - storm.elapsed());
  const downAt = storm.elapsed();
  await down();
  await sleep(DOWN_FOR_MS);
  const upAt = storm.elapsed();
  await up();
  const readyAt = storm.elapsed();
  // How long diagbot itself takes to notice (web /readyz back to 200).
  const readyz = async () => (await fetch(`${procs[0]!.url}/readyz`, { signal: AbortSignal.timeout(3000) })).status === 200;
  await waitUntil('web /readyz 200 after the restart', readyz, 30_000, 100);
  const webReadyAt = storm.elapsed();
  const r = await storm.done;
  return { r, downAt, upAt, readyAt, webReadyAt };
}

async function verify(name: string, o: { r: StormResult; downAt: number; upAt: number; readyAt: number; webReadyAt: number }) {
  const { r, downAt, upAt, readyAt, webReadyAt } = o;
  const drain = await waitDrained(pool, 150_000);
  if (drain.ms > 20_000) {
    console.log(`slow drain (${drain.ms} ms); the worker's last failed jobs:\n${procs[1]!.logs.filter((l) => l.msg === 'job failed').slice(-15)
      .map((l) => `${String(l.time)} ${String(l.queue)} ${String(l.jobId)} attempt ${String(l.attemptsMade)}: ${String((l.err as { message?: string } | undefined)?.message).slice(0, 100)}`).join('\n')}`);
  }
  await sleep(2000);
  const alerts = await checkAlerts(pool, r.accepted);
  const slack = await checkSlack(pool, fake, ALERT_CHANNEL, r.groups);
  const failed = r.attempts.filter((a) => a.status !== 200);
  const during = r.attempts.filter((a) => a.t >= downAt + 100 && a.t + a.ms <= upAt);
  const firstOkAfter = r.attempts.filter((a) => a.status === 200 && a.t >= upAt).sort((a, b) => a.t - b.t)[0];
  const ok = r.attempts.filter((a) => a.status === 200).map((a) => a.ms);
  const answered503 = failed.filter((a) => a.status === 503);
  report(name, {
    webhooks: r.deliveries, rate_per_s: r.deliveries / (r.sendMs / 1000), attempts: r.attempts.length, answered_503: answered503.length,
    with_retry_after: answered503.filter((a) => a.retryAfter === '5').length, other_errors: failed.length - answered503.length,
    retried_deliveries_2xx: r.attempts.filter((a) => a.retry && a.status === 200).length, gave_up: r.gaveUp,
    down_ms: upAt - downAt, restart_ms: readyAt - upAt, web_ready_after_restart_ms: webReadyAt - readyAt, first_2xx_after_restart_ms: firstOkAfter ? firstOkAfter.t - upAt : -1,
    p50_503_ms: percentile(answered503.map((a) => a.ms), 50), p99_503_ms: percentile(answered503.map((a) => a.ms), 99),
    accept_p50_ms: percentile(ok, 50), accept_p99_ms: percentile(ok, 99),
    distinct_alerts_2xx: alerts.accepted, lost: alerts.lost, wrong_status: alerts.wrongStatus,
    groups: slack.groups, parents: slack.parents, replies: slack.replies, expected_replies: slack.expectedReplies, drain_after_storm_ms: drain.ms,
  });
  expect(slack.problems).toEqual([]);
  expect(alerts).toMatchObject({ lost: 0, wrongStatus: 0 });
  // Every delivery was answered 2xx in the end (the sender's retries after Retry-After).
  expect(r.gaveUp).toBe(0);
  expect(r.delivered).toBe(r.deliveries);
  // While the dependency was down: answered, and answered 503 with Retry-After (nothing else).
  expect(during.length).toBeGreaterThan(10);
  expect(during.filter((a) => a.status !== 503 || a.retryAfter !== '5')).toEqual([]);
  // No other failure at any time: no 500, no dropped connection; 503s only around the outage.
  expect(failed.filter((a) => a.status !== 503 || a.retryAfter !== '5')).toEqual([]);
  // (Answered, not sent, after the outage began: a request in flight at that moment may get its 503.)
  expect(failed.filter((a) => a.t + a.ms < downAt || a.t > readyAt + 5000)).toEqual([]);
  expect(slack.parents).toBe(slack.groups);
  // diagbot reconnects by itself, promptly (ioredis retries every 2 s at most; pg per query),
  // and Slack catches up soon after the storm (a publish lease orphaned by the outage once held
  // it back ~100 s).
  expect(webReadyAt - readyAt).toBeLessThan(10_000);
  expect(drain.ms).toBeLessThan(30_000);
}

describe('dependencies die mid-storm', () => {
  it('Redis SIGKILLed for 6 s and restarted: 503 + Retry-After meanwhile, nothing answered 2xx lost, the backlog drains', async () => {
    const o = await stormWithOutage('rk', () => redis.kill(), () => redis.start());
    await verify('redis-killed', o);
  });

  it('Postgres crashed (immediate shutdown) for 6 s and restarted: the same', async () => {
    const o = await stormWithOutage('pk', () => postgres.crash(), () => postgres.start());
    await verify('postgres-restarted', o);
  });
});
