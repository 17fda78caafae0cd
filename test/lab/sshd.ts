import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './run-process.js';

export const SSH_PORT = 2222;

/** ed25519 key pair without passphrase; returns the public key line. */
export async function generateKey(path: string, comment: string): Promise<string> {
  if (!existsSync(path)) await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/** Host key + sshd_config for one host; returns the host's public key line. */
export async function prepareSshd(hostDir: string, address: string, authorizedKeys: string, user = 'root'): Promise<string> {
  const dir = join(hostDir, 'sshd');
  await mkdir(dir, { recursive: true });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const pub = await generateKey(hostKey, `lab-host-${address}`);
  await writeFile(join(dir, 'sshd_config'), `# lab host ${address}: one sshd per namespace, keys from the lab dir
ListenAddress ${address}:${SSH_PORT}
HostKey ${hostKey}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile ${authorizedKeys}
# The keys file is shared by path, so only the host's login user may use it; any other must fail auth.
AllowUsers ${user}
StrictModes no
UsePAM no
UseDNS no
MaxSessions 10
MaxStartups 50:30:100
PidFile /run/sshd.pid
LogLevel ERROR
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
`);
  return pub;
}
