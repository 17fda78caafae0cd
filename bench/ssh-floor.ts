import { spawn } from 'node:child_process';
import type { InventoryHost } from '../src/config/inventory.js';

/** Runs one script over a fresh OpenSSH connection: the yardstick diagbot is compared with. */
export function opensshRun(host: InventoryHost, script: string, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [
      '-i', host.privateKeyPath, '-p', String(host.port),
      '-o', `UserKnownHostsFile=${host.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-o', 'LogLevel=ERROR',
      `${host.user}@${host.address}`, script,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 255) reject(new Error(`ssh failed: ${err}`));
      else resolve(performance.now() - started);
    });
  });
}
