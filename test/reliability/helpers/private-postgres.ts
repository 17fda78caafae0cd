import { execFileSync } from 'node:child_process';
import { chownSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { run, runOk } from '../../lab/run-process.js';
import { freePort, spawnOwned, waitUntil, type OwnedProcess } from './owned-process.js';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL 15 of the test's own (initdb in a temp dir, trust auth, 127.0.0.1 and a free
 * port, run as user postgres), so it can be crashed and restarted without touching the
 * machine's server. `crash()` is an immediate shutdown (SIGQUIT to the postmaster we spawned):
 * no checkpoint, crash recovery on the next start.
 */
export interface PrivatePostgres {
  port: number;
  url: string;
  pid(): number | null;
  crash(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = await mkdtemp(join(tmpdir(), 'diagbot-pg-'));
  const data = join(root, 'data');
  const sock = join(root, 'run');
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  mkdirSync(sock);
  for (const d of [root, sock]) chownSync(d, uid, gid);
  await runOk('runuser', ['-u', 'postgres', '--', join(BIN, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { timeoutMs: 60_000 });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let proc: OwnedProcess | null = null;
  const start = async () => {
    const log = openSync(join(root, 'postgres.log'), 'a');
    proc = spawnOwned(join(BIN, 'postgres'), [
      '-D', data, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', `unix_socket_directories=${sock}`,
      '-c', 'max_connections=100', '-c', 'shared_buffers=32MB',
    ], { uid, gid, stdio: ['ignore', log, log] }, 'SIGQUIT');
    closeSync(log);
    await waitUntil(`private postgres on ${port}`, async () => (await run(join(BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)])).code === 0, 30_000, 100);
  };
  await start();
  return {
    port, url,
    pid: () => (proc?.alive() ? proc.pid : null),
    crash: async () => { await proc?.kill('SIGQUIT'); },
    start,
    async stop() {
      await proc?.kill('SIGQUIT');
      await rm(root, { recursive: true, force: true });
    },
    logTail: async (lines = 20) => (await readFile(join(root, 'postgres.log'), 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n'),
  };
}

/** A client pool for the test's own checks, small and with short timeouts. */
export function checkPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 3000 });
  pool.on('error', () => undefined);
  return pool;
}
