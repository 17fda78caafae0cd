import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { alertmanagerPayload } from '../helpers/alert-payloads.js';
import { ALERT_CHANNEL, serviceEnv, TEST_WEBHOOK_TOKEN } from '../helpers/diagbot-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startDiagbotProcess, stopAll, type DiagbotProcess } from './helpers/bot.js';
import { report } from './helpers/figures.js';
import { connectedTo, inventoryWith } from './helpers/inventory.js';
import { sleep, waitUntil } from './helpers/owned-process.js';
import { checkPool } from './helpers/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';
import { startPrivateSshd, type PrivateSshd } from './helpers/private-sshd.js';
import type pg from 'pg';

// A worker SIGKILLed in the middle of a diagnosis. To be sure the kill lands mid-diagnosis, the
// host is slow (a real sshd whose every command waits 2 s first: the diagnosis takes ~4-5 s, and
// its SSH connection stays open all that time). The worker to kill is the one holding that SSH
// connection (seen in /proc), so the other one must take the job over. BullMQ hands it over
// once the dead worker's lock expires (lockDuration 8 s, renewed every 4 s while it ran) and a
// live worker's stalled-job check (every 3 s) finds it: within 15 s (it was up to ~45 s with a
// 30 s lock and a 15 s check).

const lab = inject('lab');
let fake: FakeSlack;
let db: TestDatabase;
let redis: PrivateRedis;
let sshd: PrivateSshd;
let pool: pg.Pool;
let inventoryPath: string | undefined;
const procs: DiagbotProcess[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }] });
  [db, redis, sshd] = await Promise.all([createTestDatabase('workerkill'), startPrivateRedis(), startPrivateSshd(['slow'], `${lab.privateKeyPath}.pub`)]);
  inventoryPath = await inventoryWith(lab.inventoryPath, {
    'slow-1': { address: '127.0.0.1', port: sshd.ports.slow, knownHostsPath: sshd.knownHostsPath, labels: { service: 'slow' } },
  });
  const env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath, redisUrl: redis.url,
    extra: { LOG_LEVEL: 'info', DIAGNOSE_TIMEOUT_MS: '8000' } });
  procs.push(await startDiagbotProcess('web', env));
  procs.push(...await Promise.all([startDiagbotProcess('worker', env), startDiagbotProcess('worker', env)]));
  pool = checkPool(db.url);
});

afterAll(async () => {
  await stopAll(procs);
  await pool?.end();
  await fake?.close();
  if (inventoryPath) await rm(dirname(inventoryPath), { recursive: true, force: true });
  await Promise.all([db?.drop(), redis?.stop(), sshd?.stop()]);
});

describe('a worker killed mid-diagnosis', () => {
  it('the diagnosis is finished once by the other worker and posted once', async () => {
    const sent = Date.now();
    const res = await fetch(`${procs[0]!.url}/webhooks/alertmanager`, {
      method: 'POST', signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_WEBHOOK_TOKEN}` },
      body: JSON.stringify(alertmanagerPayload({ groupKey: '{}:{alertname="SlowHost5xx"}',
        alerts: [{ labels: { alertname: 'SlowHost5xx', host: 'slow-1' }, startsAt: '2026-11-21T05:00:00.000Z' }] })),
    });
    expect(res.status).toBe(200);
    // The parent is posted right away; the diagnosis is then under way on one worker.
    const parent = await fake.waitFor((f) => f.messages(ALERT_CHANNEL)[0], 15_000);
    const workers = procs.filter((p) => p.role === 'worker');
    let victimPid: number | null = null;
    await waitUntil('a worker connected to slow-1', () => (victimPid = connectedTo(workers.map((w) => w.pid), sshd.ports.slow)) !== null, 10_000, 20);
    const first = (await pool.query("SELECT id, state, attempts, started_at FROM diagnoses WHERE host = 'slow-1'")).rows[0];
    expect(first).toMatchObject({ state: 'running', attempts: 1 });
    const victim = workers.find((w) => w.pid === victimPid)!;
    const survivor = workers.find((w) => w !== victim)!;
    const killedAt = Date.now();
    expect(await victim.stop('SIGKILL')).toBeNull();
    const killedAfterStartMs = killedAt - (first.started_at as Date).getTime();

    // Taken over and finished by the survivor.
    await waitUntil('the diagnosis to be taken over', async () =>
      (await pool.query("SELECT attempts FROM diagnoses WHERE host = 'slow-1'")).rows[0].attempts >= 2, 120_000, 200);
    const takenOverAt = Date.now();
    expect(takenOverAt - killedAt).toBeLessThan(15_000);
    await waitUntil('the diagnosis to finish', async () =>
      (await pool.query("SELECT state FROM diagnoses WHERE host = 'slow-1'")).rows[0].state === 'done', 30_000, 100);
    const reply = await fake.waitFor((f) => f.thread(ALERT_CHANNEL, parent.ts)[0], 20_000);
    const repliedAt = Date.now();
    // Anything late (a second run, a retried post) would show up now.
    await sleep(3000);
    const row = (await pool.query("SELECT id, incident_id, state, attempts, reachable, reply_ts FROM diagnoses WHERE host = 'slow-1'")).rows[0];
    const finished = survivor.logs.filter((l) => l.msg === 'diagnosis finished');
    const posts = fake.callsTo('chat.postMessage').filter((c) => c.status === 200);
    report('worker-sigkill', {
      killed_after_diagnosis_start_ms: killedAfterStartMs, takeover_after_kill_ms: takenOverAt - killedAt,
      reply_after_kill_ms: repliedAt - killedAt, alert_to_reply_ms: repliedAt - sent, attempts: row.attempts,
      finished_by_survivor: finished.length, replies: fake.thread(ALERT_CHANNEL, parent.ts).length, posts: posts.length,
    });
    expect(row).toMatchObject({ state: 'done', attempts: 2, reachable: true, reply_ts: reply.ts });
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ diagnosisId: Number(row.id), incidentId: Number(row.incident_id), jobId: `diagnosis-${row.id}`, reachable: true });
    expect(fake.messages(ALERT_CHANNEL)).toHaveLength(1);
    expect(fake.thread(ALERT_CHANNEL, parent.ts)).toHaveLength(1);
    expect(posts).toHaveLength(2);
    expect(JSON.stringify(reply.blocks)).toContain('slow-1');
  });
});
