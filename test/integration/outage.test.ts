import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { alertmanagerPayload } from '../helpers/alert-payloads.js';
import { ALERT_CHANNEL, serviceEnv, startService, TEST_SIGNING_SECRET, TEST_WEBHOOK_TOKEN, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { postSigned, slashCommandBody } from '../helpers/slack-signing.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Postgres and Redis are real, reached through relays the test can cut, as if the service died.

const lab = inject('lab');
let fake: FakeSlack;
let db: TestDatabase;
let pgProxy: TcpProxy;
let redisProxy: TcpProxy;
let svc: ServiceUnderTest;

const send = (alertname: string) => fetch(`${svc.url}/webhooks/alertmanager`, {
  method: 'POST', signal: AbortSignal.timeout(15_000),
  headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_WEBHOOK_TOKEN}` },
  body: JSON.stringify(alertmanagerPayload({ status: 'firing', groupKey: `{}:{alertname="${alertname}"}`,
    alerts: [{ labels: { alertname, service: 'nothing-in-inventory' }, startsAt: '2026-11-21T03:00:00.000Z' }] })),
});

const ready = async () => {
  const r = await fetch(`${svc.url}/readyz`, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.json() as { problems: string[] } };
};

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }, { id: 'C0INCIDENT', name: 'incident' }] });
  db = await createTestDatabase('outage');
  pgProxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
  redisProxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
  const url = new URL(db.url);
  url.port = String(pgProxy.port);
  svc = await startService(serviceEnv({ databaseUrl: url.toString(), slackApiUrl: fake.url, inventoryPath: lab.inventoryPath,
    redisUrl: `redis://127.0.0.1:${redisProxy.port}` }));
});

afterAll(async () => {
  pgProxy?.restore();
  redisProxy?.restore();
  await svc?.stop();
  await Promise.all([pgProxy?.close(), redisProxy?.close(), fake?.close()]);
  await db?.drop();
});

describe('when Postgres or Redis is down', () => {
  it('answers webhooks 503 with Retry-After while Postgres is gone, and records the retry once it is back', async () => {
    expect(await ready()).toEqual({ status: 200, body: { ok: true, problems: [] } });
    pgProxy.cut();
    const started = Date.now();
    const down = await send('DbOutage');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(Date.now() - started).toBeLessThan(5000);
    const r = await ready();
    expect(r.status).toBe(503);
    expect(r.body.problems.join()).toMatch(/postgres/);

    const slash = await postSigned(`${svc.url}/slack/events`, TEST_SIGNING_SECRET,
      slashCommandBody({ text: 'healthy', channel_id: 'C0INCIDENT', response_url: fake.responseUrl('outage') }));
    expect(slash.status).toBe(200);
    expect(slash.ms).toBeLessThan(3000);
    // Recording is bounded so the ack still comes in time, and says that nothing runs.
    expect(slash.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/cannot record requests right now.*nothing was run/) });

    pgProxy.restore();
    const back = await send('DbOutage');
    expect({ status: back.status, body: await back.text() }).toMatchObject({ status: 200 });
    const rows = await svc.ctx.pool.query("SELECT count(*)::int AS n FROM alerts WHERE name = 'DbOutage'");
    expect(rows.rows[0].n).toBe(1);
    await fake.waitFor((f) => f.messages(ALERT_CHANNEL).find((m) => m.text.includes('DbOutage')), 15_000);
  });

  it('answers 503 while Redis is gone; the sender\'s retry after recovery is posted exactly once', async () => {
    redisProxy.cut();
    const down = await send('QueueOutage');
    expect(down.status).toBe(503);
    expect((await ready()).body.problems.join()).toMatch(/redis/);
    redisProxy.restore();
    await expect.poll(async () => (await ready()).status, { timeout: 15_000, interval: 250 }).toBe(200);
    const retried = await send('QueueOutage');
    expect({ status: retried.status, log: retried.status === 200 ? null : svc.logs.filter((l) => l.msg === 'webhook not recorded: answering 503 so the sender retries').at(-1) }).toMatchObject({ status: 200 });
    await fake.waitFor((f) => f.messages(ALERT_CHANNEL).find((m) => m.text.includes('QueueOutage')), 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.messages(ALERT_CHANNEL).filter((m) => m.text.includes('QueueOutage'))).toHaveLength(1);
    const rows = await svc.ctx.pool.query("SELECT received_count FROM alerts WHERE name = 'QueueOutage'");
    // The first delivery was committed before Redis refused it; the retry is the same alert.
    expect(rows.rows).toEqual([{ received_count: 2 }]);
  });
});
