import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { startDiagbotProcess, type DiagbotProcess } from '../helpers/diagbot-process.js';
import { ALERT_CHANNEL, serviceEnv, startService, TEST_SIGNING_SECRET, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import {
  blockActionsBody, buttonClickPayload, FORM, nowSec, postSigned, signSlackRequest, slashCommandBody, type PostSignedResult,
} from '../helpers/slack-signing.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { deleteRedisPrefix, sleep } from './support.js';

// Forged, stale, early, replayed and smuggled requests against the real receiver (Bolt's HTTPReceiver
// plus diagbot's guard): each is answered 401 and nothing behind it runs — no incident, no ack, no Slack
// call, no /diagnose counted — and the log says why. Redis is reached through a relay the test can cut.

const lab = inject('lab');
const CHANNEL = 'C0SIGNED';
let fake: FakeSlack;
let db: TestDatabase;
let redisProxy: TcpProxy;
let svc: ServiceUnderTest;
let env: Record<string, string>;
let url: string;

const incidents = async () => Number((await svc.ctx.pool.query('SELECT count(*)::int AS n FROM incidents')).rows[0].n);
const slashCount = async () => (await svc.ctx.metrics.slashCommands.get()).values.reduce((n, v) => n + v.value, 0);
const refusals = () => svc.logs.filter((l) => l.msg === 'Slack request refused');

/** Runs `attempt`, then checks that it was refused with 401 and left no trace but a log line. */
async function expectRefused(attempt: () => Promise<PostSignedResult>, reason: RegExp) {
  const before = { incidents: await incidents(), calls: fake.calls.length, slash: await slashCount(), refused: refusals().length };
  const res = await attempt();
  expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: '' });
  // Give a handler that wrongly ran time to record, queue and post.
  await sleep(400);
  expect(await incidents()).toBe(before.incidents);
  expect(fake.calls.length).toBe(before.calls);
  expect(await slashCount()).toBe(before.slash);
  const logged = refusals().slice(before.refused);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ level: 40, component: 'slack-guard', status: 401, reason: expect.stringMatching(reason) });
}

const body = (text = 'healthy') => slashCommandBody({ text, channel_id: CHANNEL, response_url: fake.responseUrl(`r-${Math.random()}`) });
const post = (b: string, opts: Parameters<typeof postSigned>[3] = {}) => postSigned(`${url}/slack/events`, TEST_SIGNING_SECRET, b, opts);
/** POSTs with exactly these headers (no signing). */
async function postRaw(b: string, headers: Record<string, string>): Promise<PostSignedResult> {
  const started = performance.now();
  const res = await fetch(`${url}/slack/events`, { method: 'POST', body: b, headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, body: text, ms: Math.round(performance.now() - started), headers: res.headers };
}

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }, { id: CHANNEL, name: 'incident' }] });
  db = await createTestDatabase('attack_sig');
  redisProxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
  env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath, redisUrl: `redis://127.0.0.1:${redisProxy.port}` });
  svc = await startService(env);
  url = svc.url;
});

afterAll(async () => {
  redisProxy?.restore();
  await svc?.stop();
  await Promise.all([redisProxy?.close(), fake?.close()]);
  await db?.drop();
  if (env) await deleteRedisPrefix(env.QUEUE_PREFIX!);
});

describe('forged and badly timed requests', () => {
  it('refuses a request without signature headers', () =>
    expectRefused(() => post(body(), { omitHeaders: ['x-slack-signature', 'x-slack-request-timestamp'] }), /missing/));

  it('refuses a request without a signature, or without a timestamp', async () => {
    await expectRefused(() => post(body(), { omitHeaders: ['x-slack-signature'] }), /missing/);
    await expectRefused(() => post(body(), { omitHeaders: ['x-slack-request-timestamp'] }), /missing/);
  });

  it('refuses a signature made with another secret, a mangled one, and one for another body', async () => {
    const b = body();
    await expectRefused(() => postSigned(`${url}/slack/events`, 'not-the-signing-secret', b), /signature mismatch/);
    const good = signSlackRequest(TEST_SIGNING_SECRET, b)['x-slack-signature'];
    await expectRefused(() => post(b, { signature: good.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }), /signature mismatch/);
    await expectRefused(() => post(b, { signature: good.toUpperCase() }), /signature version|mismatch/);
    await expectRefused(() => post(b, { signature: 'v1=' + good.slice(3) }), /unknown signature version/);
    // Signed for "help", sent with a host: the signature covers the body.
    const signedFor = signSlackRequest(TEST_SIGNING_SECRET, body('help'));
    await expectRefused(() => postRaw(b, { ...signedFor }), /signature mismatch/);
  });

  it('refuses a correctly signed request whose timestamp is more than 5 minutes old', () =>
    expectRefused(() => post(body(), { timestamp: nowSec() - 5 * 60 - 30 }), /stale/));

  it('refuses a correctly signed request whose timestamp is more than 5 minutes ahead', async () => {
    await expectRefused(() => post(body(), { timestamp: nowSec() + 5 * 60 + 30 }), /future/);
    await expectRefused(() => post(body(), { timestamp: nowSec() + 365 * 24 * 3600 }), /future/);
  });

  it('refuses timestamps that are not a number of seconds', () =>
    expectRefused(() => postRaw(body(), { ...signSlackRequest(TEST_SIGNING_SECRET, body()), 'x-slack-request-timestamp': 'now' }), /expected type/));
});

