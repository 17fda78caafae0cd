import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import pg from 'pg';
import type { LabHost, LabInfo, Scenario } from './lab-types.js';
import { BAD_DEPLOY_TRAFFIC, POOL_LEAK_TRAFFIC, SCENARIOS } from './scenarios.js';
import { outsidePath } from './host-dir.js';
import { sshExecOk } from './host-exec.js';
import { driveTraffic, type TrafficResult } from './traffic.js';
import { waitUntil } from './wait-ready.js';
import { holdHost } from './host-lock.js';

// Helpers for tests that change the mutable lab hosts (`rollback`, `pool-kill`) and must put
// them back: every check reads the real host (its files from outside the namespace, its HTTP
// through nginx, its database as superuser), never what the lab meant to set up.

export interface PgActivityRow {
  pid: number;
  datname: string;
  usename: string;
  applicationName: string;
  /** null for a backend that has not reported a state yet. */
  state: string | null;
  /** Seconds since the backend's last state change. */
  stateSeconds: number;
}

function host(lab: LabInfo, name: string): LabHost & { scenario: Scenario; hostDir: string } {
  const h = lab.hosts[name];
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!h || !scenario) throw new Error(`lab: no host ${name}; have ${Object.keys(lab.hosts).join(', ')}`);
  return { ...h, scenario, hostDir: join(lab.dir, 'hosts', name) };
}

/**
 * Holds a mutable host for the caller until the returned release runs: take it before changing
 * the host and release it after putting it back, so no other file or borrowing run changes it
 * meanwhile. Waits (up to timeoutMs) while another live process holds it.
 */
export async function holdMutableHost(lab: LabInfo, name: string, timeoutMs?: number): Promise<() => Promise<void>> {
  if (!host(lab, name).mutable) throw new Error(`lab: ${name} is not a mutable host`);
  return holdHost(lab.dir, name, timeoutMs);
}

