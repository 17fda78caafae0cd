import { describe, expect, it } from 'vitest';
import { parseWebhook, PayloadError, storableText } from '../../../src/core/alerts/parse-webhook.js';
import { alertmanagerPayload } from '../../helpers/alert-payloads.js';

// Bodies the schema accepts must be storable in Postgres: otherwise the insert fails, the sender
// gets 503 and retries the same body forever (found by test/attack/webhook-fuzz.test.ts).

describe('text Postgres cannot store', () => {
  it('replaces NUL and unpaired surrogates by U+FFFD and keeps everything else', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\ud800y\udfffz')).toBe('x\uFFFDy\uFFFDz');
    expect(storableText('😀 é 中文 \u202e')).toBe('😀 é 中文 \u202e');
  });

  it('cleans labels (keys and values), annotations, names, URLs and the title', () => {
    const body = { ...alertmanagerPayload({ alerts: [{ labels: { alertname: 'A\u0000', 'k\ud800': 'v\udc00' },
      annotations: { summary: 's\u0000' }, generatorURL: 'http://x/\u0000' }] }), version: '1', title: 'T\u0000' };
    const g = parseWebhook('grafana', JSON.parse(JSON.stringify(body)));
    expect(JSON.stringify(g)).not.toMatch(/\\u0000|\\ud[89ab]|\\udc/i);
    expect(g.alerts[0]).toMatchObject({ name: 'A\uFFFD', labels: { alertname: 'A\uFFFD', 'k\uFFFD': 'v\uFFFD' }, annotations: { summary: 's\uFFFD' } });
    expect(g.title).toBe('T\uFFFD');
  });
});

describe('times Postgres cannot store', () => {
  it.each(['0000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', '0001-01-01T00:00:00+01:00'])(
    'refuses startsAt %s with the field named', (startsAt) => {
      const body = alertmanagerPayload({ alerts: [{ labels: { alertname: 'A' }, startsAt }] });
      expect(() => parseWebhook('alertmanager', body)).toThrow(PayloadError);
      expect(() => parseWebhook('alertmanager', body)).toThrow(/alerts\.0\.startsAt: must be an RFC 3339 time between years 1 and 9999/);
    });

  it('still takes the zero time for endsAt and the edges of the range', () => {
    const ok = (startsAt: string) => parseWebhook('alertmanager', alertmanagerPayload({ alerts: [{ labels: { alertname: 'A' }, startsAt }] }));
    expect(ok('0001-01-01T00:00:00Z').alerts[0]!.endsAt).toBeNull();
    expect(ok('9999-12-31T23:59:59.999Z').alerts[0]!.startsAt).toBe('9999-12-31T23:59:59.999Z');
  });
});
