import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnOwned, waitUntil, type OwnedProcess } from './owned-process.js';

const run = promisify(execFile);

/** A 3-master Redis Cluster of the test's own on 127.0.0.1 (no replicas), built with `redis-cli --cluster create`. */
export interface ClusterSet { url: string; ports: number[]; stop(): Promise<void> }

export async function startClusterSet(): Promise<ClusterSet> {
  const dir = await mkdtemp(join(tmpdir(), 'diagbot-cluster-'));
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const procs: OwnedProcess[] = [];
  for (const port of ports) {
    const d = join(dir, String(port));
    await mkdir(d, { recursive: true });
    procs.push(spawnOwned('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', d, '--cluster-enabled', 'yes',
      '--cluster-config-file', join(d, 'nodes.conf'), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
      '--logfile', join(d, 'redis.log')], { stdio: 'ignore' }));
  }
  const cli = (port: number, ...args: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  for (const port of ports) await waitUntil(`cluster node ${port}`, async () => (await cli(port, 'PING')).stdout.trim() === 'PONG', 10_000, 50);
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
  await waitUntil('cluster_state:ok on every node', async () => {
    for (const port of ports) if (!(await cli(port, 'CLUSTER', 'INFO')).stdout.includes('cluster_state:ok')) return false;
    return true;
  }, 30_000, 200);
  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, ports,
    async stop() {
      await Promise.all(procs.map((p) => p.kill('SIGKILL')));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
