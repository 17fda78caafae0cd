import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// The least-privilege lab host: diagbot logs in as `triage` (in group adm, sudo for exactly
// `nginx -T` and `nginx -t`, the allowlist in docs/least-privilege.md), the app runs as `shop`. The users exist
// only inside that host's namespace: its /etc/passwd, group, shadow and sudoers.d are copies.

export const LAB_USERS = {
  triage: { uid: 1500, home: '/run/triage-home' },
  shop: { uid: 1501, home: '/srv/app' },
} as const;

/** docs/least-privilege.md's two-line sudoers allowlist, as diagbot's docs tell operators to install it. */
export const SUDOERS_ALLOWLIST = 'triage ALL=(root) NOPASSWD: /usr/sbin/nginx -T, /usr/sbin/nginx -t\n';

export async function prepareLeastPrivilege(hostDir: string, authorizedKeys: string): Promise<{ user: string; authorizedKeys: string }> {
  const etc = join(hostDir, 'etc');
  await mkdir(join(etc, 'sudoers.d'), { recursive: true });
  const passwd = await readFile('/etc/passwd', 'utf8');
  const group = await readFile('/etc/group', 'utf8');
  await writeFile(join(etc, 'passwd'), `${passwd.trimEnd()}\n` +
    `triage:x:${LAB_USERS.triage.uid}:${LAB_USERS.triage.uid}:diagbot triage:${LAB_USERS.triage.home}:/bin/sh\n` +
    `shop:x:${LAB_USERS.shop.uid}:${LAB_USERS.shop.uid}:shop app:${LAB_USERS.shop.home}:/usr/sbin/nologin\n`);
  await writeFile(join(etc, 'group'), `${group.trimEnd().split('\n').map((l) => (l.startsWith('adm:') ? `${l}${l.endsWith(':') ? '' : ','}triage` : l)).join('\n')}\n` +
    `triage:x:${LAB_USERS.triage.uid}:\nshop:x:${LAB_USERS.shop.uid}:\n`);
  await copyFile('/etc/shadow', join(etc, 'shadow'));
  await writeFile(join(etc, 'shadow'), `${(await readFile(join(etc, 'shadow'), 'utf8')).trimEnd()}\ntriage:*:20000:0:99999:7:::\nshop:*:20000:0:99999:7:::\n`);
  await chmod(join(etc, 'shadow'), 0o640);
  await writeFile(join(etc, 'sudoers.d', 'diagbot-triage'), SUDOERS_ALLOWLIST);
  await chmod(join(etc, 'sudoers.d', 'diagbot-triage'), 0o440);
  // sshd reads authorized keys as the user: give triage a readable copy.
  const keys = join(hostDir, 'sshd', 'authorized_keys_triage');
  await mkdir(join(hostDir, 'sshd'), { recursive: true });
  await copyFile(authorizedKeys, keys);
  await chmod(keys, 0o644);
  await mkdir(join(hostDir, 'run', 'triage-home'), { recursive: true });
  return { user: 'triage', authorizedKeys: keys };
}
