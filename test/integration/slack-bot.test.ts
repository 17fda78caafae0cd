import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/fake-slack.js';
import { alertmanagerPayload, grafanaPayload } from '../helpers/alert-payloads.js';
import {
  ALERT_CHANNEL, serviceEnv, startService, TEST_SIGNING_SECRET, TEST_WEBHOOK_TOKEN, type ServiceUnderTest,
} from '../helpers/diagbot-service.js';
import { postSigned, slashCommandBody } from '../helpers/slack-signing.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// The bot end to end in one process: real Postgres, Redis, lab hosts over SSH; Slack is the fake.

const lab = inject('lab');
const INCIDENT = 'C0INCIDENT';
const NO_BOT = 'C0NOBOT';
let fake: FakeSlack;
let db: TestDatabase;
let svc: ServiceUnderTest;

const flat = (m: FakeMessage | undefined) => (m ? `${m.text}\n${JSON.stringify(m.blocks ?? [])}` : '');

function slash(text: string, extra: Record<string, string> = {}) {
  const body = slashCommandBody({ text, channel_id: INCIDENT, response_url: fake.responseUrl(`r-${Math.random()}`), ...extra });
  return postSigned(`${svc.url}/slack/events`, TEST_SIGNING_SECRET, body);
}

function webhook(path: string, body: unknown, token = TEST_WEBHOOK_TOKEN) {
  return fetch(`${svc.url}${path}`, {
    method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(10_000),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await svc.ctx.pool.query(sql, params)).rows[0].n);
}

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [
    { id: ALERT_CHANNEL, name: 'alerts' }, { id: INCIDENT, name: 'incident' }, { id: NO_BOT, name: 'no-bot', botMember: false },
  ] });
  db = await createTestDatabase('slackbot');
  svc = await startService(serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath }));
});

afterAll(async () => {
  await svc?.stop();
  await fake?.close();
  await db?.drop();
});

describe('/diagnose', () => {
  it('acks at once, posts "diagnosing…", then the root cause with details in its thread', async () => {
    const res = await slash('pool-exhausted');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('pool-exhausted') });

    const parent = await fake.waitFor((f) => f.messages(INCIDENT).find((m) => m.replies.length > 0 && flat(m).includes('db_pool_exhaustion')), 30_000);
    expect(flat({ ...parent, ...parent.edits[0] } as FakeMessage)).toMatch(/diagnos/i);
    expect(parent.edits.length).toBeGreaterThanOrEqual(1);
    expect(parent.replies).toHaveLength(1);
    expect(flat(parent.replies[0])).toContain('db_pool_exhaustion');
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.channel === INCIDENT && !c.body.thread_ts)).toHaveLength(1);
  });

  it('diagnoses the host behind an nginx-only LB too, in the same thread, where the cause is named', async () => {
    const res = await slash('lb-front');
    expect(res.status).toBe(200);
    const parent = await fake.waitFor((f) => f.messages(INCIDENT).find((m) => m.replies.length >= 2 && flat(m).includes('lb-front')
      && m.replies.some((r) => flat(r).includes('app-behind'))), 60_000);
    const front = parent.replies.find((r) => /Root cause on lb-front/.test(flat(r)))!;
    const behind = parent.replies.find((r) => /Root cause on app-behind/.test(flat(r)))!;
    expect(flat(front)).toContain('the 500s come from app-behind');
    expect(flat(behind)).toMatch(/behind lb-front, whose nginx sends requests to 127\.0\.\d+\.35:9000/);
    expect(flat(behind)).toMatch(/dependency is down/i);
    const rows = (await svc.ctx.pool.query<{ host: string; via_host: string | null }>(
      "SELECT d.host, d.via_host FROM diagnoses d JOIN incidents i ON i.id = d.incident_id WHERE i.title = 'Diagnosing lb-front' ORDER BY d.id")).rows;
    expect(rows).toEqual([{ host: 'lb-front', via_host: null }, { host: 'app-behind', via_host: 'lb-front' }]);
  });

  it('answers help and unknown hosts ephemerally, and posts nothing', async () => {
    const before = fake.callsTo('chat.postMessage').length;
    const help = await slash('help');
    expect(help.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/\/diagnose HOST/) });
    const typo = await slash('pool-exhausted-x');
    expect(typo.status).toBe(200);
    expect(JSON.stringify(typo.json)).toMatch(/did you mean `pool-exhausted`/);
    const hostile = await slash('web-1;reboot $(touch /tmp/pwned)');
    expect(JSON.stringify(hostile.json)).toMatch(/not in the inventory/);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.callsTo('chat.postMessage').length).toBe(before);
  });

  it('refuses unsigned, wrongly signed and stale requests with 401 and records nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM incidents');
    const body = slashCommandBody({ text: 'healthy', channel_id: INCIDENT });
    const url = `${svc.url}/slack/events`;
    const results = await Promise.all([
      postSigned(url, TEST_SIGNING_SECRET, body, { omitHeaders: ['x-slack-signature', 'x-slack-request-timestamp'] }),
      postSigned(url, TEST_SIGNING_SECRET, body, { omitHeaders: ['x-slack-signature'] }),
      postSigned(url, 'not-the-secret-at-all', body),
      postSigned(url, TEST_SIGNING_SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }),
    ]);
    expect(results.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(await count('SELECT count(*) AS n FROM incidents')).toBe(before);
  });

  it('waits out a 429 and still posts the message once', async () => {
    const before = fake.messages(INCIDENT).length;
    fake.rateLimitNext(1, 1, 'chat.postMessage');
    const started = Date.now();
    await slash('healthy');
    const fresh = await fake.waitFor((f) => {
      const added = f.messages(INCIDENT).slice(before);
      return added.length > 0 && added[0]!.replies.length > 0 ? added : null;
    }, 30_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.calls.filter((c) => c.status === 429)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.messages(INCIDENT).slice(before)).toHaveLength(1);
    expect(fresh[0]!.replies).toHaveLength(1);
  });

  it('keeps a Slack refusal on the incident and tells the requester, without retry loops', async () => {
    const responseUrl = fake.responseUrl('nobot');
    await postSigned(`${svc.url}/slack/events`, TEST_SIGNING_SECRET,
      slashCommandBody({ text: 'healthy', channel_id: NO_BOT, response_url: responseUrl }));
    const told = await fake.waitFor((f) => f.callsTo('response_url').find((c) => c.responseUrlId === 'nobot'), 15_000);
    expect(JSON.stringify(told.body)).toContain('not_in_channel');
    const err = await svc.ctx.pool.query("SELECT slack_error FROM incidents WHERE channel = $1", [NO_BOT]);
    expect(err.rows[0].slack_error).toBe('not_in_channel');
    // The diagnosis still finishes; its result is stored, and the refusal is not retried in a loop.
    await expect.poll(() => count("SELECT count(*) AS n FROM diagnoses d JOIN incidents i ON i.id = d.incident_id WHERE i.channel = $1 AND d.state = 'done'", [NO_BOT]), { timeout: 30_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 1000));
    const attempts = fake.callsTo('chat.postMessage').filter((c) => c.body.channel === NO_BOT).length;
    expect(attempts).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 2500));
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.channel === NO_BOT).length).toBe(attempts);
    expect(fake.callsTo('response_url').filter((c) => c.responseUrlId === 'nobot')).toHaveLength(1);
  });
});

