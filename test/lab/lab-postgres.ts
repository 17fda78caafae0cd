import { spawn } from 'node:child_process';
import { appendFile, readdir } from 'node:fs/promises';
import { chown, mkdir, openSync, closeSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { run, runOk } from './run-process.js';
import type { LabProcess } from './pids.js';
import type { LabPostgresSpec, Scenario } from './lab-types.js';

const BIN = '/usr/lib/postgresql/15/bin';
const mkdirP = promisify(mkdir);
const chownP = promisify(chown);

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([runOk('id', ['-u', 'postgres']), runOk('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export interface LabPostgres {
  /** What the host's app connects with. */
  appUrl: string;
  /** The inventory's postgres.url: the role diagbot uses. */
  diagbotUrl: string;
  /** For tests that inspect or set up the server behind diagbot's back. */
  superuserUrl: string;
}

const POOL_EXHAUSTED: LabPostgresSpec = { maxConnections: 20, roles: 'superuser' };

/** The scenario's Postgres spec; `postgres: true` is pool-exhausted's superuser setup. */
export function postgresSpec(s: Scenario): LabPostgresSpec | undefined {
  return s.postgres === true ? POOL_EXHAUSTED : s.postgres || undefined;
}

/**
 * One scenario's own PostgreSQL ("the DB server" of that host), outside any namespace and on
 * the host's lab address, so the machine's own Postgres on 127.0.0.1:5432 is never touched and
 * one scenario's connections never count against another's max_connections. Small limits keep
 * exhaustion cheap to reach. `onSpawn` records the process before we wait for it, so a server
 * that never comes up is still torn down.
 */
export async function startLabPostgres(labDir: string, name: string, address: string, spec: LabPostgresSpec,
  onSpawn: (p: LabProcess) => Promise<void>): Promise<LabPostgres> {
  const root = join(labDir, 'pg', name);
  const data = join(root, 'data');
  const sock = join(root, 'run');
  const { uid, gid } = await postgresIds();
  await mkdirP(sock, { recursive: true });
  for (const d of [root, sock]) await chownP(d, uid, gid);
  const asPg = (bin: string, args: string[]) => runOk('runuser', ['-u', 'postgres', '--', join(BIN, bin), ...args], { timeoutMs: 60_000 });
  await asPg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // Lab hosts connect from anywhere in 127/8 (the kernel may pick any loopback source).
  await appendFile(join(data, 'pg_hba.conf'), 'host all all 127.0.0.0/8 trust\n');

  const logFd = openSync(join(root, 'postgres.log'), 'a');
  // superuser_reserved_connections is pinned: pool-kill's headroom for the diagbot role is counted
  // against it. log_connections: once remediation tests have killed sessions, postgres.log is
  // the only record left of who the app connected as at start.
  const child = spawn(join(BIN, 'postgres'), [
    '-D', data, '-c', `listen_addresses=${address}`, '-c', 'port=5432', '-c', `max_connections=${spec.maxConnections}`,
    '-c', 'superuser_reserved_connections=3', '-c', `unix_socket_directories=${sock}`, '-c', 'fsync=off',
    '-c', 'log_connections=on',
  ], { uid, gid, detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.unref();
  if (!child.pid) throw new Error(`lab postgres ${name}: could not spawn postgres`);
  await onSpawn({ name: `lab-postgres:${name}`, pid: child.pid, marker: data });

  const deadline = Date.now() + 30_000;
  while ((await run(join(BIN, 'pg_isready'), ['-h', address, '-p', '5432'])).code !== 0) {
    if (Date.now() > deadline) throw new Error(`lab postgres ${name} did not come up; see ${root}/postgres.log`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const psql = (user: string, db: string, sql: string) =>
    runOk(join(BIN, 'psql'), ['-h', address, '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-qc', sql]);
  const url = (role: string) => `postgres://${role}@${address}:5432/app`;
  const leastPrivilege = spec.roles === 'least-privilege';
  if (leastPrivilege) {
    // As a production install: the app owns its database; diagbot may watch every session and
    // signal non-superuser ones, and nothing else (no table access, no superuser slots).
    await psql('postgres', 'postgres', `CREATE ROLE shop LOGIN;
      CREATE ROLE diagbot LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
      GRANT pg_monitor, pg_signal_backend TO diagbot;`);
    await psql('postgres', 'postgres', 'CREATE DATABASE app OWNER shop');
  } else {
    await psql('postgres', 'postgres', 'CREATE DATABASE app');
  }
  await psql(leastPrivilege ? 'shop' : 'postgres', 'app', `CREATE TABLE orders (id serial PRIMARY KEY, total numeric NOT NULL);
    INSERT INTO orders (total) SELECT (random() * 200)::int FROM generate_series(1, 50);`);
  return {
    appUrl: url(leastPrivilege ? 'shop' : 'postgres'),
    diagbotUrl: url(leastPrivilege ? 'diagbot' : 'postgres'),
    superuserUrl: url('postgres'),
  };
}

/** Fast stop of every instance under <labDir>/pg; the caller still kills the recorded groups as a backstop. */
export async function stopLabPostgres(labDir: string): Promise<void> {
  const names = await readdir(join(labDir, 'pg')).catch(() => [] as string[]);
  await Promise.all(names.map((n) => run('runuser', ['-u', 'postgres', '--', join(BIN, 'pg_ctl'), 'stop', '-m', 'immediate', '-D', join(labDir, 'pg', n, 'data')], { timeoutMs: 10_000 })
    .catch(() => undefined)));
}
