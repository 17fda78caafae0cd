import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { parse } from 'yaml';
import { describe, expect, inject, it } from 'vitest';
import { currentRelease, httpStatuses, pgActivity, releases, restartCount } from './remediation-lab.js';

// The mutable hosts as the lab started them. Nothing here changes them, but other files
// remediate them concurrently and may leave them changed, so each fact about the start is
// checked twice: from what the host and its database server logged at start (always), and
// live, only while nothing shows that anyone has touched the host yet.

const lab = inject('lab');
const hostFile = (name: string, sub: string) => join(lab.dir, 'hosts', name, sub);
const text = (path: string) => readFile(path, 'utf8').catch(() => '');
const stamp = (n: string) => `${n.slice(0, 4)}-${n.slice(4, 6)}-${n.slice(6, 8)}T${n.slice(8, 10)}:${n.slice(10, 12)}:${n.slice(12, 14)}Z`;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, statement_timeout: 5000, application_name: 'lab-smoke' });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** pool-kill's postgres.log up to the first backend a remediation terminated; `killed` says whether there was one. */
async function poolKillServerLog(): Promise<{ atStart: string[]; killed: boolean }> {
  const lines = (await text(join(lab.dir, 'pg', 'pool-kill', 'postgres.log'))).split('\n');
  const first = lines.findIndex((l) => l.includes('terminating connection due to administrator command'));
  return { atStart: first < 0 ? lines : lines.slice(0, first), killed: first >= 0 };
}

