import { run, type RunResult } from './run-process.js';
import { SSH_PORT } from './sshd.js';

export interface SshTarget {
  address: string;
  privateKeyPath: string;
  knownHostsPath: string;
  /** Login user (default root; `triage` on the least-privilege host). */
  user?: string;
}

/** Runs a command on a lab host with the real OpenSSH client, strict host key checking on. */
export function sshExec(t: SshTarget, command: string, timeoutMs = 15_000): Promise<RunResult> {
  return run('ssh', [
    '-F', '/dev/null',
    '-i', t.privateKeyPath,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${t.knownHostsPath}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'ConnectTimeout=5',
    '-p', String(SSH_PORT),
    `${t.user ?? 'root'}@${t.address}`,
    command,
  ], { timeoutMs });
}

export async function sshExecOk(t: SshTarget, command: string, timeoutMs?: number): Promise<string> {
  const r = await sshExec(t, command, timeoutMs);
  if (r.code === null) throw new Error(`ssh ${t.address} '${command}' timed out after ${timeoutMs ?? 15_000} ms`);
  if (r.code !== 0) throw new Error(`ssh ${t.address} '${command}' exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}