describe('alert webhooks', () => {
  const alert = (status: 'firing' | 'resolved') => alertmanagerPayload({
    status, groupKey: '{}:{alertname="HighErrorRate"}',
    alerts: [{ status, labels: { alertname: 'HighErrorRate', instance: `${lab.hosts['bad-deploy']!.address}:8080`, severity: 'critical' },
      annotations: { summary: '5xx ratio above 5% on checkout' }, startsAt: '2026-11-21T01:00:00.000Z',
      ...(status === 'resolved' ? { endsAt: new Date().toISOString() } : {}) }],
  });

  it('guards the route: 401 without or with a wrong token, 400 for bad JSON or payloads, 413 over 1 MiB', async () => {
    expect((await webhook('/webhooks/alertmanager', alert('firing'), '')).status).toBe(401);
    expect((await webhook('/webhooks/alertmanager', alert('firing'), 'wrong-token-wrong-token')).status).toBe(401);
    expect((await webhook('/webhooks/grafana', '{"status":', TEST_WEBHOOK_TOKEN)).status).toBe(400);
    const notAm = await webhook('/webhooks/alertmanager', { hello: 'world' });
    expect(notAm.status).toBe(400);
    expect(await notAm.json()).toMatchObject({ ok: false, error: expect.stringContaining('alerts') });
    expect((await webhook('/webhooks/alertmanager', 'x'.repeat(1024 * 1024 + 10))).status).toBe(413);
    expect(await count('SELECT count(*) AS n FROM alerts')).toBe(0);
  });

  it('turns concurrent duplicate deliveries into one thread with the findings, then resolves it', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => webhook('/webhooks/alertmanager', alert('firing'))));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    // Wait for the final state, the parent naming the cause and the reply with the findings.
    const parent = await fake.waitFor((f) => f.messages(ALERT_CHANNEL).find((m) => m.replies.some((r) => flat(r).includes('bad_deploy')) && flat(m).includes('bad_deploy')), 30_000);
    expect(flat(parent)).toContain('HighErrorRate');
    expect(flat(parent)).toContain('bad_deploy');
    expect(fake.messages(ALERT_CHANNEL)).toHaveLength(1);
    expect(await count('SELECT count(*) AS n FROM incidents WHERE group_key IS NOT NULL')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM diagnoses d JOIN incidents i ON i.id = d.incident_id WHERE i.group_key IS NOT NULL')).toBe(1);
    expect(await count('SELECT received_count AS n FROM alerts')).toBe(6);

    // A repeat of the firing alert updates the parent, it does not post again.
    expect((await webhook('/webhooks/alertmanager', alert('firing'))).status).toBe(200);
    expect((await webhook('/webhooks/alertmanager', alert('resolved'))).status).toBe(200);
    const resolved = await fake.waitFor((f) => {
      const m = f.messages(ALERT_CHANNEL)[0];
      return m && /resolved/i.test(m.text) && m.replies.length >= 2 ? m : null;
    }, 15_000);
    expect(fake.messages(ALERT_CHANNEL)).toHaveLength(1);
    expect(resolved.replies.at(-1)!.text).toMatch(/resolved/i);
  });

  it('accepts Grafana contact-point deliveries the same way', async () => {
    const body = grafanaPayload({ status: 'firing', groupKey: '{}:{alertname="OomKills"}',
      alerts: [{ status: 'firing', labels: { alertname: 'OomKills', instance: `${lab.hosts.oom!.address}:9100` }, annotations: { summary: 'recommendations 500s' } }] });
    const res = await webhook('/webhooks/grafana', body);
    expect(res.status).toBe(200);
    const parent = await fake.waitFor((f) => f.messages(ALERT_CHANNEL).find((m) => m.text.includes('OomKills') && m.replies.length > 0), 30_000);
    expect(flat(parent.replies[0])).toContain('memory_exhaustion');
  });
});