describe('remediation lab hosts at start', () => {
  it('every postgres host has its own server, named in the inventory', async () => {
    const inventory = parse(await readFile(lab.inventoryPath, 'utf8')) as { hosts: Record<string, { postgres?: { url: string } }> };
    const withPg = Object.entries(lab.hosts).filter(([, h]) => h.postgresUrl);
    expect(withPg.map(([n]) => n)).toEqual(expect.arrayContaining(['pool-exhausted', 'pool-kill']));
    for (const [name, h] of withPg) {
      expect(inventory.hosts[name]!.postgres!.url, name).toBe(h.postgresUrl);
      expect(new URL(h.postgresUrl!).hostname, name).toBe(h.address);
    }
    expect(lab.hosts['pool-exhausted']!.postgresUrl).toBe(`postgres://postgres@${lab.hosts['pool-exhausted']!.address}:5432/app`);
    expect(lab.hosts['pool-kill']!.postgresUrl).toBe(`postgres://diagbot@${lab.hosts['pool-kill']!.address}:5432/app`);
    expect(Object.entries(lab.hosts).filter(([, h]) => h.mutable).map(([n]) => n)).toEqual(expect.arrayContaining(['pool-kill', 'rollback']));
  });

  it('pool-exhausted keeps its superuser app and max_connections 20', async () => {
    const rows = await withClient(lab.hosts['pool-exhausted']!.postgresUrl!, async (c) =>
      (await c.query<{ m: string; su: boolean }>(`SELECT current_setting('max_connections') AS m, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su`)).rows);
    expect(rows).toEqual([{ m: '20', su: true }]);
    expect((await pgActivity(lab, 'pool-exhausted')).filter((r) => r.usename === 'postgres').length).toBeGreaterThanOrEqual(17);
  });

  it('pool-kill: the app holds its pool as role shop, and an ops-console superuser session sits idle', async () => {
    const before = await poolKillServerLog();
    const rows = await pgActivity(lab, 'pool-kill');
    const after = await poolKillServerLog();
    const shopAuth = after.atStart.filter((l) => /connection authorized: user=shop database=app$/.test(l));
    expect(shopAuth.length, 'app connections as shop before any kill').toBeGreaterThanOrEqual(17);
    expect(after.atStart.some((l) => l.includes('connection authorized: user=postgres database=app application_name=ops-console'))).toBe(true);
    // A remediation must never end it, so it is there whatever other files did.
    expect(rows.filter((r) => r.applicationName === 'ops-console')).toEqual([expect.objectContaining({ usename: 'postgres', state: 'idle' })]);
    if (!before.killed && !after.killed) {
      const held = rows.filter((r) => r.usename === 'shop' && r.state?.startsWith('idle'));
      expect(held.length).toBeGreaterThanOrEqual(17);
      expect(held.some((r) => r.state === 'idle in transaction')).toBe(true);
    }
    const roles = await withClient(lab.hosts['pool-kill']!.postgresSuperuserUrl!, async (c) =>
      (await c.query<{ rolname: string; rolsuper: boolean; owns_app: boolean }>(`SELECT r.rolname, r.rolsuper,
         (SELECT datdba = r.oid FROM pg_database WHERE datname = 'app') AS owns_app
       FROM pg_roles r WHERE r.rolname IN ('shop', 'diagbot') ORDER BY 1`)).rows);
    expect(roles).toEqual([{ rolname: 'diagbot', rolsuper: false, owns_app: false }, { rolname: 'shop', rolsuper: false, owns_app: true }]);
  });

  it('pool-kill: the inventory URL logs in as non-superuser diagbot, sees other roles\' states and has slots left', async () => {
    const before = await poolKillServerLog();
    const s = await withClient(lab.hosts['pool-kill']!.postgresUrl!, async (c) => {
      const me = (await c.query<{ me: string; su: boolean; signal: boolean; monitor: boolean; max: number; reserved: number }>(`SELECT current_user AS me,
          (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su,
          pg_has_role('pg_signal_backend', 'MEMBER') AS signal, pg_has_role('pg_monitor', 'MEMBER') AS monitor,
          current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved`)).rows[0]!;
      const others = (await c.query<{ usename: string; application_name: string; state: string | null; query: string | null }>(
        `SELECT usename, application_name, state, query FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`)).rows;
      return { ...me, others };
    });
    const after = await poolKillServerLog();
    expect({ me: s.me, su: s.su, signal: s.signal, monitor: s.monitor }).toEqual({ me: 'diagbot', su: false, signal: true, monitor: true });
    // Without pg_monitor another role's session shows this instead of its query, and no state.
    expect(s.others.filter((o) => o.query === '<insufficient privilege>')).toEqual([]);
    expect(s.others.find((o) => o.application_name === 'ops-console')?.state).toBe('idle');
    if (!before.killed && !after.killed) {
      expect(s.others.filter((o) => o.usename === 'shop' && o.state?.startsWith('idle')).length).toBeGreaterThanOrEqual(17);
    }
    // Non-superusers cannot use the reserved slots: with the pools (15 + 2) and ops-console
    // holding theirs, diagbot must still get two.
    expect(s.max - s.reserved - (15 + 2 + 1)).toBeGreaterThanOrEqual(2);
  });

  it('rollback: current is the newest of two releases and /api/products answers 500', async () => {
    const names = await releases(lab, 'rollback');
    expect(names).toHaveLength(2);
    expect((Date.parse(stamp(names[0]!)) - Date.parse(stamp(names[1]!))) / 3600_000).toBeCloseTo(6, 1);

    const r0 = await restartCount(lab, 'rollback');
    const current0 = await currentRelease(lab, 'rollback');
    const live = await httpStatuses(lab, 'rollback', '/api/products', 1);
    const current1 = await currentRelease(lab, 'rollback');
    const r1 = await restartCount(lab, 'rollback');

    // At start: the app came up from the newest release and answered 500 until the first restart.
    const started = /release (\d{14}) listening/.exec(await text(hostFile('rollback', 'var-log/shop/shop.log')));
    expect(started?.[1]).toBe(names[0]);
    const firstRestart = /^restart (\d+) /.exec(await text(hostFile('rollback', 'srv-app/shared/restarts.log')));
    const firstRestartS = firstRestart ? Number(firstRestart[1]) : Infinity;
    const products = (await text(hostFile('rollback', 'var-log/nginx/access.log'))).split('\n')
      .map((l) => l.split(' ')) // upstream_first: time upstream_status status method uri …
      .filter((f) => f[3] === 'GET' && f[4] === '/api/products' && Date.parse(f[0]!) < firstRestartS * 1000);
    expect(products.length).toBeGreaterThanOrEqual(20);
    expect(new Set(products.map((f) => f[2]))).toEqual(new Set(['500']));

    if (r0 === 0 && r1 === 0 && current0 === names[0] && current1 === names[0]) expect(live).toEqual({ 500: 1 });
  });
});
