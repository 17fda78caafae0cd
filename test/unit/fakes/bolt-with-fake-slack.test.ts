// Bolt's real HTTP receiver and client against the fake: proves signed requests pass Bolt's verification and that
// `slackApiUrl: fake.url` carries every outgoing call (auth.test at start, say, respond) to the fake.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack.js';
import { blockActionsBody, buttonClickPayload, nowSec, postSigned, slashCommandBody } from '../../helpers/slack-signing.js';

const SECRET = 'test-signing-secret';
let fake: FakeSlack;
let app: App;
let events: string;

beforeAll(async () => {
  fake = await startFakeSlack();
  app = new App({ token: 'xoxb-test-token', signingSecret: SECRET, clientOptions: { slackApiUrl: fake.url }, logLevel: LogLevel.ERROR });
  app.command('/diagnose', async ({ ack, respond, say, command }) => {
    await ack();
    await respond({ text: `checking ${command.text}` });
    await say({ text: 'report', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${command.text}*: ok` } }] });
  });
  app.action('restart', async ({ ack, respond }) => {
    await ack();
    await respond({ replace_original: true, text: 'restarting' });
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  events = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  await app.stop();
  await fake.close();
});

describe('Bolt against the fake Slack', () => {
  it('runs a signed slash command: ack, respond via response_url, say via chat.postMessage', async () => {
    const responseUrl = fake.responseUrl('cmd-1', { channel: 'C_INCIDENT', user: 'U_ALICE' });
    const res = await postSigned(events, SECRET, slashCommandBody({ text: 'api-1', response_url: responseUrl }));
    expect(res.status).toBe(200);
    const post = await fake.waitFor((f) => f.callsTo('chat.postMessage')[0]);
    expect(post.body).toMatchObject({ channel: 'C_INCIDENT', text: 'report' });
    expect(fake.callsTo('response_url')[0]?.body).toEqual({ text: 'checking api-1' });
    expect(fake.callsTo('auth.test').length).toBeGreaterThan(0);
  });

  it('replaces the clicked message when a button action responds', async () => {
    const ts = fake.seedMessage('C_INCIDENT', { text: 'Restart api-1?', user: 'U_BOT' });
    const responseUrl = fake.responseUrl('act-1', { channel: 'C_INCIDENT', messageTs: ts });
    const res = await postSigned(events, SECRET, blockActionsBody(buttonClickPayload({ actionId: 'restart', messageTs: ts, responseUrl })));
    expect(res.status).toBe(200);
    await fake.waitFor((f) => f.message('C_INCIDENT', ts)?.text === 'restarting');
  });

  it.each([
    ['a wrong signature', { signature: 'v0=deadbeef' }],
    ['a stale timestamp', { timestamp: nowSec() - 600 }],
    ['no signature header', { omitHeaders: ['x-slack-signature' as const] }],
  ])('refuses %s with 401', async (_name, opts) => {
    const res = await postSigned(events, SECRET, slashCommandBody({ text: 'x' }), opts);
    expect(res.status).toBe(401);
  });
});
