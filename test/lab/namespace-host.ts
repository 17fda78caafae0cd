import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { LabProcess } from './pids.js';

/**
 * Starts init.sh as pid 1 of fresh mount+pid+uts namespaces. `detached` makes the spawned
 * unshare a session and process-group leader, so killing its group kills the namespace's
 * pid 1 and with it everything inside. (The util-linux `setsid` wrapper is not used: when
 * already a group leader it forks, and the group we recorded would be the wrong one.)
 */
export function spawnNamespaceHost(name: string, hostDir: string): LabProcess {
  const script = join(hostDir, 'init.sh');
  const out = openSync(join(hostDir, 'init.out'), 'a');
  const child = spawn('unshare', ['--mount', '--pid', '--uts', '--fork', '--mount-proc', '/bin/sh', script], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  if (!child.pid) throw new Error(`lab host ${name}: could not spawn unshare`);
  return { name, pid: child.pid, marker: script };
}

/** A TCP listener that accepts and never speaks: an sshd that hangs before its banner. */
export function spawnSilentListener(name: string, address: string, port: number, labDir: string): LabProcess {
  const script = new URL('./apps/silent-listener.cjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, address, String(port), `--lab=${labDir}`], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  if (!child.pid) throw new Error(`lab host ${name}: could not spawn silent listener`);
  return { name, pid: child.pid, marker: `--lab=${labDir}` };
}
