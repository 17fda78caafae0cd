import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { parse } from 'yaml';
import { describe, expect, inject, it } from 'vitest';
import { currentRelease, httpStatuses, pgActivity, releases, restartCount, type PgActivityRow } from './remediation-lab.js';
import { waitUntil } from './wait-ready.js';

// The mutable hosts as the lab starts them. Nothing here changes them, but another test file
// may be mid-remediation while this one runs (it puts the host back with redeployBad/leakPool
// afterwards), so each check waits for one consistent observation of the start state instead
// of assuming it runs first.

const lab = inject('lab');
const SETTLE_MS = 90_000;

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
    expect(Object.entries(lab.hosts).filter(([, h]) => h.mutable).map(([n]) => n).sort()).toEqual(['pool-kill', 'rollback']);
  });

  it('pool-exhausted keeps its superuser app and max_connections 20', async () => {
    const rows = await withClient(lab.hosts['pool-exhausted']!.postgresUrl!, async (c) =>
      (await c.query<{ m: string; su: boolean }>(`SELECT current_setting('max_connections') AS m, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su`)).rows);
    expect(rows).toEqual([{ m: '20', su: true }]);
    expect((await pgActivity(lab, 'pool-exhausted')).filter((r) => r.usename === 'postgres').length).toBeGreaterThanOrEqual(17);
  });

  it('pool-kill: the app holds its pool as role shop, and an ops-console superuser session sits idle', async () => {
    let rows: PgActivityRow[] = [];
    await waitUntil('pool-kill pool exhausted', async () => {
      rows = await pgActivity(lab, 'pool-kill');
      return rows.filter((r) => r.usename === 'shop' && r.state?.startsWith('idle')).length >= 15;
    }, SETTLE_MS);
    const ops = rows.filter((r) => r.applicationName === 'ops-console');
    expect(ops).toEqual([expect.objectContaining({ usename: 'postgres', state: 'idle' })]);
    expect(rows.filter((r) => r.state === 'idle in transaction' && r.usename === 'shop').length).toBeGreaterThan(0);
    const roles = await withClient(lab.hosts['pool-kill']!.postgresSuperuserUrl!, async (c) =>
      (await c.query<{ rolname: string; rolsuper: boolean; owns_app: boolean }>(`SELECT r.rolname, r.rolsuper,
         (SELECT datdba = r.oid FROM pg_database WHERE datname = 'app') AS owns_app
       FROM pg_roles r WHERE r.rolname IN ('shop', 'diagbot') ORDER BY 1`)).rows);
    expect(roles).toEqual([{ rolname: 'diagbot', rolsuper: false, owns_app: false }, { rolname: 'shop', rolsuper: false, owns_app: true }]);
  });

  it('pool-kill: the inventory URL logs in as non-superuser diagbot, sees shop sessions\' states and has slots left', async () => {
    const url = lab.hosts['pool-kill']!.postgresUrl!;
    let seen: { me: string; su: boolean; signal: boolean; monitor: boolean; shop: (string | null)[]; max: number; reserved: number; held: number } | null = null;
    await waitUntil('shop sessions visible to diagbot', async () => {
      seen = await withClient(url, async (c) => {
        const me = (await c.query<{ me: string; su: boolean; signal: boolean; monitor: boolean; max: number; reserved: number }>(`SELECT current_user AS me,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su,
            pg_has_role('pg_signal_backend', 'MEMBER') AS signal, pg_has_role('pg_monitor', 'MEMBER') AS monitor,
            current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved`)).rows[0]!;
        const acts = (await c.query<{ usename: string; application_name: string; state: string | null }>(
          `SELECT usename, application_name, state FROM pg_stat_activity WHERE backend_type = 'client backend'`)).rows;
        const shop = acts.filter((a) => a.usename === 'shop').map((a) => a.state);
        // What the app keeps open whatever tests do: its pools and the operator's console.
        const held = shop.length + acts.filter((a) => a.application_name === 'ops-console').length;
        return { ...me, shop, held };
      });
      return seen.shop.length >= 15;
    }, SETTLE_MS);
    const s = seen!;
    expect({ me: s.me, su: s.su, signal: s.signal, monitor: s.monitor }).toEqual({ me: 'diagbot', su: false, signal: true, monitor: true });
    expect(s.shop.every((state) => state !== null && state !== '')).toBe(true);
    // Non-superusers cannot use the reserved slots: with the pools full, diagbot still gets two.
    expect(s.max - s.reserved - s.held).toBeGreaterThanOrEqual(2);
  });

  it('rollback: current is the newest of two releases and /api/products answers 500', async () => {
    const names = await releases(lab, 'rollback');
    expect(names).toHaveLength(2);
    let seen: { before: string; after: string; restarts: [number, number]; statuses: Record<number, number> } | null = null;
    // A restart in between or a link that moved means a remediation test got in the way: look again.
    await waitUntil('rollback serving its bad release', async () => {
      const r0 = await restartCount(lab, 'rollback');
      const before = await currentRelease(lab, 'rollback');
      const statuses = await httpStatuses(lab, 'rollback', '/api/products', 1);
      seen = { before, after: await currentRelease(lab, 'rollback'), restarts: [r0, await restartCount(lab, 'rollback')], statuses };
      return before === names[0] && seen.after === names[0] && r0 === seen.restarts[1] && statuses[500] === 1;
    }, SETTLE_MS);
    expect(seen!.before).toBe(names[0]);
    expect(seen!.statuses).toEqual({ 500: 1 });
    const hours = (Date.parse(stamp(names[0]!)) - Date.parse(stamp(names[1]!))) / 3600_000;
    expect(hours).toBeCloseTo(6, 1);
  });
});

const stamp = (n: string) => `${n.slice(0, 4)}-${n.slice(4, 6)}-${n.slice(6, 8)}T${n.slice(8, 10)}:${n.slice(10, 12)}:${n.slice(12, 14)}Z`;
