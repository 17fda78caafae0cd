import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack.js';
import { createLogger } from '../../../src/log/logger.js';
import { findPost } from '../../../src/slack/find-post.js';
import { postMetadata, type PostTag } from '../../../src/slack/post-tag.js';
import { SlackClient } from '../../../src/slack/slack-client.js';

// The lookup a post whose answer was lost goes through before it is sent again.
const lines: string[] = [];
const log = createLogger({ level: 'warn', destination: { write: (l: string) => { lines.push(l); return true; } } as unknown as NodeJS.WritableStream });
const body = (text: string) => ({ text, blocks: [] });
const parent: PostTag = { incident: 41, kind: 'parent', revision: 1 };
const reply: PostTag = { incident: 41, kind: 'diagnosis', revision: 3, subject: 9, host: 'web-1' };

let fake: FakeSlack;
let slack: SlackClient;
beforeAll(async () => {
  fake = await startFakeSlack();
  slack = new SlackClient({ token: 'xoxb-test-token', apiUrl: fake.url, log, timeoutMs: 2000 });
});
afterEach(() => { fake.reset(); lines.length = 0; });
afterAll(async () => { await fake.close(); });

const since = () => new Date(Date.now() - 1000);

describe('findPost', () => {
  it('finds a parent by its metadata, not another incident or another app posting the same', async () => {
    const other = postMetadata({ ...parent, incident: 42 });
    await slack.post('C_ALERTS', body('incident 42'), undefined, other);
    const ts = await slack.post('C_ALERTS', body('incident 41'), undefined, postMetadata(parent));
    fake.seedMessage('C_ALERTS', { text: 'a person' });
    expect(await findPost(slack, log, { channel: 'C_ALERTS', tag: parent, since: since() })).toEqual({ found: ts });
    expect(await findPost(slack, log, { channel: 'C_ALERTS', tag: { ...parent, incident: 43 }, since: since() })).toEqual({ found: null });
    // It asked with include_all_metadata and a bounded window.
    const call = fake.callsTo('conversations.history')[0]!;
    expect(call.body).toMatchObject({ channel: 'C_ALERTS', include_all_metadata: 'true', limit: '200' });
    expect(Number(call.body.oldest)).toBeGreaterThan(Date.now() / 1000 - 200);
  });

  it('finds a thread reply by diagnosis, whatever revision it showed', async () => {
    const p = await slack.post('C_ALERTS', body('p'), undefined, postMetadata(parent));
    await slack.post('C_ALERTS', body('other host'), p, postMetadata({ ...reply, subject: 10, host: 'web-2' }));
    const r = await slack.post('C_ALERTS', body('web-1'), p, postMetadata({ ...reply, revision: 1 }));
    expect(await findPost(slack, log, { channel: 'C_ALERTS', tag: reply, threadTs: p, since: since() })).toEqual({ found: r });
    expect(fake.callsTo('conversations.replies')).toHaveLength(1);
    expect(await findPost(slack, log, { channel: 'C_ALERTS', tag: { ...reply, subject: 11 }, threadTs: p, since: since() })).toEqual({ found: null });
  });

  it('ignores messages older than the first attempt (minus a clock margin)', async () => {
    await slack.post('C_ALERTS', body('old'), undefined, postMetadata(parent));
    const later = new Date(Date.now() + 600_000);
    expect(await findPost(slack, log, { channel: 'C_ALERTS', tag: parent, since: later })).toEqual({ found: null });
  });

  it('reads at most a few pages', async () => {
    for (let i = 0; i < 5; i++) fake.seedMessage('C_ALERTS', { text: `noise ${i}` });
    await slack.post('C_ALERTS', body('p'), undefined, postMetadata(parent));
    for (let i = 0; i < 650; i++) fake.seedMessage('C_ALERTS', { text: `newer ${i}` });
    expect(await findPost(slack, log, { channel: 'C_ALERTS', tag: parent, since: since() })).toEqual({ found: null });
    expect(fake.callsTo('conversations.history')).toHaveLength(3);
  });

  it('without the history scope: unreadable, logged once per channel, so the caller posts (at-least-once)', async () => {
    const narrow = await startFakeSlack({ scopes: ['chat:write', 'commands'] });
    try {
      const s = new SlackClient({ token: 'xoxb-test-token', apiUrl: narrow.url, log, timeoutMs: 2000 });
      const opts = { channel: 'C_INCIDENT', tag: parent, since: since() };
      expect(await findPost(s, log, opts)).toEqual({ unreadable: 'missing_scope' });
      expect(await findPost(s, log, opts)).toEqual({ unreadable: 'missing_scope' });
      expect(lines.filter((l) => l.includes('at-least-once'))).toHaveLength(1);
    } finally { await narrow.close(); }
    expect(await findPost(slack, log, { channel: 'C_NOT_MEMBER', tag: parent, since: since() })).toEqual({ unreadable: 'not_in_channel' });
  });

  it('a lookup that fails for another reason throws: the caller retries rather than posting blind', async () => {
    fake.serverErrorNext(1, 503, 'conversations.history');
    await expect(findPost(slack, log, { channel: 'C_ALERTS', tag: parent, since: since() })).rejects.toMatchObject({ slackError: 'http_503', ambiguous: true });
  });
});
