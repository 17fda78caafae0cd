import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/fake-slack.js';
import { startAlertmanager, type AlertInput, type Alertmanager } from '../helpers/alertmanager.js';
import { ALERT_CHANNEL, serviceEnv, startService, TEST_WEBHOOK_TOKEN, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// The real Prometheus Alertmanager delivers to diagbot, which diagnoses real lab hosts and
// posts into the fake Slack: the whole alert path with only Slack replaced.

const lab = inject('lab');
let fake: FakeSlack;
let db: TestDatabase;
let svc: ServiceUnderTest;
let am: Alertmanager;

const flat = (m: FakeMessage) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;

const ALERTS: AlertInput[] = [
  { labels: { alertname: 'CheckoutErrors', instance: `${lab.hosts['dependency-down']!.address}:8080`, severity: 'page' },
    annotations: { summary: '5xx ratio above 5% on checkout' } },
  { labels: { alertname: 'CheckoutErrors', host: 'disk-full', severity: 'page' }, annotations: { summary: 'uploads failing' } },
];

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }] });
  db = await createTestDatabase('am_e2e');
  svc = await startService(serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath }));
  am = await startAlertmanager({ webhookUrl: `${svc.url}/webhooks/alertmanager`, bearerToken: TEST_WEBHOOK_TOKEN,
    groupBy: ['alertname'], groupWait: '1s', groupInterval: '1s' });
});

afterAll(async () => {
  await am?.stop();
  await svc?.stop();
  await fake?.close();
  await db?.drop();
});

describe('Alertmanager → diagbot → Slack', () => {
  it('posts one thread per group whose findings name each host\'s root cause, then edits it on resolve', async () => {
    const sent = Date.now();
    await am.postAlerts(ALERTS);
    const parent = await fake.waitFor((f) => {
      const m = f.messages(ALERT_CHANNEL)[0];
      return m && m.replies.length >= 2 ? m : null;
    }, 40_000);
    const latencyMs = Date.now() - sent;
    const replies = parent.replies.map(flat);
    expect(replies.find((r) => r.includes('dependency-down'))).toContain('dependency_down');
    expect(replies.find((r) => r.includes('disk-full'))).toContain('disk_full');
    expect(flat(parent)).toContain('CheckoutErrors');
    expect(fake.messages(ALERT_CHANNEL)).toHaveLength(1);
    // Every version of the parent, and every reply, passed Slack's Block Kit checks.
    expect(fake.calls.filter((c) => c.status !== 200 || (c.response as { ok?: boolean }).ok !== true)).toEqual([]);
    console.log(`alert → findings posted: ${latencyMs} ms (group_wait 1 s included)`);

    await am.resolveAlerts(ALERTS);
    const resolved = await fake.waitFor((f) => {
      const m = f.messages(ALERT_CHANNEL)[0];
      return m && /resolved/i.test(m.text) && m.replies.length >= 3 ? m : null;
    }, 30_000);
    expect(resolved.ts).toBe(parent.ts);
    expect(resolved.replies.at(-1)!.text).toMatch(/resolved/i);
    expect(fake.messages(ALERT_CHANNEL)).toHaveLength(1);
    const rows = await svc.ctx.pool.query('SELECT status, resolved_at FROM incidents');
    expect(rows.rows).toEqual([{ status: 'resolved', resolved_at: expect.any(Date) }]);
  });
});
