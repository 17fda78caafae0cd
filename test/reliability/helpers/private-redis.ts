import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnOwned, waitUntil, type OwnedProcess } from './owned-process.js';

/**
 * A redis-server of the test's own on 127.0.0.1 (AOF on, no RDB snapshots, noeviction: the
 * settings docs/deploying.md recommends), so the test can kill and restart it without touching the
 * machine's Redis. Restarting reuses the port and the data dir, so the AOF is replayed.
 */
export interface PrivateRedis {
  port: number;
  url: string;
  pid(): number | null;
  /** SIGKILL: a crash, nothing flushed beyond what the AOF already has. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let got = '';
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (c) => { got += c.toString(); if (got.includes('\r\n')) done(got.startsWith('+PONG')); });
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'diagbot-redis-'));
  const port = await freePort();
  let proc: OwnedProcess | null = null;
  const start = async () => {
    proc = spawnOwned('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes',
      '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--logfile', join(dir, 'redis.log'),
    ], { stdio: 'ignore' });
    await waitUntil(`private redis on ${port}`, () => ping(port), 10_000, 50);
  };
  await start();
  return {
    port, url: `redis://127.0.0.1:${port}`,
    pid: () => (proc?.alive() ? proc.pid : null),
    kill: async () => { await proc?.kill('SIGKILL'); },
    start,
    stop: async () => { await proc?.kill('SIGKILL'); await rm(dir, { recursive: true, force: true }); },
    logTail: async (lines = 20) => (await readFile(join(dir, 'redis.log'), 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n'),
  };
}
