import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerPayload, grafanaPayload, labelsFingerprint, type AlertmanagerWebhook, type GrafanaWebhook } from '../helpers/alert-payloads.js';
import { startAlertmanager, type AlertInput, type Alertmanager } from '../helpers/alertmanager.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/alerts');
// UPDATE_ALERT_FIXTURES=1 rewrites the captured fixtures; otherwise a capture must keep their shape.
const UPDATE = process.env.UPDATE_ALERT_FIXTURES === '1';
const TOKEN = 'diagbot-test-token';

const ALERTS: AlertInput[] = [
  {
    labels: { alertname: 'HighErrorRate', instance: '127.0.10.5:8080', severity: 'critical' },
    annotations: { summary: 'HTTP 5xx above 5% on 127.0.10.5:8080' },
    generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=rate%28http_requests_total%7Bcode%3D~%225..%22%7D%5B5m%5D%29',
  },
  {
    labels: { alertname: 'HighErrorRate', host: 'web-2', severity: 'critical' },
    annotations: { summary: 'HTTP 5xx above 5% on web-2' },
  },
];

interface Hook { at: number; headers: IncomingHttpHeaders; body: AlertmanagerWebhook }

/** Keys and value types only: what a parser relies on, without timestamps or ports. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  return typeof v;
}

function checkFixture(name: string, captured: unknown): void {
  const path = join(FIXTURES, name);
  if (UPDATE) {
    writeFileSync(path, `${JSON.stringify(captured, null, 2)}\n`);
    return;
  }
  if (!existsSync(path)) throw new Error(`${path} missing: run with UPDATE_ALERT_FIXTURES=1 to capture it`);
  expect(shape(captured), `${name} no longer matches what Alertmanager sends`).toEqual(shape(JSON.parse(readFileSync(path, 'utf8'))));
}

describe('real Alertmanager delivering to a webhook', () => {
  const hooks: Hook[] = [];
  let receiver: Server;
  let am: Alertmanager | undefined;

  const nextHook = async (status: string, timeoutMs: number): Promise<Hook> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = hooks.find((h) => h.body.status === status);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${status} webhook within ${timeoutMs} ms; got ${hooks.length} others. Alertmanager log:\n${am?.logTail()}`);
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => { raw += c; });
      req.on('end', () => {
        hooks.push({ at: Date.now(), headers: req.headers, body: JSON.parse(raw) as AlertmanagerWebhook });
        res.end();
      });
    });
    receiver.requestTimeout = 5_000;
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const { port } = receiver.address() as AddressInfo;
    am = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${port}/hook`, bearerToken: TOKEN, groupWait: '1s', groupInterval: '1s' });
  });

  afterAll(async () => {
    await am?.stop();
    if (!receiver) return;
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });

  it('groups both alerts into one firing webhook with the bearer token', async () => {
    const posted = Date.now();
    await am!.postAlerts(ALERTS);
    const hook = await nextHook('firing', 6_000);
    // Measured ~1.05 s (group_wait 1s); the rest is slack for a loaded machine.
    expect(hook.at - posted).toBeLessThan(4_000);
    expect(hook.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.body).toMatchObject({
      version: '4', status: 'firing', receiver: 'webhook', truncatedAlerts: 0,
      groupKey: '{}:{alertname="HighErrorRate"}',
      groupLabels: { alertname: 'HighErrorRate' },
      commonLabels: { alertname: 'HighErrorRate', severity: 'critical' },
      externalURL: am!.url,
    });
    expect(hook.body.alerts).toHaveLength(2);
    expect(hook.body.alerts.map((a) => a.labels)).toEqual(expect.arrayContaining(ALERTS.map((a) => a.labels)));
    for (const a of hook.body.alerts) {
      expect(a).toMatchObject({ status: 'firing', endsAt: '0001-01-01T00:00:00Z', fingerprint: labelsFingerprint(a.labels) });
    }
    expect(hooks.filter((h) => h.body.status === 'firing')).toHaveLength(1);
    checkFixture('alertmanager-firing.json', hook.body);
    if (UPDATE) checkFixture('alertmanager-request-headers.json', hook.headers);
  });

  it('sends a resolved webhook once the alerts are resolved', async () => {
    const resolved = Date.now();
    await am!.resolveAlerts(ALERTS);
    const hook = await nextHook('resolved', 6_000);
    // Not pushed at once: the resolved batch goes out on the group's next group_interval tick after the firing flush.
    expect(hook.at - resolved).toBeLessThan(4_000);
    expect(hook.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(hook.body).toMatchObject({ version: '4', status: 'resolved', groupKey: '{}:{alertname="HighErrorRate"}' });
    expect(hook.body.alerts).toHaveLength(2);
    for (const a of hook.body.alerts) {
      expect(a.status).toBe('resolved');
      expect(Date.parse(a.endsAt)).toBeGreaterThan(Date.parse(a.startsAt));
    }
    checkFixture('alertmanager-resolved.json', hook.body);
  });

  it('has builders that reproduce what the binary sent', () => {
    for (const status of ['firing', 'resolved'] as const) {
      const real = hooks.find((h) => h.body.status === status)!.body;
      const built = alertmanagerPayload({ status, alerts: real.alerts.map(({ labels, annotations }) => ({ labels, annotations })) });
      expect(shape(built)).toEqual(shape(real));
      expect(built.groupKey).toBe(real.groupKey);
      expect(built.commonLabels).toEqual(real.commonLabels);
      expect(built.alerts.map((a) => a.fingerprint)).toEqual(real.alerts.map((a) => a.fingerprint));
    }
  });
});

describe('grafana payload builder', () => {
  it('matches the documented Grafana webhook shape', () => {
    const doc = JSON.parse(readFileSync(join(FIXTURES, 'grafana-firing.json'), 'utf8')) as GrafanaWebhook;
    const built = grafanaPayload({
      alerts: doc.alerts.map(({ labels, annotations, values }) => ({ labels, annotations, values })),
      groupBy: Object.keys(doc.groupLabels),
    });
    expect(shape(built)).toEqual(shape(doc));
    expect(built).toMatchObject({ version: '1', state: 'alerting', orgId: 1, groupKey: doc.groupKey });
    expect(built.alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });
});
