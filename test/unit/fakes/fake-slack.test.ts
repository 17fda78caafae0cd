import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack.js';

// The real client Bolt uses, so the fake is held to exactly what WebClient sends and how it reads answers.
const { WebClient, WebClientEvent, ErrorCode, LogLevel } = webApi;
type Client = InstanceType<typeof WebClient>;

const TOKEN = 'xoxb-test-token';
let fake: FakeSlack;

// WebClient logs the fake's "[ERROR] ..." explanations, which these tests provoke on purpose.
const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

function client(token: string | undefined, extra: ConstructorParameters<typeof WebClient>[1] = {}): Client {
  return new WebClient(token, { slackApiUrl: fake.url, logger: quiet, retryConfig: { retries: 0 }, ...extra });
}

/** The `data` of the WebAPIPlatformError a call rejects with. */
async function platformError(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const err = await p.then(() => { throw new Error('expected the call to fail'); }, (e: unknown) => e) as { code?: string; data?: Record<string, unknown> };
  expect(err.code).toBe(ErrorCode.PlatformError);
  return err.data ?? {};
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

beforeAll(async () => { fake = await startFakeSlack(); });
afterEach(() => fake.reset());
afterAll(async () => { await fake.close(); });

describe('fake Slack driven by the real WebClient', () => {
  it('answers auth.test with the bot identity', async () => {
    const res = await client(TOKEN).auth.test();
    expect(res).toMatchObject({ ok: true, user_id: 'U_BOT', bot_id: 'B_BOT', team_id: 'T_TEST' });
    expect(fake.callsTo('auth.test')[0]).toMatchObject({ status: 200, token: TOKEN, contentType: 'application/x-www-form-urlencoded' });
  });

  it('posts, then updates the same ts and records the edit', async () => {
    const c = client(TOKEN);
    const posted = await c.chat.postMessage({ channel: 'C_ALERTS', text: 'diagnosing…', blocks: [section('*running*')] });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(posted.message).toMatchObject({ text: 'diagnosing…', bot_id: 'B_BOT', blocks: [section('*running*')] });
    // WebClient sent blocks JSON-stringified in a form field; the call log holds them parsed.
    expect(fake.callsTo('chat.postMessage')[0]?.body.blocks).toEqual([section('*running*')]);

    const updated = await c.chat.update({ channel: 'C_ALERTS', ts: posted.ts!, text: 'done', blocks: [section('*done*')] });
    expect(updated).toMatchObject({ ok: true, channel: 'C_ALERTS', ts: posted.ts, text: 'done' });

    const [msg, ...others] = fake.messages('C_ALERTS');
    expect(others).toHaveLength(0);
    expect(msg).toMatchObject({ ts: posted.ts, text: 'done', blocks: [section('*done*')] });
    expect(msg?.edits).toEqual([expect.objectContaining({ text: 'diagnosing…', blocks: [section('*running*')] })]);
  });

  it('hands out unique, increasing ts values', async () => {
    const c = client(TOKEN);
    const ts = [];
    for (let i = 0; i < 5; i++) ts.push((await c.chat.postMessage({ channel: 'alerts', text: `n${i}` })).ts!);
    expect(new Set(ts).size).toBe(5);
    expect([...ts].sort((a, b) => Number(a) - Number(b))).toEqual(ts);
  });

  it('keeps thread replies under their parent', async () => {
    const c = client(TOKEN);
    const parent = await c.chat.postMessage({ channel: 'C_INCIDENT', text: 'incident' });
    const reply = await c.chat.postMessage({ channel: 'C_INCIDENT', text: 'finding 1', thread_ts: parent.ts! });
    expect(reply.message?.thread_ts).toBe(parent.ts);
    expect(fake.messages('C_INCIDENT')).toHaveLength(1);
    expect(fake.thread('C_INCIDENT', parent.ts!).map((m) => m.text)).toEqual(['finding 1']);
  });

  it('un-threads a reply to a missing thread_ts as Slack does, and refuses a malformed one', async () => {
    const c = client(TOKEN);
    const orphan = await c.chat.postMessage({ channel: 'C_INCIDENT', text: 'lost', thread_ts: '1111111111.000001' });
    expect(orphan.message?.thread_ts).toBeUndefined();
    expect(fake.messages('C_INCIDENT')[0]).toMatchObject({ text: 'lost', unthreadedFrom: '1111111111.000001' });
    expect((await platformError(c.chat.postMessage({ channel: 'C_INCIDENT', text: 'x', thread_ts: 'yesterday' }))).error).toBe('invalid_thread_ts');
  });

  it('answers 429 with Retry-After; WebClient waits that long, retries, and the message is posted once', async () => {
    fake.rateLimitNext(1, 1, 'chat.postMessage');
    const c = client(TOKEN, { retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    const waits: number[] = [];
    c.on(WebClientEvent.RATE_LIMITED, (sec: number) => waits.push(sec));
    const started = Date.now();
    const res = await c.chat.postMessage({ channel: 'C_ALERTS', text: 'once' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(res.ok).toBe(true);
    expect(waits).toEqual([1]);
    expect(fake.callsTo('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
    expect(fake.messages('C_ALERTS').map((m) => m.text)).toEqual(['once']);
  });

  it('surfaces ok:false as WebClient platform errors carrying data.error', async () => {
    fake.failNext(1, 'fatal_error', 'chat.postMessage');
    expect((await platformError(client(TOKEN).chat.postMessage({ channel: 'C_ALERTS', text: 'x' }))).error).toBe('fatal_error');
    expect(fake.messages('C_ALERTS')).toEqual([]);
  });

  it.each([
    ['51 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), 'no more than 50 items allowed [json-pointer:/blocks]'],
    ['a 3001-char section', [section('x'.repeat(3001))], 'must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    ['a 76-char button', [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'a' }] }],
      'must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]'],
  ])('rejects %s with invalid_blocks and Slack\'s explanation', async (_name, blocks, reason) => {
    const data = await platformError(client(TOKEN).chat.postMessage({ channel: 'C_ALERTS', text: 'x', blocks }));
    expect(data).toMatchObject({ error: 'invalid_blocks', errors: [reason], response_metadata: { messages: [`[ERROR] ${reason}`] } });
    expect(fake.messages('C_ALERTS')).toEqual([]);
  });

  it('accepts a message at the limits', async () => {
    const blocks = [section('x'.repeat(3000)), ...Array.from({ length: 49 }, () => ({ type: 'divider' }))];
    await expect(client(TOKEN).chat.postMessage({ channel: 'C_ALERTS', text: 'y'.repeat(40_000), blocks })).resolves.toMatchObject({ ok: true });
  });

  it('refuses overlong and empty messages', async () => {
    const c = client(TOKEN);
    expect((await platformError(c.chat.postMessage({ channel: 'C_ALERTS', text: 'y'.repeat(40_001) }))).error).toBe('msg_too_long');
    expect((await platformError(c.chat.postMessage({ channel: 'C_ALERTS', text: '' }))).error).toBe('no_text');
  });

  it('checks the token: invalid_auth when wrong, not_authed when missing', async () => {
    expect((await platformError(client('xoxb-wrong').chat.postMessage({ channel: 'C_ALERTS', text: 'x' }))).error).toBe('invalid_auth');
    expect((await platformError(client(undefined).auth.test())).error).toBe('not_authed');
  });

  it('answers channel errors the way Slack does', async () => {
    const c = client(TOKEN);
    const post = (channel: string) => platformError(c.chat.postMessage({ channel, text: 'x' }));
    expect((await post('C_NOPE')).error).toBe('channel_not_found');
    expect((await post('C_NOT_MEMBER')).error).toBe('not_in_channel');
    expect((await post('C_ARCHIVED')).error).toBe('is_archived');
    await expect(c.conversations.info({ channel: 'C_NOT_MEMBER' })).resolves.toMatchObject({ channel: { is_member: false } });
  });

  it('refuses updates to unknown or foreign messages', async () => {
    const c = client(TOKEN);
    expect((await platformError(c.chat.update({ channel: 'C_ALERTS', ts: '1.000001', text: 'x' }))).error).toBe('message_not_found');
    const human = fake.seedMessage('C_ALERTS', { text: 'help', user: 'U_BOB' });
    expect((await platformError(c.chat.update({ channel: 'C_ALERTS', ts: human, text: 'x' }))).error).toBe('cant_update_message');
    await c.chat.postMessage({ channel: 'C_ALERTS', text: 'on it', thread_ts: human });
    expect(fake.thread('C_ALERTS', human).map((m) => m.user)).toEqual(['U_BOT']);
  });

  it('serves ephemeral posts, deletes, lookups and modals', async () => {
    const c = client(TOKEN);
    await expect(c.chat.postEphemeral({ channel: 'C_INCIDENT', user: 'U_ALICE', text: 'only you' })).resolves.toMatchObject({ ok: true });
    expect(fake.ephemerals('C_INCIDENT')).toEqual([expect.objectContaining({ user: 'U_ALICE', text: 'only you' })]);
    const { ts } = await c.chat.postMessage({ channel: 'C_INCIDENT', text: 'tmp' });
    await expect(c.chat.delete({ channel: 'C_INCIDENT', ts: ts! })).resolves.toMatchObject({ ok: true, ts });
    expect(fake.messages('C_INCIDENT')).toEqual([]);
    await expect(c.users.info({ user: 'U_ALICE' })).resolves.toMatchObject({ user: { id: 'U_ALICE', name: 'alice' } });
    expect((await platformError(c.users.info({ user: 'U_NOBODY' }))).error).toBe('user_not_found');
    await expect(c.usergroups.users.list({ usergroup: 'S_ONCALL' })).resolves.toMatchObject({ users: ['U_ALICE', 'U_BOB'] });
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Diagnose' }, blocks: [section('pick a host')] };
    await expect(c.views.open({ trigger_id: '1.2.abc', view })).resolves.toMatchObject({ view: { id: expect.stringMatching(/^V/) } });
    const long = { ...view, title: { type: 'plain_text' as const, text: 't'.repeat(25) } };
    expect((await platformError(c.views.open({ trigger_id: '1.2.abc', view: long }))).error).toBe('invalid_arguments');
  });

  it('retries HTTP 500s through WebClient and fails fast when told not to retry', async () => {
    fake.serverErrorNext(1);
    const retrying = client(TOKEN, { retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    await expect(retrying.chat.postMessage({ channel: 'C_ALERTS', text: 'x' })).resolves.toMatchObject({ ok: true });
    fake.serverErrorNext(1, 503);
    await expect(client(TOKEN).auth.test()).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 503 });
  });

  it('delays answers on request', async () => {
    fake.delayNext(1, 300);
    const started = Date.now();
    await client(TOKEN).auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('fake Slack: response_url, raw HTTP and waiting', () => {
  const postJson = (url: string, body: unknown, contentType = 'application/json') =>
    fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('records response_url posts and applies them to a bound channel', async () => {
    const url = fake.responseUrl('cmd-1', { channel: 'C_INCIDENT', user: 'U_ALICE' });
    expect((await postJson(url, { text: 'working…' })).status).toBe(200);
    expect((await postJson(url, { text: 'result', response_type: 'in_channel' })).status).toBe(200);
    expect(fake.callsTo('response_url').map((c) => [c.responseUrlId, c.body.text])).toEqual([['cmd-1', 'working…'], ['cmd-1', 'result']]);
    expect(fake.ephemerals('C_INCIDENT').map((e) => e.text)).toEqual(['working…']);
    expect(fake.messages('C_INCIDENT').map((m) => m.text)).toEqual(['result']);
    for (let i = 0; i < 3; i++) await postJson(url, { text: 'again' });
    expect((await postJson(url, { text: 'sixth' })).status).toBe(404);
  });

  it('replaces the original message through a bound response_url', async () => {
    const { ts } = await client(TOKEN).chat.postMessage({ channel: 'C_ALERTS', text: 'Confirm restart?' });
    const url = fake.responseUrl('act-1', { channel: 'C_ALERTS', messageTs: ts });
    expect((await postJson(url, { replace_original: true, text: 'Restarted' })).status).toBe(200);
    expect(fake.message('C_ALERTS', ts!)).toMatchObject({ text: 'Restarted', edits: [expect.objectContaining({ text: 'Confirm restart?' })] });
  });

  it('answers garbage without falling over', async () => {
    expect(await (await postJson(`${fake.url}chat.postMessage`, '{nope')).json()).toMatchObject({ ok: false, error: 'invalid_json' });
    expect(await (await postJson(`${fake.url}no.such`, {})).json()).toMatchObject({ ok: false, error: 'unknown_method' });
    expect((await postJson(`${fake.url}chat.postMessage`, 'x'.repeat(3 * 1024 * 1024), 'text/plain')).status).toBe(413);
    expect((await fetch(`${fake.origin}/elsewhere`)).status).toBe(404);
    expect(await (await postJson(`${fake.url}%E0%A4%A`, {})).json()).toMatchObject({ error: 'unknown_method' });
    expect((await fetch(`${fake.url}auth.test`, { method: 'PUT' })).status).toBe(405);
    const json = await postJson(`${fake.url}chat.postMessage`, { channel: 'C_ALERTS', text: 'json body' });
    expect(await json.json()).toMatchObject({ ok: false, error: 'not_authed' });
    const form = await fetch(`${fake.url}auth.test`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }) });
    expect(await form.json()).toMatchObject({ ok: true });
  });

  it('waits for a call, and times out with a listing of the calls seen', async () => {
    setTimeout(() => void client(TOKEN).chat.postMessage({ channel: 'C_ALERTS', text: 'later' }), 50);
    const call = await fake.waitFor((f) => f.callsTo('chat.postMessage')[0], 2000);
    expect(call.body.text).toBe('later');
    await expect(fake.waitFor((f) => f.callsTo('chat.update').length > 0, 100))
      .rejects.toThrow(/not met within 100 ms[\s\S]*chat\.postMessage → 200 ok/);
  });

  it('can refuse replies to unknown threads instead', async () => {
    const strict = await startFakeSlack({ unknownThread: 'reject' });
    try {
      const c = new WebClient(TOKEN, { slackApiUrl: strict.url, logger: quiet, retryConfig: { retries: 0 } });
      await expect(c.chat.postMessage({ channel: 'C_ALERTS', text: 'x', thread_ts: '1.000001' })).rejects.toMatchObject({ data: { error: 'thread_not_found' } });
    } finally {
      await strict.close();
    }
  });
});
