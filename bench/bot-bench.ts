// The Slack bot under load, against floors measured in the same run:
//  (d) /diagnose ack latency at 50 concurrent signed requests vs GET /healthz on the same server;
//  (e) 10,000 alerts in 1,000 Alertmanager payloads: time to accept vs a bare JSON-reading
//      server, alerts lost, parents posted vs groups;
//  (f) alert received → findings posted on lab hosts vs diagnosing the same host directly.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadInventory } from '../src/config/inventory.js';
import { diagnoseHost } from '../src/triage/diagnose-host.js';
import { startFakeSlack } from '../test/fakes/fake-slack.js';
import { alertmanagerPayload } from '../test/helpers/alert-payloads.js';
import { ALERT_CHANNEL, serviceEnv, startService, TEST_SIGNING_SECRET, TEST_WEBHOOK_TOKEN } from '../test/helpers/diagbot-service.js';
import { postSigned, slashCommandBody } from '../test/helpers/slack-signing.js';
import { createTestDatabase } from '../test/helpers/test-database.js';
import { startDiagbotProcess } from '../test/helpers/diagbot-process.js';
import { startLab } from '../test/lab/lab.js';
import { fmt, inParallel, median, percentile } from './stats.js';

const FLEET = 10;
const lab = await startLab({ scenarios: ['healthy'], bench: FLEET });
const fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }, { id: 'C0BENCH', name: 'bench' }] });
const db = await createTestDatabase('bench');
const env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath, extra: { LOG_LEVEL: 'info', WORKER_CONCURRENCY: '16' } });
const rows: string[][] = [];
const timed = async <T>(fn: () => Promise<T>) => { const t = performance.now(); await fn(); return performance.now() - t; };