const inside = (lab: LabInfo, name: string, path: string) => outsidePath(host(lab, name).hostDir, path);
const baseUrl = (h: LabHost) => `http://${h.address}:${h.httpPort}`;
const countLines = async (path: string) => (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

/** Release names (UTC YYYYMMDDHHMMSS, as deploy tools make them) on the host, newest first. */
export async function releases(lab: LabInfo, name: string): Promise<string[]> {
  return (await readdir(inside(lab, name, '/srv/app/releases'))).sort().reverse();
}

/** Name of the release `current` points at (relative or absolute link alike). */
export async function currentRelease(lab: LabInfo, name: string): Promise<string> {
  return basename(await readlink(inside(lab, name, '/srv/app/current')));
}

/** How many times /srv/app/bin/restart has run on the host since lab start (one line per run). */
export async function restartCount(lab: LabInfo, name: string): Promise<number> {
  return countLines(inside(lab, name, '/srv/app/shared/restarts.log'));
}

/**
 * Sends n GET requests one after another through the host's nginx and counts the answers by
 * status. A dropped connection has no status and is not counted, so the counts may sum to less than n.
 */
export async function httpStatuses(lab: LabInfo, name: string, path: string, n: number): Promise<Record<number, number>> {
  const h = host(lab, name);
  // status is what a scenario expects; here nothing is expected, we only count.
  return (await driveTraffic(baseUrl(h), [{ path, count: n, concurrency: 1, status: 0 }])).statuses;
}

/**
 * Client backends in the host's database (the one in its Postgres URL), or with allDatabases
 * in every database of its server, read as superuser so every role's state is visible. Our
 * own inspecting session is left out.
 */
export async function pgActivity(lab: LabInfo, name: string, opts: { allDatabases?: boolean } = {}): Promise<PgActivityRow[]> {
  const url = host(lab, name).postgresSuperuserUrl;
  if (!url) throw new Error(`lab: host ${name} has no lab Postgres`);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, statement_timeout: 5000, application_name: 'lab-inspect' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const r = await client.query<{ pid: number; datname: string | null; usename: string | null; application_name: string | null; state: string | null; state_seconds: number | null }>(
      `SELECT pid, datname, usename, application_name, state, extract(epoch FROM now() - state_change)::float8 AS state_seconds
       FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND ($1 OR datname = current_database()) AND pid <> pg_backend_pid()
       ORDER BY pid`, [opts.allDatabases === true]);
    return r.rows.map((x) => ({
      pid: x.pid, datname: x.datname ?? '', usename: x.usename ?? '', applicationName: x.application_name ?? '', state: x.state, stateSeconds: x.state_seconds ?? 0,
    }));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drives steps through nginx and waits until nginx has written an access-log line for every answer. */
async function trafficLogged(lab: LabInfo, name: string, steps: typeof BAD_DEPLOY_TRAFFIC): Promise<TrafficResult> {
  const h = host(lab, name);
  const log = inside(lab, name, h.scenario.nginx!.accessLog);
  const before = await countLines(log);
  const result = await driveTraffic(baseUrl(h), steps);
  await waitUntil(`${result.answered} new access log lines in ${log}`, async () => (await countLines(log)) >= before + result.answered, 10_000);
  return result;
}

/**
 * Puts a rolled-back `rollback` host back into its bad-deploy state the way a deploy tool
 * does it: over SSH, a fresh `current` link to the newest release renamed over the old one
 * (atomic), a deploy.log line, then the inventory's restart command (one more line in
 * restarts.log). Then the bad-deploy traffic runs again and this resolves once nginx has
 * logged all of it; it throws unless /api/products answered 500 again.
 *
 * Unless keepAppLog, the app log is moved aside first (to shop.log.prev-deploy, a name no
 * reader takes for a rotated generation; the restarted app opens a new one): diagbot's bad_deploy
 * rule takes only errors absent just before the deploy as caused by it, and this redeploy
 * follows the previous bad deploy's identical errors by less than that quiet period. nginx's
 * logs are kept.
 */
export async function redeployBad(lab: LabInfo, name: string, opts: { keepAppLog?: boolean } = {}): Promise<TrafficResult> {
  const h = host(lab, name);
  const [newest] = await releases(lab, name);
  if (!newest || !/^\d{14}$/.test(newest)) throw new Error(`lab: ${name} has no release to deploy (${newest ?? 'none'})`);
  const appLog = h.scenario.app!.logPath;
  await sshExecOk({ address: h.address, privateKeyPath: lab.privateKeyPath, knownHostsPath: lab.knownHostsPath }, `set -e
cd /srv/app
ln -sfn releases/${newest} current.deploying
mv -T current.deploying current
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) deployed release ${newest}" >> shared/log/deploy.log
${opts.keepAppLog ? '' : `mv -f ${appLog} ${appLog}.prev-deploy`}
/srv/app/bin/restart`, 30_000);
  const result = await trafficLogged(lab, name, BAD_DEPLOY_TRAFFIC);
  if (!result.statuses[500]) throw new Error(`lab: ${name} redeployed ${newest} but answered ${JSON.stringify(result.statuses)}, no 500`);
  return result;
}

/** Connections the leaked checkouts hold: the `shop` role's, idle or idle in a transaction. */
const leaked = (rows: PgActivityRow[]) => rows.filter((r) => r.usename === 'shop' && r.state?.startsWith('idle')).length;

/**
 * Exhausts a `pool-kill` host's app pool again after its idle connections were killed: the
 * scenario's 15 leaking /api/checkout requests, then /api/orders that time out waiting for a
 * client (500). Resolves once nginx has logged every request and pg_stat_activity shows at
 * least 15 idle / idle-in-transaction `shop` connections; throws unless /api/orders got a 500.
 * The reporting pool's two connections are not re-opened if they were killed.
 */
export async function leakPool(lab: LabInfo, name: string): Promise<TrafficResult> {
  const result = await trafficLogged(lab, name, POOL_LEAK_TRAFFIC);
  await waitUntil(`15 leaked shop connections on ${name}`, async () => leaked(await pgActivity(lab, name)) >= 15, 10_000);
  if (!result.statuses[500]) throw new Error(`lab: ${name} leaked its pool but /api/orders answered ${JSON.stringify(result.statuses)}, no 500`);
  return result;
}
