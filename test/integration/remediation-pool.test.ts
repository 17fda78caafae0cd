import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { serviceEnv, startService, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import {
  APPROVERS_ENV, auditOutcomes, FAKE_USERGROUPS, FAKE_USERS, flat, GROUP_APPROVER, RemediationDriver, waitForState,
} from '../helpers/remediation-flow.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { holdMutableHost, httpStatuses, leakPool, pgActivity } from '../lab/remediation-lab.js';

// Ending idle pool connections on the lab's least-privilege Postgres (app role `shop`, diagbot
// role with pg_monitor + pg_signal_backend): only the connections shown are ended, the app's
// pool recovers and nginx stops answering 500; busy sessions, superusers, other databases and
// diagbot's own role are left alone.

const lab = inject('lab');
const HOST = 'pool-kill';
const INCIDENT = 'C0POOL';
let fake: FakeSlack;
let db: TestDatabase;
let svc: ServiceUnderTest;
let driver: RemediationDriver;
const bystanders: pg.Client[] = [];
let releaseHost: (() => Promise<void>) | undefined;

function client(url: string, user?: string, database?: string): pg.Client {
  const u = new URL(url);
  if (user) u.username = user;
  if (database) u.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 5000, application_name: 'test-bystander' });
  c.on('error', () => undefined);
  bystanders.push(c);
  return c;
}

beforeAll(async () => {
  releaseHost = await holdMutableHost(lab, HOST, 180_000);
  fake = await startFakeSlack({ channels: [{ id: INCIDENT, name: 'pool' }], users: FAKE_USERS, usergroups: FAKE_USERGROUPS });
  db = await createTestDatabase('poolkill');
  svc = await startService(serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath,
    extra: { ACTION_APPROVERS: APPROVERS_ENV, ACTION_SETTLE_MS: '3000' } }));
  driver = new RemediationDriver(fake, () => svc.url, INCIDENT);
});

afterAll(async () => {
  for (const c of bystanders) await c.end().catch(() => undefined);
  await svc?.stop();
  await fake?.close();
  await db?.drop();
  await releaseHost?.();
});

describe('kill idle connections button', () => {
  it('ends exactly the idle connections it showed, the app recovers, and nothing else is touched', async () => {
    const h = lab.hosts[HOST]!;
    const superUrl = h.postgresSuperuserUrl!;
    // Sessions that must survive: the app role idle in another database, diagbot's own role
    // idle, and the app role busy in a long query.
    const otherDb = client(superUrl, 'shop', 'postgres');
    const ownRole = client(h.postgresUrl!);
    const busy = client(superUrl, 'shop', 'app');
    await Promise.all([otherDb.connect(), ownRole.connect(), busy.connect()]);
    const busyQuery = busy.query('SELECT pg_sleep(300)').catch(() => undefined);
    const pidOf = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const [otherPid, ownPid] = [await pidOf(otherDb), await pidOf(ownRole)];

    // A borrowed lab may have had its pool freed by an earlier run: leak it again.
    if (!(await httpStatuses(lab, HOST, '/api/orders', 3))[500]) await leakPool(lab, HOST);
    expect(await httpStatuses(lab, HOST, '/api/orders', 3)).toEqual({ 500: 3 });
    // Offers only list connections idle for 30 s; the leaked ones were made at lab start.
    const deadline = Date.now() + 45_000;
    let rows = await pgActivity(lab, HOST);
    while (rows.filter((r) => r.usename === 'shop' && r.state?.startsWith('idle') && r.stateSeconds > 31).length < 15) {
      if (Date.now() > deadline) throw new Error(`leaked connections not old enough: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 1000));
      rows = await pgActivity(lab, HOST);
    }
    const superuserSession = rows.find((r) => r.usename === 'postgres' && r.applicationName === 'ops-console');
    expect(superuserSession).toBeDefined();
    const busyPid = rows.find((r) => r.usename === 'shop' && r.state === 'active')!.pid;

    await driver.slash(HOST);
    const { parent, button } = await driver.button(HOST, 'diagbot_kill_idle_connections');
    const action = (await svc.ctx.pool.query('SELECT params FROM actions WHERE id = $1', [button.value])).rows[0].params;
    const shown: number[] = action.connections.map((c: { pid: number }) => c.pid);
    expect(shown.length).toBeGreaterThanOrEqual(15);
    for (const pid of [otherPid, ownPid, busyPid, superuserSession!.pid]) expect(shown).not.toContain(pid);
    expect(button.confirm!.text.text).toMatch(/Terminate \d+ connections on diagbot@/);
    expect(JSON.stringify(action)).not.toMatch(/password/i);

    const press = await driver.press('diagbot_kill_idle_connections', button.value, GROUP_APPROVER);
    expect(await driver.answer(press.rid)).toMatch(/started/);
    const done = await waitForState(svc.ctx.pool, button.value, ['succeeded', 'failed', 'unknown', 'skipped']);
    expect(done.state, JSON.stringify(done.result)).toBe('succeeded');
    const terminated = done.result!.terminated as number[];
    expect(terminated.length).toBeGreaterThanOrEqual(15);
    for (const pid of terminated) expect(shown).toContain(pid);

    const after = await pgActivity(lab, HOST, { allDatabases: true });
    const alive = new Set(after.map((r) => r.pid));
    for (const pid of terminated) expect(alive.has(pid)).toBe(false);
    for (const pid of [otherPid, ownPid, busyPid, superuserSession!.pid]) expect(alive.has(pid), `pid ${pid} must survive`).toBe(true);
    expect(await httpStatuses(lab, HOST, '/api/orders', 5)).toEqual({ 200: 5 });
    expect(await auditOutcomes(svc.ctx.pool, button.value)).toEqual({ started: 1, succeeded: 1 });

    const check = await fake.waitFor((f) => f.thread(INCIDENT, parent.ts).find((r) => /Check after ending idle connections/.test(flat(r))), 60_000);
    expect(flat(check)).toMatch(/Root cause `db_pool_exhaustion` is \*gone\*/);
    expect(flat(check)).toMatch(/DB connections: \d+\/\d+ \(.*idle.*\) → \d+\/\d+/);
    const outcome = await fake.waitFor((f) => f.thread(INCIDENT, parent.ts).find((r) => /Audit/.test(flat(r))), 10_000);
    expect(flat(outcome)).toMatch(/Ended \d+ idle connection\(s\) on diagbot@.*Slots in use: \d+\/\d+ → \d+\/\d+/);

    // Let the busy session go now rather than after its 300 s sleep.
    const admin = client(superUrl);
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [busyPid]);
    await busyQuery;
  });
});
