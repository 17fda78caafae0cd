import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { alertmanagerPayload } from '../helpers/alert-payloads.js';
import { startDiagbotProcess, type DiagbotProcess } from '../helpers/diagbot-process.js';
import { ALERT_CHANNEL, serviceEnv, TEST_SIGNING_SECRET, TEST_WEBHOOK_TOKEN } from '../helpers/diagbot-service.js';
import { postSigned, slashCommandBody } from '../helpers/slack-signing.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import pg from 'pg';

// Two `diagbot web` and two `diagbot worker` processes share one Redis and one Postgres, as
// a scaled-out install would; duplicates and restarts must never double-post.

const lab = inject('lab');
let fake: FakeSlack;
let db: TestDatabase;
let env: Record<string, string>;
let pool: pg.Pool;
const procs: DiagbotProcess[] = [];

const GROUPS = [
  { name: 'AppErrors', host: 'app-bug', expected: 'upstream_app_error' },
  { name: 'StockErrors', host: 'dependency-down', expected: 'dependency_down' },
  { name: 'UploadErrors', host: 'disk-full', expected: 'disk_full' },
];

function payload(g: (typeof GROUPS)[number]) {
  return alertmanagerPayload({ status: 'firing', groupKey: `{}:{alertname="${g.name}"}`, alerts: [
    { labels: { alertname: g.name, instance: `${lab.hosts[g.host]!.address}:9100` }, startsAt: '2026-11-21T02:00:00.000Z' },
    { labels: { alertname: g.name, host: g.host, path: '/api' }, startsAt: '2026-11-21T02:00:00.000Z' },
  ] });
}

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }, { id: 'C0INCIDENT', name: 'incident' }] });
  db = await createTestDatabase('multiproc');
  env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath, extra: { LOG_LEVEL: 'info' } });
  // All four start at once: the migration lock must make them agree on one schema.
  procs.push(...await Promise.all([
    startDiagbotProcess('web', env), startDiagbotProcess('web', env),
    startDiagbotProcess('worker', env), startDiagbotProcess('worker', env),
  ]));
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
}, 60_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGTERM')));
  await pool?.end();
  await fake?.close();
  await db?.drop();
});

describe('two web + two worker processes', () => {
  it('turns 60 concurrent duplicate deliveries over both web processes into one parent per group and one diagnosis per host', async () => {
    const webs = procs.filter((p) => p.role === 'web');
    const sends = Array.from({ length: 60 }, (_, i) => fetch(`${webs[i % 2]!.url}/webhooks/alertmanager`, {
      method: 'POST', body: JSON.stringify(payload(GROUPS[i % GROUPS.length]!)), signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_WEBHOOK_TOKEN}` },
    }).then((r) => r.status));
    expect(new Set(await Promise.all(sends))).toEqual(new Set([200]));

    const parents = await fake.waitFor((f) => {
      const ms = f.messages(ALERT_CHANNEL);
      return ms.length === GROUPS.length && ms.every((m) => m.replies.length >= 1) ? ms : null;
    }, 40_000);
    for (const g of GROUPS) {
      const parent = parents.find((m) => m.text.includes(g.name));
      expect(parent, g.name).toBeDefined();
      expect(parent!.replies).toHaveLength(1);
      expect(JSON.stringify(parent!.replies[0]!.blocks)).toContain(g.expected);
    }
    const perHost = await pool.query('SELECT host, count(*)::int AS n FROM diagnoses GROUP BY host ORDER BY host');
    expect(perHost.rows).toEqual(GROUPS.map((g) => ({ host: g.host, n: 1 })).sort((a, b) => a.host.localeCompare(b.host)));
    const received = await pool.query('SELECT sum(received_count)::int AS n, count(*)::int AS alerts FROM alerts');
    expect(received.rows[0]).toEqual({ n: 120, alerts: 6 });
  });

  it('survives a worker restart mid-run without posting anything twice', async () => {
    const before = fake.callsTo('chat.postMessage').length;
    const web = procs.find((p) => p.role === 'web')!;
    const res = await postSigned(`${web.url}/slack/events`, TEST_SIGNING_SECRET,
      slashCommandBody({ text: 'app-bug oom healthy', channel_id: 'C0INCIDENT', response_url: fake.responseUrl('mp') }));
    expect(res.status).toBe(200);
    // Stop one worker gracefully while the diagnoses run, and start a replacement.
    const worker = procs.find((p) => p.role === 'worker')!;
    expect(await worker.stop('SIGTERM')).toBe(0);
    procs.splice(procs.indexOf(worker), 1);
    procs.push(await startDiagbotProcess('worker', env));

    const parent = await fake.waitFor((f) => {
      const m = f.messages('C0INCIDENT')[0];
      return m && m.replies.length >= 3 ? m : null;
    }, 40_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.messages('C0INCIDENT')).toHaveLength(1);
    expect(fake.message('C0INCIDENT', parent.ts)!.replies).toHaveLength(3);
    expect(fake.callsTo('chat.postMessage').length - before).toBe(4);
  });
});
