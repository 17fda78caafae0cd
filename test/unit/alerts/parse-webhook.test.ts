import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildHostIndex, hostPart, matchAlertHosts } from '../../../src/core/alerts/match-hosts.js';
import { parseWebhook, PayloadError } from '../../../src/core/alerts/parse-webhook.js';
import { bearerMatches } from '../../../src/web/bearer-auth.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/alerts/${name}`, import.meta.url), 'utf8'));

describe('webhook payloads', () => {
  it('normalises a real Alertmanager v4 delivery', () => {
    const g = parseWebhook('alertmanager', fixture('alertmanager-firing.json'));
    expect(g.status).toBe('firing');
    expect(g.alerts.length).toBeGreaterThanOrEqual(2);
    expect(g.alerts.every((a) => a.endsAt === null && /^[0-9a-f]{16}$/.test(a.fingerprint))).toBe(true);
    expect(g.groupKey).toMatch(/^alertmanager:[0-9a-f]{16}$/);
    const resolved = parseWebhook('alertmanager', fixture('alertmanager-resolved.json'));
    expect(resolved.status).toBe('resolved');
    expect(resolved.groupKey).toBe(g.groupKey);
  });

  it('normalises a Grafana delivery', () => {
    const g = parseWebhook('grafana', fixture('grafana-firing.json'));
    expect(g.source).toBe('grafana');
    expect(g.alerts[0]!.fingerprint).toMatch(/^[0-9a-f]+$/);
    expect(g.title.length).toBeGreaterThan(0);
  });

  it('redacts secrets people paste into annotations and generator URLs, keeping labels exact', () => {
    const body = fixture('alertmanager-firing.json');
    body.alerts[0].annotations.description = 'curl -H "Authorization: Bearer sk_live_51Habcdefghijklmnopqrstuv" https://ops:hunter2pass@runbook.example/x';
    body.alerts[0].generatorURL = 'https://admin:s3cretpw@prometheus.example/graph?g0.expr=up';
    const a = parseWebhook('alertmanager', body).alerts[0]!;
    expect(JSON.stringify(a)).not.toMatch(/sk_live_51H|hunter2pass|s3cretpw/);
    expect(a.annotations.description).toContain('runbook.example');
    expect(a.labels).toEqual(body.alerts[0].labels);
  });

  it('rejects malformed bodies with the field named', () => {
    expect(() => parseWebhook('alertmanager', { version: '4', status: 'firing', alerts: [] })).toThrow(PayloadError);
    expect(() => parseWebhook('alertmanager', { ...fixture('alertmanager-firing.json'), version: '3' })).toThrow(/version/);
    expect(() => parseWebhook('alertmanager', 'hello')).toThrow(PayloadError);
    const bad = fixture('alertmanager-firing.json');
    bad.alerts[0].startsAt = 'yesterday';
    expect(() => parseWebhook('alertmanager', bad)).toThrow(/alerts\.0\.startsAt/);
  });
});

describe('alert → inventory hosts', () => {
  const index = buildHostIndex([
    { name: 'web-1', address: '10.0.3.11', labels: { service: 'checkout', role: 'web' } },
    { name: 'web-2', address: '10.0.3.12', labels: {} },
    { name: 'db-1', address: 'db-1.internal', labels: { role: 'db' } },
  ]);

  it('reads host:port, brackets and URLs', () => {
    expect(hostPart('web-1:9100')).toBe('web-1');
    expect(hostPart('[::1]:9100')).toBe('::1');
    expect(hostPart('https://10.0.3.12:8443/metrics')).toBe('10.0.3.12');
  });

  it('matches instance, host, addresses and inventory labels exactly', () => {
    expect(matchAlertHosts({ instance: '10.0.3.11:9100' }, index).hosts).toEqual(['web-1']);
    expect(matchAlertHosts({ host: 'WEB-2' }, index).hosts).toEqual(['web-2']);
    expect(matchAlertHosts({ service: 'checkout', role: 'web' }, index).hosts).toEqual(['web-1']);
    expect(matchAlertHosts({ service: 'checkout' }, index).hosts).toEqual([]);
  });

  it('reports hostile or unknown hosts as unmatched and never as hosts', () => {
    for (const hostile of ['web-1;reboot', '$(touch /tmp/x)', 'web-1.evil.com', '-oProxyCommand=x', 'web-１']) {
      const m = matchAlertHosts({ instance: hostile }, index);
      expect(m.hosts).toEqual([]);
      expect(m.unmatched).toEqual([hostile]);
    }
  });
});

describe('bearer token check', () => {
  it('accepts only the exact token', () => {
    expect(bearerMatches('Bearer s3cret-token-0123456', 's3cret-token-0123456')).toBe(true);
    expect(bearerMatches('bearer s3cret-token-0123456', 's3cret-token-0123456')).toBe(true);
    expect(bearerMatches('Bearer s3cret-token-012345', 's3cret-token-0123456')).toBe(false);
    expect(bearerMatches('Basic s3cret-token-0123456', 's3cret-token-0123456')).toBe(false);
    expect(bearerMatches(undefined, 's3cret-token-0123456')).toBe(false);
    expect(bearerMatches('Bearer ', '')).toBe(false);
  });
});
