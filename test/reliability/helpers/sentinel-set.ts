import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, spawnOwned, waitUntil, type OwnedProcess } from './owned-process.js';

/**
 * A Sentinel-managed Redis of the test's own on 127.0.0.1: a primary, one replica and three
 * `redis-sentinel` processes (quorum 2, a primary is "down" after 1 s), each on a free port.
 * Data settings as private-redis.ts (AOF, noeviction). Only the pids spawned here are killed.
 */
export const MASTER_NAME = 'diagbot';

export interface SentinelSet {
  /** `redis+sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/diagbot`, as an operator would set REDIS_URL. */
  url: string;
  sentinelPorts: number[];
  /** Port of the server the sentinels currently name as primary. */
  primaryPort(): Promise<number>;
  /** SIGKILLs the redis-server on `port` (a crash). */
  killServer(port: number): Promise<void>;
  /** Starts the server on `port` again, as it was first configured (the sentinels then reconfigure it). */
  restartServer(port: number): Promise<void>;
  /** Replication role of the server on `port`, from INFO replication. */
  role(port: number): Promise<string>;
  logTail(lines?: number): Promise<string>;
  /** BullMQ key counts on the current primary, for the log of a failure: `prefix:queue:state` → size. */
  queueCounts(prefix: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The `redis-sentinel` binary is in the redis-sentinel package (a link to redis-server's multi-call binary). */
export function sentinelBinary(): string {
  for (const bin of ['/usr/bin/redis-sentinel', '/usr/local/bin/redis-sentinel']) {
    try { execFileSync(bin, ['--version'], { stdio: 'ignore', timeout: 5000 }); return bin; } catch { /* next */ }
  }
  throw new Error('redis-sentinel not found: apt-get install -y redis-sentinel (.ci/run installs it)');
}

async function ask(port: number, ...args: string[]): Promise<unknown> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, commandTimeout: 2000, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await r.call(args[0]!, ...args.slice(1));
  } finally {
    r.disconnect();
  }
}

export async function startSentinelSet(): Promise<SentinelSet> {
  const bin = sentinelBinary();
  const dir = await mkdtemp(join(tmpdir(), 'diagbot-sentinel-'));
  const [p1, p2, s1, s2, s3] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const servers = new Map<number, { proc: OwnedProcess | null; args: string[] }>();
  const sentinels: OwnedProcess[] = [];
  const serverArgs = (port: number, replicaOf?: number) => {
    const d = join(dir, `redis-${port}`);
    return { d, args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', d, '--save', '', '--appendonly', 'yes',
      '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--logfile', join(d, 'redis.log'),
      ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : [])] };
  };
  const startServer = async (port: number) => {
    const s = servers.get(port)!;
    s.proc = spawnOwned('redis-server', s.args, { stdio: 'ignore' });
    await waitUntil(`redis-server on ${port}`, async () => (await ask(port, 'PING')) === 'PONG', 10_000, 50);
  };
  for (const [port, of] of [[p1!, undefined], [p2!, p1!]] as const) {
    const { d, args } = serverArgs(port, of);
    await mkdir(d, { recursive: true });
    servers.set(port, { proc: null, args });
    await startServer(port);
  }
  await waitUntil('replica in sync', async () => String(await ask(p2!, 'INFO', 'replication')).includes('master_link_status:up'), 15_000, 100);
  for (const port of [s1!, s2!, s3!]) {
    const conf = join(dir, `sentinel-${port}.conf`);
    // Sentinel rewrites its file (known replicas, epochs), so each gets its own writable copy.
    await writeFile(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `logfile ${join(dir, `sentinel-${port}.log`)}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${p1} 2`, `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
      `sentinel failover-timeout ${MASTER_NAME} 10000`, `sentinel parallel-syncs ${MASTER_NAME} 1`, ''].join('\n'));
    sentinels.push(spawnOwned(bin, [conf], { stdio: 'ignore' }));
  }
  // Ready when every sentinel knows the replica and the other two sentinels (else no quorum).
  await waitUntil('sentinels see the replica and each other', async () => {
    for (const port of [s1!, s2!, s3!]) {
      const m = await ask(port, 'SENTINEL', 'MASTER', MASTER_NAME) as string[];
      const f = Object.fromEntries(Array.from({ length: m.length / 2 }, (_, i) => [m[2 * i], m[2 * i + 1]]));
      if (f['num-slaves'] !== '1' || f['num-other-sentinels'] !== '2') return false;
    }
    return true;
  }, 30_000, 200);
  const sentinelPorts = [s1!, s2!, s3!];
  const primaryPort = async () => {
    const addr = await ask(s1!, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME) as [string, string];
    return Number(addr[1]);
  };
  return {
    url: `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${MASTER_NAME}`,
    sentinelPorts,
    primaryPort,
    killServer: async (port) => { await servers.get(port)?.proc?.kill('SIGKILL'); },
    restartServer: (port) => startServer(port),
    role: async (port) => /role:(\w+)/.exec(String(await ask(port, 'INFO', 'replication')))?.[1] ?? 'unknown',
    logTail: async (lines = 15) => {
      const files = [...[...servers.keys()].map((p) => join(dir, `redis-${p}`, 'redis.log')), ...sentinelPorts.map((p) => join(dir, `sentinel-${p}.log`))];
      const tails = await Promise.all(files.map(async (f) => `== ${f}\n${(await readFile(f, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n')}`));
      return tails.join('\n');
    },
    async queueCounts(prefix) {
      const port = await primaryPort();
      const out: Record<string, unknown> = {};
      for (const q of ['diagbot-diagnose', 'diagbot-slack-sync', 'diagbot-remediate']) {
        for (const [state, cmd] of [['wait', 'LLEN'], ['active', 'LLEN'], ['delayed', 'ZCARD'], ['failed', 'ZCARD'], ['completed', 'ZCARD']] as const) {
          out[`${q}:${state}`] = await ask(port, cmd, `${prefix}:${q}:${state}`);
        }
      }
      return out;
    },
    async stop() {
      await Promise.all([...sentinels.map((s) => s.kill('SIGKILL')), ...[...servers.values()].map((s) => s.proc?.kill('SIGKILL'))]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
