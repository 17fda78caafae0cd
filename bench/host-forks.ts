import { spawn } from 'node:child_process';
import type { InventoryHost } from '../src/config/inventory.js';

// Processes started on a lab host, counted from the host's PID namespace: ns_last_pid is the last
// pid handed out there, so its growth is the number of forks inside that host alone (the
// machine-wide `processes` line of /proc/stat counts every other engineer's forks too).

function readLastPid(host: InventoryHost): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [
      '-i', host.privateKeyPath, '-p', String(host.port), '-o', `UserKnownHostsFile=${host.knownHostsPath}`,
      '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-o', 'LogLevel=ERROR',
      `${host.user}@${host.address}`, 'read -r n < /proc/sys/kernel/ns_last_pid; echo "$n"',
    ], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', () => {
      clearTimeout(timer);
      const n = Number(out.trim());
      if (Number.isInteger(n) && out.trim() !== '') resolve(n); else reject(new Error(`cannot read ns_last_pid on ${host.name}: ${JSON.stringify(out)}`));
    });
  });
}

/** Forks on `host` while `fn` runs, less what reading the counter itself costs. */
export async function hostForks(host: InventoryHost, fn: () => Promise<unknown>): Promise<number> {
  const a = await readLastPid(host);
  const b = await readLastPid(host);
  await fn();
  const c = await readLastPid(host);
  return c - b - (b - a);
}
