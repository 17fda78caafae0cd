import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack.js';

// Reading back what was posted, with its message metadata, and answers lost after the call took
// effect: through the real WebClient, as diagbot reads them.
const { WebClient, ErrorCode, LogLevel } = webApi;
const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
const META = { event_type: 'diagbot_post', event_payload: { incident: 7, revision: 2, kind: 'parent' } };

let fake: FakeSlack;
const client = (timeout = 2000) => new WebClient('xoxb-test-token', { slackApiUrl: fake.url, logger: quiet, retryConfig: { retries: 0 }, timeout });

beforeAll(async () => { fake = await startFakeSlack(); });
afterEach(() => fake.reset());
afterAll(async () => { await fake.close(); });

describe('fake Slack: message metadata and history', () => {
  it('stores metadata and returns it from conversations.history only with include_all_metadata', async () => {
    const c = client();
    const { ts } = await c.chat.postMessage({ channel: 'C_ALERTS', text: 'parent', metadata: META });
    await c.chat.postMessage({ channel: 'C_ALERTS', text: 'plain' });
    const bare = await c.conversations.history({ channel: 'C_ALERTS' });
    expect(bare.messages?.map((m) => m.text)).toEqual(['plain', 'parent']);
    expect(bare.messages?.some((m) => 'metadata' in m)).toBe(false);
    const full = await c.conversations.history({ channel: 'C_ALERTS', include_all_metadata: true });
    expect(full.messages?.find((m) => m.ts === ts)).toMatchObject({ metadata: META, bot_id: 'B_BOT', user: 'U_BOT' });
  });

  it('refuses malformed metadata as Slack does', async () => {
    const err = await client().chat.postMessage({ channel: 'C_ALERTS', text: 'x', metadata: { event_type: 'has space', event_payload: {} } })
      .catch((e: { data?: { error?: string } }) => e);
    expect((err as { data?: { error?: string } }).data?.error).toBe('invalid_metadata_format');
    expect(fake.messages('C_ALERTS')).toEqual([]);
  });

  it('conversations.replies: parent first, then replies since oldest, in cursor pages', async () => {
    const c = client();
    const { ts: parent } = await c.chat.postMessage({ channel: 'C_ALERTS', text: 'p' });
    const replies: string[] = [];
    for (let i = 0; i < 5; i++) replies.push((await c.chat.postMessage({ channel: 'C_ALERTS', text: `r${i}`, thread_ts: parent!, metadata: META })).ts!);
    const first = await c.conversations.replies({ channel: 'C_ALERTS', ts: parent!, oldest: replies[1], limit: 2, include_all_metadata: true });
    expect(first.messages?.map((m) => m.text)).toEqual(['p', 'r2']);
    expect(first.has_more).toBe(true);
    const next = await c.conversations.replies({ channel: 'C_ALERTS', ts: parent!, oldest: replies[1], limit: 2, cursor: first.response_metadata!.next_cursor! });
    expect(next.messages?.map((m) => m.text)).toEqual(['r3', 'r4']);
    expect(next.response_metadata?.next_cursor).toBe('');
  });

  it('answers missing_scope without channels:history / groups:history, not_in_channel outside it', async () => {
    const narrow = await startFakeSlack({ scopes: ['chat:write', 'commands'] });
    try {
      const c = new WebClient('xoxb-test-token', { slackApiUrl: narrow.url, logger: quiet, retryConfig: { retries: 0 } });
      const pub = await c.conversations.history({ channel: 'C_ALERTS' }).catch((e: { data?: unknown }) => e.data);
      expect(pub).toMatchObject({ ok: false, error: 'missing_scope', needed: 'channels:history' });
      const priv = await c.conversations.replies({ channel: 'G_PRIVATE', ts: '1.000001' }).catch((e: { data?: unknown }) => e.data);
      expect(priv).toMatchObject({ ok: false, error: 'missing_scope', needed: 'groups:history' });
    } finally { await narrow.close(); }
    const out = await client().conversations.history({ channel: 'C_NOT_MEMBER' }).catch((e: { data?: unknown }) => e.data);
    expect(out).toMatchObject({ ok: false, error: 'not_in_channel' });
  });
});

describe('fake Slack: answers lost after the call took effect', () => {
  it("'reset': the post is made, the client sees a broken connection", async () => {
    fake.dropAnswerNext(1, 'reset', 'chat.postMessage');
    const err = await client().chat.postMessage({ channel: 'C_ALERTS', text: 'lost answer' }).then(() => null, (e: { code?: string }) => e);
    expect(err?.code).toBe(ErrorCode.RequestError);
    expect(fake.messages('C_ALERTS').map((m) => m.text)).toEqual(['lost answer']);
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ status: 0, response: { ok: true, answer_dropped: 'reset' } });
    // The next call is answered normally.
    expect((await client().chat.postMessage({ channel: 'C_ALERTS', text: 'ok' })).ok).toBe(true);
  });

  it("'hang': the post is made, the client times out", async () => {
    fake.dropAnswerNext(1, 'hang', 'chat.postMessage');
    const started = Date.now();
    const err = await client(300).chat.postMessage({ channel: 'C_ALERTS', text: 'slow answer' }).then(() => null, (e: { code?: string }) => e);
    expect(err?.code).toBe(ErrorCode.RequestError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(fake.messages('C_ALERTS').map((m) => m.text)).toEqual(['slow answer']);
  });
});
