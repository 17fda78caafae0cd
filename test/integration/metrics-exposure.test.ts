import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { startDiagbotProcess, type DiagbotProcess } from '../helpers/diagbot-process.js';
import { ALERT_CHANNEL, serviceEnv } from '../helpers/diagbot-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// /metrics names hosts, queues and Slack outcomes, so an operator can close it: METRICS_TOKEN
// (bearer) or METRICS_PORT (its own listener, loopback unless METRICS_HOST says otherwise).
// Real `diagbot web` and `diagbot worker` processes; /healthz and /readyz stay open throughout.

const lab = inject('lab');
const TOKEN = 'metrics-token-0123456789abcdef';
let fake: FakeSlack;
let db: TestDatabase;
const procs: DiagbotProcess[] = [];

const get = async (url: string, auth?: string) => {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000), ...(auth ? { headers: { authorization: auth } } : {}) });
  return { status: r.status, text: await r.text(), wwwAuthenticate: r.headers.get('www-authenticate') };
};
const listening = (p: DiagbotProcess, msg: string) => {
  const line = p.logs.find((l) => l.msg === msg);
  if (!line) throw new Error(`diagbot ${p.role} logged no "${msg}"`);
  return { url: `http://127.0.0.1:${String(line.port)}`, host: String(line.host) };
};
const start = async (role: 'web' | 'worker', extra: Record<string, string>) => {
  const p = await startDiagbotProcess(role, serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath,
    extra: { LOG_LEVEL: 'info', ...extra } }));
  procs.push(p);
  return p;
};

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }] });
  db = await createTestDatabase('metrics_exposure');
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGTERM', 10_000)));
  await fake?.close();
  await db?.drop();
});

describe('/metrics exposure', () => {
  it('METRICS_TOKEN: 401 without the bearer token or with a wrong one, 200 with it; health probes stay open', async () => {
    const web = await start('web', { METRICS_TOKEN: TOKEN });
    const none = await get(`${web.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.wwwAuthenticate).toMatch(/^Bearer /);
    expect(none.text).not.toContain('diagbot_');
    expect((await get(`${web.url}/metrics`, `Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await get(`${web.url}/metrics`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)).status).toBe(401);
    const ok = await get(`${web.url}/metrics`, `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('diagbot_webhooks_total');
    expect((await get(`${web.url}/healthz`)).status).toBe(200);
    expect((await get(`${web.url}/readyz`)).status).toBe(200);
    // The token never reaches the logs.
    expect(JSON.stringify(web.logs)).not.toContain(TOKEN);
  });

  it('METRICS_PORT: /metrics leaves PORT for its own loopback listener (worker and web alike)', async () => {
    const worker = await start('worker', { METRICS_PORT: '0' });
    const health = listening(worker, 'health listening');
    const metrics = listening(worker, 'metrics listening');
    expect(metrics.host).toBe('127.0.0.1');
    expect(metrics.url).not.toBe(health.url);
    expect((await get(`${health.url}/metrics`)).status).toBe(404);
    expect((await get(`${health.url}/readyz`)).status).toBe(200);
    const scraped = await get(`${metrics.url}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('diagbot_queue_jobs');
    // The metrics listener serves nothing else.
    expect((await get(`${metrics.url}/readyz`)).status).toBe(404);

    const web = await start('web', { METRICS_PORT: '0', METRICS_TOKEN: TOKEN });
    const webMetrics = listening(web, 'metrics listening');
    expect((await get(`${web.url}/metrics`)).status).toBe(404);
    expect((await get(`${web.url}/metrics`, `Bearer ${TOKEN}`)).status).toBe(404);
    // Both at once: the own listener still asks for the token.
    expect((await get(`${webMetrics.url}/metrics`)).status).toBe(401);
    expect((await get(`${webMetrics.url}/metrics`, `Bearer ${TOKEN}`)).status).toBe(200);
  });
});