try {
  // (d) ack latency: a real `diagbot web` process (no worker), so the load generator does not
  // share its event loop; the floor is /healthz on the same process.
  const web = await startDiagbotProcess('web', env);
  const ack: number[] = [];
  const health: number[] = [];
  // Three warm-up rounds (JIT, connection pools), then ten measured rounds of 50.
  for (let round = 0; round < 13; round++) {
    const acks = await Promise.all(Array.from({ length: 50 }, (_, i) => postSigned(`${web.url}/slack/events`, TEST_SIGNING_SECRET,
      slashCommandBody({ text: `bench-${(i % FLEET) + 1}`, channel_id: 'C0BENCH' }))));
    if (acks.some((a) => a.status !== 200)) throw new Error('a /diagnose was not acked');
    if (round >= 3) ack.push(...acks.map((a) => a.ms));
    const hs = await Promise.all(Array.from({ length: 50 }, () => timed(() => fetch(`${web.url}/healthz`).then((r) => r.text()))));
    if (round >= 3) health.push(...hs);
  }
  rows.push(['(d) /diagnose ack, 50 concurrent: p50 / p99', `${fmt(percentile(ack, 50))} / ${fmt(percentile(ack, 99))} vs /healthz ${fmt(percentile(health, 50))} / ${fmt(percentile(health, 99))}`,
    `${(percentile(ack, 99) / percentile(health, 99)).toFixed(2)}× (p99)`, `p99 < 100 ms ${percentile(ack, 99) < 100 ? '✔' : '✘'}`]);
  await web.stop();

  // (e) alert storm: 200 groups × 5 deliveries × 10 alerts = 10,000 alerts, 1,000 payloads.
  const svc = await startService({ ...env, QUEUE_PREFIX: `${env.QUEUE_PREFIX}-storm` });
  const payloads = Array.from({ length: 1000 }, (_, i) => JSON.stringify(alertmanagerPayload({
    status: 'firing', groupKey: `{}:{alertname="Storm${i % 200}"}`,
    alerts: Array.from({ length: 10 }, (_, a) => ({ labels: { alertname: `Storm${i % 200}`, shard: String(a), delivery: String(Math.floor(i / 200)) },
      startsAt: '2026-11-21T04:00:00.000Z' })),
  })));
  const floor = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => { JSON.parse(Buffer.concat(chunks).toString()); res.end('{"ok":true}'); });
  });
  await new Promise<void>((r) => floor.listen(0, '127.0.0.1', r));
  const floorUrl = `http://127.0.0.1:${(floor.address() as AddressInfo).port}/`;
  const post = (url: string, body: string) => () => fetch(url, { method: 'POST', body, headers: { authorization: `Bearer ${TEST_WEBHOOK_TOKEN}`, 'content-type': 'application/json' } }).then((r) => r.status);
  const floorMs = await timed(() => inParallel(50, payloads.map((p) => post(floorUrl, p))));
  let statuses: number[] = [];
  const acceptMs = await timed(async () => { statuses = await inParallel(50, payloads.map((p) => post(`${svc.url}/webhooks/alertmanager`, p))); });
  floor.close();
  const accepted = statuses.filter((s) => s === 200).length * 10;
  const stored = (await svc.ctx.pool.query('SELECT count(*)::int AS n FROM alerts')).rows[0].n as number;
  await fake.waitFor((f) => f.messages(ALERT_CHANNEL).length >= 200, 120_000).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 2000));
  const parents = fake.messages(ALERT_CHANNEL).length;
  rows.push(['(e) 10,000 alerts in 1,000 payloads (50 in flight): time to accept', `${fmt(acceptMs)} vs ${fmt(floorMs)} bare JSON server`,
    `${(acceptMs / floorMs).toFixed(1)}×`, '(context)']);
  rows.push(['(e) alerts answered 2xx / stored / lost', `${accepted} / ${stored} / ${accepted - stored}`, '', `0 lost ${accepted - stored === 0 ? '✔' : '✘'}`]);
  rows.push(['(e) parents posted / alert groups', `${parents} / 200`, '', `equal ${parents === 200 ? '✔' : '✘'}`]);

  // (f) alert received → findings posted, one host per alert group, 10 groups at once.
  const inventory = loadInventory(lab.inventoryPath);
  const direct: number[] = [];
  for (let i = 1; i <= 5; i++) direct.push(await timed(() => diagnoseHost(inventory.hosts.get(`bench-${i}`)!, { timeoutMs: 20_000 })));
  const latency: number[] = [];
  for (let round = 0; round < 3; round++) {
    const sent = await Promise.all(Array.from({ length: FLEET }, async (_, i) => {
      const name = `Latency${round}-${i}`;
      const t = Date.now();
      const status = await post(`${svc.url}/webhooks/alertmanager`, JSON.stringify(alertmanagerPayload({ status: 'firing', groupKey: `{}:{alertname="${name}"}`,
        alerts: [{ labels: { alertname: name, instance: `${lab.hosts[`bench-${i + 1}`]!.address}:9100` } }] })))();
      if (status !== 200) throw new Error(`webhook answered ${status}`);
      return { name, t };
    }));
    await Promise.all(sent.map(async ({ name, t }) => {
      const reply = await fake.waitFor((f) => {
        const parent = f.messages(ALERT_CHANNEL).find((m) => m.text.includes(name));
        return parent?.replies[0];
      }, 60_000);
      latency.push(Number(reply.ts.split('.')[0]) ? fake.calls.find((c) => c.method === 'chat.postMessage' && c.body.thread_ts && (c.response as { ts?: string }).ts === reply.ts)!.at - t : NaN);
    }));
  }
  const diagMs = (await svc.ctx.pool.query("SELECT duration_ms FROM diagnoses d JOIN incidents i ON i.id = d.incident_id WHERE i.title LIKE 'Latency%'"))
    .rows.map((r) => r.duration_ms as number);
  rows.push(['(f) alert received → findings posted, 10 hosts at once: p50 / p95', `${fmt(percentile(latency, 50))} / ${fmt(percentile(latency, 95))} (diagnosis itself: median ${fmt(median(diagMs))}) vs ${fmt(median(direct))} diagnosing one host alone`,
    `${(percentile(latency, 95) / median(direct)).toFixed(2)}× (p95)`, `p95 < 3 s ${percentile(latency, 95) < 3000 ? '✔' : '✘'}`]);
  await svc.stop();

  console.log(`\ndiagbot Slack bot benchmark — ${new Date().toISOString()}\n`);
  console.log('| measure | figures | ratio | goal |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
} finally {
  await fake.close();
  await db.drop().catch(() => undefined);
  await lab.stop();
}
