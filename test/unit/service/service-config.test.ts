import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { readFileSync } from 'node:fs';
import { describeConfig, loadServiceConfig, SERVICE_SETTINGS } from '../../../src/config/service-config.js';

const GOOD = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-secret', DATABASE_URL: 'postgres://u:pw@db/diagbot',
  ALERT_CHANNEL: 'C0123ABC', WEBHOOK_TOKEN: 'a-long-webhook-token-123', ACTION_APPROVERS: 'U01ABC, S02XYZ',
};

function problems(env: Record<string, string | undefined>, role: 'web' | 'worker' | 'start' | 'migrate' = 'start'): string[] {
  try {
    loadServiceConfig(env, role);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

describe('service config', () => {
  it('accepts a complete environment and applies SPEC defaults', () => {
    const cfg = loadServiceConfig(GOOD, 'start');
    expect(cfg.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(cfg.PORT).toBe(3000);
    expect(cfg.DIAGBOT_INVENTORY).toBe('./inventory.yaml');
    expect(cfg.ACTION_APPROVERS).toEqual(['U01ABC', 'S02XYZ']);
  });

  it('lists every problem at once', () => {
    const found = problems({ SLACK_BOT_TOKEN: 'nope', PORT: '70000', ALERT_CHANNEL: '#alerts', ACTION_APPROVERS: 'bob' });
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^SLACK_BOT_TOKEN: .*xoxb-/), expect.stringMatching(/^SLACK_SIGNING_SECRET is not set/),
      expect.stringMatching(/^DATABASE_URL is not set/), expect.stringMatching(/^WEBHOOK_TOKEN is not set/),
      expect.stringMatching(/^PORT: /), expect.stringMatching(/^ALERT_CHANNEL: .*channel id/), expect.stringMatching(/^ACTION_APPROVERS: /),
    ]));
    expect(found).toHaveLength(7);
  });

  it('refuses an empty signing secret', () => {
    expect(problems({ ...GOOD, SLACK_SIGNING_SECRET: '' })).toEqual([expect.stringMatching(/SLACK_SIGNING_SECRET is not set/)]);
    expect(problems({ ...GOOD, SLACK_SIGNING_SECRET: '   ' })).toHaveLength(1);
  });

  it('asks each role only for what it needs', () => {
    expect(problems({ DATABASE_URL: GOOD.DATABASE_URL }, 'migrate')).toEqual([]);
    expect(problems({ SLACK_BOT_TOKEN: GOOD.SLACK_BOT_TOKEN, DATABASE_URL: GOOD.DATABASE_URL, ALERT_CHANNEL: 'C1234' }, 'worker')).toEqual([]);
    expect(problems({}, 'migrate')).toEqual([expect.stringMatching(/DATABASE_URL/)]);
  });

  it('requires an app token for Socket Mode', () => {
    expect(problems({ ...GOOD, SLACK_SOCKET_MODE: 'true' })).toEqual([expect.stringMatching(/SLACK_APP_TOKEN/)]);
    expect(problems({ ...GOOD, SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: 'xapp-1-abc' })).toEqual([]);
  });

  it('never describes secrets in clear', () => {
    const text = JSON.stringify(describeConfig(loadServiceConfig(GOOD, 'start')));
    for (const secret of ['xoxb-1-2-abc', 'secret-secret', ':pw@', 'a-long-webhook-token-123']) expect(text).not.toContain(secret);
  });

  it('is documented completely in .env.example, a comment per setting', () => {
    const lines = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8').split('\n');
    for (const key of SERVICE_SETTINGS) {
      const at = lines.findIndex((l) => l.startsWith(`${key}=`));
      expect(at, key).toBeGreaterThan(0);
      expect(lines[at - 1], `comment above ${key}`).toMatch(/^# \S/);
    }
  });
});