describe('replays', () => {
  it('runs a signed /diagnose once; the same request sent again within the window is refused', async () => {
    const b = body('healthy');
    const headers = { ...signSlackRequest(TEST_SIGNING_SECRET, b) };
    const first = await postRaw(b, headers);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('healthy') });
    const parent = await fake.waitFor((f) => f.messages(CHANNEL).find((m) => m.replies.length > 0), 30_000);
    expect(parent).toBeTruthy();

    await expectRefused(() => postRaw(b, headers), /replayed/);
    // The same signature with another timestamp header no longer matches the body (one second
    // on: "now" can still be the signed second when the diagnosis above was quick).
    const other = String(Number(headers['x-slack-request-timestamp']) + 1);
    await expectRefused(() => postRaw(b, { ...headers, 'x-slack-request-timestamp': other }), /signature mismatch/);
    await sleep(1500);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
    expect(await incidents()).toBe(1);
  });

  it('lets exactly one of ten concurrent copies of a signed request through', async () => {
    const before = await incidents();
    const b = body('help');
    const headers = { ...signSlackRequest(TEST_SIGNING_SECRET, b) };
    const answers = await Promise.all(Array.from({ length: 10 }, () => postRaw(b, headers)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401, 401, 401, 401, 401, 401, 401]);
    expect(answers.filter((a) => a.body.includes('/diagnose HOST'))).toHaveLength(1);
    expect(await incidents()).toBe(before);
  });

  it('refuses a replay on another web process sharing the same Redis', async () => {
    let other: DiagbotProcess | undefined;
    try {
      other = await startDiagbotProcess('web', env);
      const b = body('help');
      const headers = { ...signSlackRequest(TEST_SIGNING_SECRET, b) };
      expect((await postRaw(b, headers)).status).toBe(200);
      const res = await fetch(`${other.url}/slack/events`, { method: 'POST', body: b, headers, signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(401);
      await expect.poll(() => other!.logs.find((l) => l.msg === 'Slack request refused'), { timeout: 5000 })
        .toMatchObject({ reason: expect.stringMatching(/replayed/) });
    } finally {
      await other?.stop();
    }
  });
});

describe('ssl_check smuggling', () => {
  it('answers a bare ssl_check (unsigned, as Slack sends it) with 200 and runs nothing', async () => {
    const before = { incidents: await incidents(), calls: fake.calls.length };
    const res = await postRaw('ssl_check=1&token=legacy-verification-token', { 'content-type': FORM });
    expect(res.status).toBe(200);
    await sleep(300);
    expect({ incidents: await incidents(), calls: fake.calls.length }).toEqual(before);
  });

  it('refuses ssl_check=1 carrying a slash command or an interactivity payload, unsigned or wrongly signed', async () => {
    const slash = body('healthy');
    const click = blockActionsBody(buttonClickPayload({ actionId: 'diagbot_rerun', value: '1', channelId: CHANNEL }));
    for (const smuggled of [`ssl_check=1&${slash}`, `${slash}&ssl_check=1`, `ssl_check=1&${click}`, `${click}&ssl_check=1`]) {
      await expectRefused(() => postRaw(smuggled, { 'content-type': FORM }), /ssl_check request carrying other fields/);
      await expectRefused(() => postSigned(`${url}/slack/events`, 'not-the-signing-secret', smuggled), /ssl_check request carrying other fields/);
    }
  });
});

describe('when Redis cannot answer', () => {
  it('fails closed: a fresh, correctly signed request is answered 503 and nothing runs', async () => {
    const before = { incidents: await incidents(), calls: fake.calls.length, slash: await slashCount() };
    redisProxy.cut();
    try {
      const res = await post(body('healthy'));
      expect(res.status).toBe(503);
      expect(res.body).toBe('');
      expect(res.ms).toBeLessThan(2900);
      await sleep(400);
      expect({ incidents: await incidents(), calls: fake.calls.length, slash: await slashCount() }).toEqual(before);
      expect(refusals().at(-1)).toMatchObject({ level: 50, status: 503, reason: expect.stringMatching(/replay memory unavailable/) });
    } finally {
      redisProxy.restore();
    }
    // Back to normal once Redis is: the next fresh request runs.
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 15_000, interval: 250 }).toBe(200);
    expect((await post(body('help'))).status).toBe(200);
  });
});
