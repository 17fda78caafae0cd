import { describe, expect, it } from 'vitest';
import { blockActionsBody, buttonClickPayload, signSlackRequest, slashCommandBody } from '../../helpers/slack-signing.js';

describe('signSlackRequest', () => {
  it('reproduces the example Slack publishes in "Verifying requests from Slack"', () => {
    const body = slashCommandBody({
      token: 'xyzz0WbapA4vBCDEFasx0q6G', team_id: 'T1DC2JH3J', team_domain: 'testteamnow', channel_id: 'G8PSS9T3V',
      channel_name: 'foobar', user_id: 'U2CERLKJA', user_name: 'roadrunner', command: '/webhook-collect', text: '',
      api_app_id: null, is_enterprise_install: null,
      response_url: 'https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN',
      trigger_id: '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    });
    expect(body).toBe('token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V'
      + '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text='
      + '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN'
      + '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c');
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
      'content-type': 'application/x-www-form-urlencoded',
    });
  });

  it('matches an HMAC computed independently with WebCrypto', async () => {
    const secret = 'test-signing-secret';
    const body = slashCommandBody({ text: 'api-1 since 10m', trigger_id: '1.2.abc' });
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`v0:1700000000:${body}`));
    const hex = Buffer.from(mac).toString('hex');
    expect(signSlackRequest(secret, body, 1700000000, 'application/json')).toEqual({
      'x-slack-signature': `v0=${hex}`, 'x-slack-request-timestamp': '1700000000', 'content-type': 'application/json',
    });
  });
});

describe('Slack request bodies', () => {
  it('encodes a slash command like Slack, with defaults a test can override', () => {
    const body = slashCommandBody({ text: 'api-1 & db-1 <@U1>', user_id: 'U_BOB' });
    expect(body).toContain('command=%2Fdiagnose&text=api-1+%26+db-1+%3C%40U1%3E');
    const fields = Object.fromEntries(new URLSearchParams(body));
    expect(fields).toMatchObject({ command: '/diagnose', text: 'api-1 & db-1 <@U1>', user_id: 'U_BOB', channel_id: 'C_INCIDENT', team_id: 'T_TEST' });
    expect(fields.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    expect(Object.keys(fields)).toEqual(['token', 'team_id', 'team_domain', 'channel_id', 'channel_name', 'user_id', 'user_name',
      'command', 'text', 'api_app_id', 'is_enterprise_install', 'response_url', 'trigger_id']);
  });

  it('puts an interaction payload in the payload field', () => {
    const payload = buttonClickPayload({ actionId: 'restart', value: 'api-1', messageTs: '1732200000.000100' });
    const body = blockActionsBody(payload);
    expect(body.startsWith('payload=%7B%22type%22%3A%22block_actions%22')).toBe(true);
    const parsed = JSON.parse(new URLSearchParams(body).get('payload') ?? '') as Record<string, unknown>;
    expect(parsed).toEqual(payload);
    expect(parsed).toMatchObject({ container: { message_ts: '1732200000.000100' }, actions: [{ action_id: 'restart', value: 'api-1', type: 'button' }] });
  });
});
