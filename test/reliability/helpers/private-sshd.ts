import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { closeSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk } from '../../lab/run-process.js';
import { freePort, spawnOwned, waitUntil, type OwnedProcess } from './owned-process.js';

/**
 * How a port of the private sshd misbehaves. Every mode runs through sshd's ForceCommand, which
 * sees diagbot's command (with its `timeout` wrapper) in $SSH_ORIGINAL_COMMAND:
 * - `hung`: `df` never returns and ignores the host-side timeout (as on a dead NFS mount), so
 *   only the client's backstop can end it (in a batch, its section's wrapper is replaced); `cat /proc/meminfo` is replaced by `sleep`, which
 *   the host-side `timeout` does end. Everything else runs normally.
 * - `huge`: `ps` and `cat /proc/meminfo` print endless lines, ignoring the wrapper; only the
 *   client's output cap ends them.
 * - `slow`: every command waits 2 s before it runs (a loaded host): a diagnosis takes seconds.
 */
export type SshdMode = 'hung' | 'huge' | 'slow';

const DISPATCH = `#!/bin/sh
# ForceCommand for the reliability tests' sshd: $1 is the port's mode.
cmd=$SSH_ORIGINAL_COMMAND
case "$1" in
  hung)
    case "$cmd" in
      # df and its own \`timeout\` wrapper never return (the wrapper is stuck too, as on NFS).
      *"df -P"*) cmd=$(printf '%s' "$cmd" | sed "s#timeout -k 1 [0-9]* sh -c 'df -P[^']*'#sleep 15#") ;;
      *"cat /proc/meminfo"*) cmd=$(printf '%s' "$cmd" | sed 's#cat /proc/meminfo#sleep 15#') ;;
    esac ;;
  huge)
    case "$cmd" in
      # ps and cat /proc/meminfo, wrapper and all, become an endless flood.
      *"ps -eo"*|*"cat /proc/meminfo"*)
        f="yes '  4242     1 root     123456 /usr/bin/flood --a-very-long-argument-list-that-goes-on-and-on-and-on-and-on-and-on'"
        cmd=$(printf '%s' "$cmd" | sed "s#timeout -k 1 [0-9]* sh -c 'ps -eo[^']*'#$f#; s#timeout -k 1 [0-9]* sh -c 'cat /proc/meminfo'#$f#") ;;
    esac ;;
  slow) sleep 2 ;;
esac
exec /bin/sh -c "$cmd"
`;

export interface PrivateSshd {
  ports: Record<SshdMode, number>;
  knownHostsPath: string;
  pid: number;
  stop(): Promise<void>;
}

function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('data', (c) => done(c.toString().startsWith('SSH-2.0')));
  });
}

/**
 * A real OpenSSH sshd on 127.0.0.1 (one port per mode) that accepts the lab's key. It runs in a
 * private mount namespace with its own /run (for its privilege-separation dir) and an empty /root
 * (bash sources root's ~/.bashrc for sshd commands, and this machine's takes seconds), so nothing
 * on the machine changes. Known host keys are written to `knownHostsPath` as `[127.0.0.1]:port`.
 */
export async function startPrivateSshd(modes: SshdMode[], authorizedKeyPath: string): Promise<PrivateSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'diagbot-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'reliability-sshd', '-f', hostKey]);
  const hostPub = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  const dispatch = join(dir, 'dispatch.sh');
  await writeFile(dispatch, DISPATCH);
  await chmod(dispatch, 0o755);
  await chmod(dir, 0o755);
  const ports = Object.fromEntries(await Promise.all(modes.map(async (m) => [m, await freePort()] as const))) as Record<SshdMode, number>;
  const config = join(dir, 'sshd_config');
  await writeFile(config, [
    ...modes.map((m) => `ListenAddress 127.0.0.1:${ports[m]}`),
    `HostKey ${hostKey}`, 'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', `AuthorizedKeysFile ${authorizedKeyPath}`, 'AllowUsers root', 'StrictModes no',
    'UsePAM no', 'UseDNS no', 'MaxSessions 10', 'MaxStartups 50:30:100', 'PidFile none', 'LogLevel ERROR',
    ...modes.flatMap((m) => [`Match LocalPort ${ports[m]}`, `  ForceCommand ${dispatch} ${m}`]),
    '',
  ].join('\n'));
  const knownHostsPath = join(dir, 'known_hosts');
  await writeFile(knownHostsPath, modes.map((m) => `[127.0.0.1]:${ports[m]} ${hostPub}\n`).join(''));
  const log = openSync(join(dir, 'sshd.log'), 'a');
  const proc: OwnedProcess = spawnOwned('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c',
    `mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -m 0755 /run/sshd && mount -t tmpfs -o mode=0700 tmpfs /root && exec /usr/sbin/sshd -D -e -f ${config}`],
  { stdio: ['ignore', log, log] });
  closeSync(log);
  try {
    for (const m of modes) await waitUntil(`private sshd (${m}) on ${ports[m]}`, () => banner(ports[m]), 10_000, 50);
  } catch (err) {
    await proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${await readFile(join(dir, 'sshd.log'), 'utf8').catch(() => '')}`);
  }
  return {
    ports, knownHostsPath, pid: proc.pid,
    async stop() {
      await proc.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
