import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { alertmanagerPayload } from '../helpers/alert-payloads.js';
import { ALERT_CHANNEL, serviceEnv, TEST_WEBHOOK_TOKEN } from '../helpers/diagbot-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { healthUrl, metricsOf, sample, startDiagbotProcess, stopAll, type DiagbotProcess } from './helpers/bot.js';
import { report } from './helpers/figures.js';
import { inventoryWith } from './helpers/inventory.js';
import { sleep, waitUntil } from './helpers/owned-process.js';
import { checkPool } from './helpers/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';
import { startPrivateSshd, type PrivateSshd } from './helpers/private-sshd.js';
import type pg from 'pg';

// SSH trouble through the bot path (webhook → queue → worker → Slack), on ONE worker running one
// job at a time, so a fault that hung the worker would hold up every host queued after it.
// From the lab: nothing listening (`refused`), a listener that never sends a banner
// (`no-banner`), a host key that is not the one in known_hosts (`wrong-key`), and the `healthy`
// host with a user sshd refuses (auth). From a private sshd: a host where `df` hangs past the
// host-side timeout and `cat /proc/meminfo` sleeps until it, and a host where `ps` and
// `cat /proc/meminfo` print without end.

const lab = inject('lab');
const DIAGNOSE_TIMEOUT_MS = 10_000;
let fake: FakeSlack;
let db: TestDatabase;
let redis: PrivateRedis;
let sshd: PrivateSshd;
let pool: pg.Pool;
let inventoryPath: string | undefined;
const procs: DiagbotProcess[] = [];

const HOSTS = ['f-hung', 'f-no-banner', 'f-refused', 'f-wrong-key', 'f-auth', 'f-huge', 'healthy'];

interface Cmd { id: string; exitCode: number | null; durationMs: number; truncated: boolean; timedOut: boolean; error?: string }
interface Result { reachable: boolean; errorReason: string | null; error: string | null; durationMs: number; commands: Cmd[]; rootCause: unknown }

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'alerts' }] });
  [db, redis, sshd] = await Promise.all([createTestDatabase('sshfaults'), startPrivateRedis(), startPrivateSshd(['hung', 'huge'], `${lab.privateKeyPath}.pub`)]);
  const addr = (h: string) => lab.hosts[h]!.address;
  inventoryPath = await inventoryWith(lab.inventoryPath, {
    'f-refused': { address: addr('refused') },
    'f-no-banner': { address: addr('no-banner'), connectTimeoutMs: 2000 },
    'f-wrong-key': { address: addr('wrong-key') },
    'f-auth': { address: addr('healthy'), user: 'nobody' },
    'f-hung': { address: '127.0.0.1', port: sshd.ports.hung, knownHostsPath: sshd.knownHostsPath },
    'f-huge': { address: '127.0.0.1', port: sshd.ports.huge, knownHostsPath: sshd.knownHostsPath },
  });
  const env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath, redisUrl: redis.url,
    extra: { LOG_LEVEL: 'info', WORKER_CONCURRENCY: '1', DIAGNOSE_TIMEOUT_MS: String(DIAGNOSE_TIMEOUT_MS) } });
  procs.push(await startDiagbotProcess('web', env));
  procs.push(await startDiagbotProcess('worker', env));
  pool = checkPool(db.url);
});

afterAll(async () => {
  await stopAll(procs);
  await pool?.end();
  await fake?.close();
  if (inventoryPath) await rm(dirname(inventoryPath), { recursive: true, force: true });
  await Promise.all([db?.drop(), redis?.stop(), sshd?.stop()]);
});

