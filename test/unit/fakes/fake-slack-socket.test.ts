import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack.js';

// The fake's Socket Mode held to Bolt's real SocketModeReceiver (@slack/socket-mode): the URL
// from apps.connections.open, hello, envelopes and their acks, disconnect and dropped sockets.
const APP_TOKEN = 'xapp-1-unit';
const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
let fake: FakeSlack;
let app: App;
const pressed: string[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ appToken: APP_TOKEN });
  const receiver = new SocketModeReceiver({ appToken: APP_TOKEN, logger: quiet, installerOptions: { clientOptions: { slackApiUrl: fake.url } } });
  app = new App({ receiver, logger: quiet, authorize: async () => ({ botToken: 'xoxb-test-token' }), clientOptions: { slackApiUrl: fake.url } });
  app.command('/diagnose', async ({ ack, command }) => { await ack({ response_type: 'ephemeral', text: `diagnosing ${command.text}` }); });
  app.action('press', async ({ ack, action }) => { await ack(); pressed.push((action as { value?: string }).value ?? ''); });
  await app.start();
  await fake.socket.waitConnections(1);
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
});

describe('fake Slack Socket Mode with Bolt', () => {
  it('apps.connections.open wants the app-level token and gives a single-use ws:// URL', async () => {
    expect(fake.callsTo('apps.connections.open')[0]).toMatchObject({ token: APP_TOKEN, response: { ok: true } });
    const bot = await fetch(`${fake.url}apps.connections.open`, { method: 'POST', headers: { authorization: 'Bearer xoxb-test-token' } });
    expect(await bot.json()).toMatchObject({ ok: false, error: 'not_allowed_token_type' });
    // The URL the client used does not open a second socket.
    const used = (fake.callsTo('apps.connections.open')[0]!.response as { url: string }).url;
    const again = await new Promise<string>((resolve) => {
      const ws = new WebSocket(used);
      ws.on('open', () => { ws.close(); resolve('opened'); });
      ws.on('error', () => resolve('refused'));
    });
    expect(again).toBe('refused');
  });

  it('delivers a slash command and gets the ack with its response payload', async () => {
    const ack = await fake.socket.slashCommand({ text: 'web-1' });
    expect(ack.payload).toEqual({ response_type: 'ephemeral', text: 'diagnosing web-1' });
  });

  it('delivers block_actions and gets an ack without payload', async () => {
    const ack = await fake.socket.interactive({
      type: 'block_actions', user: { id: 'U_ALICE' }, team: { id: 'T_TEST' }, api_app_id: 'A_DIAGBOT', token: 't', trigger_id: '1.2.abc',
      container: { type: 'message', message_ts: '1.000001', channel_id: 'C_INCIDENT' }, channel: { id: 'C_INCIDENT' },
      actions: [{ type: 'button', action_id: 'press', block_id: 'b', value: 'v1', action_ts: '1.1' }],
    });
    expect(ack.payload ?? {}).toEqual({});
    expect(pressed).toEqual(['v1']);
  });

  it('reconnects with a new URL after disconnect (refresh_requested) and after a dropped socket', async () => {
    const n = fake.socket.connections;
    fake.socket.disconnect('refresh_requested');
    await fake.socket.waitConnections(n + 1, 20_000);
    fake.socket.drop();
    await fake.socket.waitConnections(n + 2, 30_000);
    expect((await fake.socket.slashCommand({ text: 'after' })).payload).toMatchObject({ text: 'diagnosing after' });
  });
});
