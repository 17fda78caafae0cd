import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { alertmanagerPayload } from '../helpers/alert-payloads.js';
import { ALERT_CHANNEL, serviceEnv, startService, TEST_WEBHOOK_TOKEN, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { sample } from '../helpers/prom-text.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// /metrics end to end: SSH connect outcomes by reason and queue job counts, read from the real
// Redis at scrape time (through a relay the test can cut, as if Redis died).

const lab = inject('lab');
let fake: FakeSlack;
let db: TestDatabase;
let redisProxy: TcpProxy;
let svc: ServiceUnderTest;


const scrape = async () => {
  const started = performance.now();
  const r = await fetch(`${svc.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return { status: r.status, text: await r.text(), ms: performance.now() - started };
};

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }] });
  db = await createTestDatabase('metrics');
  redisProxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
  svc = await startService(serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath,
    redisUrl: `redis://127.0.0.1:${redisProxy.port}`, extra: { LOG_LEVEL: 'info' } }));
});

afterAll(async () => {
  redisProxy?.restore();
  await svc?.stop();
  await Promise.all([redisProxy?.close(), fake?.close()]);
  await db?.drop();
});

describe('/metrics', () => {
  it('counts SSH connects by outcome and reports queue jobs by state', async () => {
    const hosts = ['healthy', 'refused', 'wrong-key'];
    const res = await fetch(`${svc.url}/webhooks/alertmanager`, {
      method: 'POST', signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_WEBHOOK_TOKEN}` },
      body: JSON.stringify(alertmanagerPayload({ groupKey: '{}:{alertname="MetricsCheck"}',
        alerts: hosts.map((host) => ({ labels: { alertname: 'MetricsCheck', host }, startsAt: '2026-11-21T04:00:00.000Z' })) })),
    });
    expect(res.status).toBe(200);
    await expect.poll(async () => (await svc.ctx.pool.query("SELECT count(*)::int AS n FROM diagnoses WHERE state = 'done'")).rows[0].n,
      { timeout: 30_000, interval: 200 }).toBe(3);
    await fake.waitFor((f) => f.messages(ALERT_CHANNEL)[0]?.replies.length === 3, 20_000);

    const { status, text } = await scrape();
    expect(status).toBe(200);
    expect(sample(text, 'diagbot_ssh_connects_total', { outcome: 'ok' })).toBe(1);
    expect(sample(text, 'diagbot_ssh_connects_total', { outcome: 'refused' })).toBe(1);
    expect(sample(text, 'diagbot_ssh_connects_total', { outcome: 'host_key_mismatch' })).toBe(1);
    expect(sample(text, 'diagbot_queue_jobs_up')).toBe(1);
    expect(sample(text, 'diagbot_queue_jobs', { queue: 'diagnose', state: 'completed' })).toBe(3);
    expect(sample(text, 'diagbot_queue_jobs', { queue: 'diagnose', state: 'waiting' })).toBe(0);
    expect(sample(text, 'diagbot_queue_jobs', { queue: 'slack-sync', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'diagbot_queue_jobs', { queue: 'remediate', state: 'active' })).toBe(0);
    expect(sample(text, 'diagbot_slack_calls_total', { method: 'chat.postMessage', outcome: 'ok' })).toBe(4);
    expect(sample(text, 'diagbot_webhooks_total', { source: 'alertmanager', outcome: 'accepted' })).toBe(1);
  });

  it('still answers quickly while Redis is gone, saying the queue counts are missing', async () => {
    redisProxy.cut();
    try {
      const { status, text, ms } = await scrape();
      expect(status).toBe(200);
      expect(ms).toBeLessThan(2500);
      expect(sample(text, 'diagbot_queue_jobs_up')).toBe(0);
      expect(text).not.toMatch(/^diagbot_queue_jobs\{/m);
      expect(sample(text, 'diagbot_ssh_connects_total', { outcome: 'ok' })).toBe(1);
      const ready = await fetch(`${svc.url}/readyz`, { signal: AbortSignal.timeout(5000) });
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { problems: string[] }).problems.join()).toMatch(/^redis: /);
    } finally {
      redisProxy.restore();
    }
    await expect.poll(async () => sample((await scrape()).text, 'diagbot_queue_jobs_up'), { timeout: 15_000, interval: 250 }).toBe(1);
  });
});
