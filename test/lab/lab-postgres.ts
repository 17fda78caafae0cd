import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { chown, mkdir, openSync, closeSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { run, runOk } from './run-process.js';
import type { LabProcess } from './pids.js';

const BIN = '/usr/lib/postgresql/15/bin';
const mkdirP = promisify(mkdir);
const chownP = promisify(chown);

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([runOk('id', ['-u', 'postgres']), runOk('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/**
 * The lab's own PostgreSQL ("the DB server" of pool-exhausted), outside any namespace and on
 * a lab address, so the machine's own Postgres on 127.0.0.1:5432 is never touched.
 * max_connections=20 keeps exhaustion cheap to reach.
 */
export async function startLabPostgres(labDir: string, address: string): Promise<{ proc: LabProcess; url: string }> {
  const root = join(labDir, 'pg');
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
  const child = spawn(join(BIN, 'postgres'), [
    '-D', data, '-c', `listen_addresses=${address}`, '-c', 'port=5432', '-c', 'max_connections=20',
    '-c', `unix_socket_directories=${sock}`, '-c', 'fsync=off',
  ], { uid, gid, detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.unref();
  if (!child.pid) throw new Error('lab postgres: could not spawn postgres');
  const proc: LabProcess = { name: 'lab-postgres', pid: child.pid, marker: data };

  const url = `postgres://postgres@${address}:5432/app`;
  const deadline = Date.now() + 30_000;
  while ((await run(join(BIN, 'pg_isready'), ['-h', address, '-p', '5432'])).code !== 0) {
    if (Date.now() > deadline) throw new Error(`lab postgres did not come up; see ${root}/postgres.log`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const psql = (db: string, sql: string) => runOk(join(BIN, 'psql'), ['-h', address, '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-qc', sql]);
  await psql('postgres', 'CREATE DATABASE app');
  await psql('app', `CREATE TABLE orders (id serial PRIMARY KEY, total numeric NOT NULL);
    INSERT INTO orders (total) SELECT (random() * 200)::int FROM generate_series(1, 50);`);
  return { proc, url };
}

/** Fast stop; the caller still kills the recorded group afterwards as a backstop. */
export async function stopLabPostgres(labDir: string): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', join(BIN, 'pg_ctl'), 'stop', '-m', 'immediate', '-D', join(labDir, 'pg', 'data')], { timeoutMs: 10_000 })
    .catch(() => undefined);
}
