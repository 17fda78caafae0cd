import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/fake-slack.js';
import { ALERT_CHANNEL, serviceEnv, startService, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { feedbackRowOf, RIGHT } from '../helpers/feedback-flow.js';
import { freePort } from '../helpers/free-port.js';
import { buttonClickPayload } from '../helpers/slack-signing.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// diagbot with SLACK_SOCKET_MODE=true, through Bolt's real SocketModeReceiver: the fake Slack
// hands out the WebSocket URL (apps.connections.open) and delivers envelopes on it like Slack.

const lab = inject('lab');
const INCIDENT = 'C0INCIDENT';
const APP_TOKEN = 'xapp-1-test-app-token';
let fake: FakeSlack;
let db: TestDatabase;
let svc: ServiceUnderTest;

const flat = (m: FakeMessage | undefined) => (m ? `${m.text}\n${JSON.stringify(m.blocks ?? [])}` : '');
const ackText = (payload: unknown) => JSON.stringify(payload ?? {});

beforeAll(async () => {
  fake = await startFakeSlack({ appToken: APP_TOKEN, channels: [{ id: ALERT_CHANNEL, name: 'alerts' }, { id: INCIDENT, name: 'incident' }] });
  db = await createTestDatabase('socketmode');
  svc = await startService(serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath,
    extra: { SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: APP_TOKEN, PORT: String(await freePort()) } }));
  await fake.socket.waitConnections(1);
});

afterAll(async () => {
  await svc?.stop();
  await fake?.close();
  await db?.drop();
});

describe('Socket Mode', () => {
  it('opens its connection at SLACK_API_URL with the app-level token', () => {
    const opens = fake.callsTo('apps.connections.open');
    expect(opens.length).toBeGreaterThanOrEqual(1);
    expect(opens[0]).toMatchObject({ token: APP_TOKEN, status: 200, response: { ok: true, url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/) } });
  });

  it('/diagnose over the socket: acked with the ephemeral answer, then the diagnosis posted in the channel', async () => {
    const started = Date.now();
    const ack = await fake.socket.slashCommand({ text: 'pool-exhausted', channel_id: INCIDENT, response_url: fake.responseUrl('sm-1') });
    expect(ack.at - started).toBeLessThan(3000);
    expect(ackText(ack.payload)).toMatch(/ephemeral/);
    expect(ackText(ack.payload)).toContain('pool-exhausted');
    const parent = await fake.waitFor((f) => f.messages(INCIDENT).find((m) => m.replies.some((r) => flat(r).includes('db_pool_exhaustion'))), 60_000);
    expect(parent.replies).toHaveLength(1);
  });

  it('a button press over the socket is acked and handled (the feedback is recorded and answered)', async () => {
    const parent = fake.messages(INCIDENT).find((m) => m.replies.length > 0)!;
    const reply = parent.replies[0]!;
    const right = feedbackRowOf(reply)?.find((e) => e.action_id === RIGHT);
    expect(right?.value).toBeTruthy();
    const ack = await fake.socket.interactive(buttonClickPayload({ actionId: RIGHT, value: right!.value, channelId: INCIDENT, messageTs: reply.ts,
      responseUrl: fake.responseUrl('sm-press', { channel: INCIDENT, user: 'U_ALICE' }), message: reply as unknown as Record<string, unknown> }));
    expect(ack.envelope_id).toBeTruthy();
    const answer = await fake.waitFor((f) => f.callsTo('response_url').find((c) => c.responseUrlId === 'sm-press')?.body.text as string | undefined, 15_000);
    expect(answer).toMatch(/recorded/i);
    const rows = await svc.ctx.pool.query('SELECT verdict FROM diagnosis_feedback');
    expect(rows.rowCount).toBe(1);
  });

  for (const reason of ['refresh_requested', 'link_disabled'] as const) {
    it(`reconnects after a disconnect (${reason}) and keeps answering`, async () => {
      const before = fake.socket.connections;
      fake.socket.disconnect(reason);
      await fake.socket.waitConnections(before + 1, 20_000);
      const ack = await fake.socket.slashCommand({ text: 'help', channel_id: INCIDENT });
      expect(ackText(ack.payload)).toMatch(/\/diagnose HOST/);
    });
  }

  it('reconnects after the socket is dropped without a close frame', async () => {
    const before = fake.socket.connections;
    const opens = fake.callsTo('apps.connections.open').length;
    fake.socket.drop();
    await fake.socket.waitConnections(before + 1, 30_000);
    // Each connection uses a fresh URL: the client asked again.
    expect(fake.callsTo('apps.connections.open').length).toBeGreaterThan(opens);
    const ack = await fake.socket.slashCommand({ text: 'help', channel_id: INCIDENT });
    expect(ackText(ack.payload)).toMatch(/\/diagnose HOST/);
  });
});
