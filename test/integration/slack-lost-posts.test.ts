import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/fake-slack.js';
import { ALERT_CHANNEL, serviceEnv, startService, TEST_SIGNING_SECRET, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { postSigned, slashCommandBody } from '../helpers/slack-signing.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// A chat.postMessage Slack carried out but whose answer never came back (reset connection, or an
// answer hanging past the 10 s client timeout): the retry finds the message by its metadata and
// does not post it again. Without the history scopes it cannot look, and posts again (documented).

const lab = inject('lab');
const INCIDENT = 'C0INCIDENT';
let fake: FakeSlack;
let db: TestDatabase;
let svc: ServiceUnderTest;

const flat = (m: FakeMessage | undefined) => (m ? `${m.text}\n${JSON.stringify(m.blocks ?? [])}` : '');
const slash = (text: string) => postSigned(`${svc.url}/slack/events`, TEST_SIGNING_SECRET,
  slashCommandBody({ text, channel_id: INCIDENT, response_url: fake.responseUrl(`r-${Math.random()}`) }));
const withFindings = (f: FakeSlack, host: string, cause: string) =>
  f.messages(INCIDENT).find((m) => flat(m).includes(host) && m.replies.some((r) => flat(r).includes(cause)));
const metadataOf = (m: FakeMessage | undefined) => m?.metadata as { event_type: string; event_payload: Record<string, unknown> } | undefined;

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }, { id: INCIDENT, name: 'incident' }] });
  db = await createTestDatabase('lostposts');
  svc = await startService(serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath }));
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await svc?.stop();
  await fake?.close();
  await db?.drop();
});

describe('posts whose answer was lost', () => {
  it('parent accepted, connection reset: found by its metadata, posted once, the thread continues under it', async () => {
    fake.dropAnswerNext(1, 'reset', 'chat.postMessage');
    expect((await slash('pool-exhausted')).status).toBe(200);
    const parent = await fake.waitFor((f) => withFindings(f, 'pool-exhausted', 'db_pool_exhaustion'), 60_000);
    expect(fake.messages(INCIDENT)).toHaveLength(1);
    expect(parent.replies).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ status: 0 });
    expect(metadataOf(parent)).toMatchObject({ event_type: 'diagbot_post', event_payload: { kind: 'parent', incident: expect.any(Number) } });
    expect(metadataOf(parent.replies[0])).toMatchObject({ event_payload: { kind: 'diagnosis', host: 'pool-exhausted', subject: expect.any(Number) } });
    const lookup = fake.callsTo('conversations.history')[0];
    expect(lookup?.body).toMatchObject({ channel: INCIDENT, include_all_metadata: 'true' });
    const stored = await svc.ctx.pool.query<{ parent_ts: string }>("SELECT parent_ts FROM incidents WHERE title LIKE '%pool-exhausted%'");
    expect(stored.rows.map((r) => r.parent_ts)).toContain(parent.ts);
  });

  it('thread reply accepted, answer hung past the client timeout: found in the thread, posted once', async () => {
    expect((await slash('disk-full')).status).toBe(200);
    await fake.waitFor((f) => f.messages(INCIDENT).find((m) => flat(m).includes('disk-full')), 15_000);
    fake.dropAnswerNext(1, 'hang', 'chat.postMessage');
    // The retry (after the 10 s timeout) reads the thread, finds the reply and updates it in place.
    await fake.waitFor((f) => f.callsTo('conversations.replies').length > 0 && f.callsTo('chat.update').some((c) => c.at > f.callsTo('conversations.replies')[0]!.at), 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const parent = fake.messages(INCIDENT).find((m) => flat(m).includes('disk-full'))!;
    expect(parent.replies).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === parent.ts)).toHaveLength(1);
    expect(fake.callsTo('conversations.replies')[0]?.body).toMatchObject({ ts: parent.ts, include_all_metadata: 'true' });
  });

  it('without channels:history the lookup is refused: the post is made again (at-least-once), logged once', async () => {
    fake.setScopes(['commands', 'chat:write', 'usergroups:read']);
    fake.dropAnswerNext(1, 'reset', 'chat.postMessage');
    expect((await slash('oom')).status).toBe(200);
    await fake.waitFor((f) => withFindings(f, 'oom', 'oom'), 60_000);
    expect(fake.messages(INCIDENT).filter((m) => flat(m).includes('oom'))).toHaveLength(2);
    expect(fake.callsTo('conversations.history')[0]?.response).toMatchObject({ ok: false, error: 'missing_scope', needed: 'channels:history' });
    expect(svc.logs.filter((l) => String(l.msg).includes('at-least-once'))).toHaveLength(1);
  });
});