describe('SSH faults through the bot', () => {
  it('each is a clear host_unreachable or a bounded command result, and the worker goes straight on', async () => {
    const started = Date.now();
    const res = await fetch(`${procs[0]!.url}/webhooks/alertmanager`, {
      method: 'POST', signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_WEBHOOK_TOKEN}` },
      body: JSON.stringify(alertmanagerPayload({ groupKey: '{}:{alertname="SshFaults"}',
        alerts: HOSTS.map((host) => ({ labels: { alertname: 'SshFaults', host }, startsAt: '2026-11-21T06:00:00.000Z' })) })),
    });
    expect(res.status).toBe(200);
    await waitUntil('every diagnosis done', async () =>
      (await pool.query("SELECT count(*)::int AS n FROM diagnoses WHERE state = 'done'")).rows[0].n === HOSTS.length, 90_000, 200);
    const allDoneMs = Date.now() - started;
    const parent = await fake.waitFor((f) => {
      const m = f.messages(ALERT_CHANNEL)[0];
      return m && m.replies.length === HOSTS.length ? m : null;
    }, 20_000);
    await sleep(1000);
    const rows = (await pool.query<{ host: string; result: Result; started_at: Date; finished_at: Date; reply_ts: string }>(
      'SELECT host, result, started_at, finished_at, reply_ts FROM diagnoses ORDER BY started_at')).rows;
    const by = Object.fromEntries(rows.map((r) => [r.host, r.result]));
    const cmd = (host: string, id: string) => by[host]!.commands.find((c) => c.id === id)!;
    // Between one job's end and the next one's start (one job at a time).
    const gaps = rows.slice(1).map((r, i) => r.started_at.getTime() - rows[i]!.finished_at.getTime());
    const metrics = await metricsOf(healthUrl(procs[1]!));
    const connects = Object.fromEntries(['ok', 'refused', 'no_banner', 'host_key_mismatch', 'auth_failed']
      .map((o) => [o, sample(metrics, 'diagbot_ssh_connects_total', { outcome: o }) ?? 0]));
    report('ssh-faults', {
      hosts: HOSTS.length, all_done_ms: allDoneMs,
      refused_ms: by['f-refused']!.durationMs, no_banner_ms: by['f-no-banner']!.durationMs, wrong_key_ms: by['f-wrong-key']!.durationMs,
      auth_ms: by['f-auth']!.durationMs, hung_ms: by['f-hung']!.durationMs, hung_df_ms: cmd('f-hung', 'disk').durationMs,
      hung_meminfo_ms: cmd('f-hung', 'memory').durationMs, huge_ms: by['f-huge']!.durationMs, healthy_ms: by.healthy!.durationMs,
      max_gap_between_jobs_ms: Math.max(...gaps), ssh_connects: Object.entries(connects).map(([k, v]) => `${k}:${v}`).join(','),
    });

    const unreachable = { 'f-refused': 'refused', 'f-no-banner': 'no_banner', 'f-wrong-key': 'host_key_mismatch', 'f-auth': 'auth_failed' };
    for (const [host, reason] of Object.entries(unreachable)) {
      expect(by[host], host).toMatchObject({ reachable: false, errorReason: reason, rootCause: null });
      const reply = parent.replies.find((m) => JSON.stringify(m.blocks).includes(host))!;
      expect(JSON.stringify(reply.blocks), host).toContain('host_unreachable');
      expect(JSON.stringify(reply.blocks), host).toContain(`\`${reason}\`: `);
    }
    expect(by['f-refused']!.durationMs).toBeLessThan(1000);
    expect(by['f-no-banner']!.durationMs).toBeGreaterThanOrEqual(1900);
    expect(by['f-no-banner']!.durationMs).toBeLessThan(3500);
    expect(by['f-wrong-key']!.durationMs).toBeLessThan(3000);
    expect(by['f-auth']!.durationMs).toBeLessThan(3000);

    // Hung: `df` ignores the host's timeout, so the client closes its channel 1.5 s after the
    // command's 5 s; the sleeping meminfo is ended by the host's `timeout` at 2 s.
    expect(by['f-hung']).toMatchObject({ reachable: true });
    expect(cmd('f-hung', 'disk')).toMatchObject({ timedOut: true, error: expect.stringMatching(/no answer within 5000 ms; channel closed/) });
    expect(cmd('f-hung', 'disk').durationMs).toBeGreaterThanOrEqual(6400);
    expect(cmd('f-hung', 'disk').durationMs).toBeLessThan(8000);
    expect(cmd('f-hung', 'memory')).toMatchObject({ timedOut: true, exitCode: 124 });
    expect(cmd('f-hung', 'memory').durationMs).toBeLessThan(4000);
    expect(by['f-hung']!.durationMs).toBeLessThan(DIAGNOSE_TIMEOUT_MS + 2000);
    expect(cmd('f-hung', 'host_info')).toMatchObject({ exitCode: 0, timedOut: false });

    // Huge: cut at each command's cap and closed, in well under the command timeouts.
    expect(by['f-huge']).toMatchObject({ reachable: true });
    expect(cmd('f-huge', 'processes')).toMatchObject({ truncated: true, timedOut: false });
    expect(cmd('f-huge', 'memory')).toMatchObject({ truncated: true, timedOut: false });
    expect(cmd('f-huge', 'processes').durationMs).toBeLessThan(3000);
    expect(by['f-huge']!.durationMs).toBeLessThan(6000);

    expect(by.healthy).toMatchObject({ reachable: true, rootCause: null });
    // The worker never hung: each job started right after the previous one ended.
    expect(Math.max(...gaps)).toBeLessThan(1500);
    expect(parent.replies).toHaveLength(HOSTS.length);
    expect(rows.every((r) => r.reply_ts)).toBe(true);
    expect(connects).toEqual({ ok: 3, refused: 1, no_banner: 1, host_key_mismatch: 1, auth_failed: 1 });
    expect((await fetch(`${healthUrl(procs[1]!)}/healthz`)).status).toBe(200);
  });
});
