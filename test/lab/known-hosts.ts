import { writeFile } from 'node:fs/promises';
import { SSH_PORT } from './sshd.js';

/** `[addr]:2222 ssh-ed25519 AAAA…` lines; the key's comment is dropped as OpenSSH does. */
export async function writeKnownHosts(path: string, entries: { address: string; publicKey: string }[]): Promise<void> {
  const lines = entries.map(({ address, publicKey }) => {
    const [type, key] = publicKey.split(' ');
    return `[${address}]:${SSH_PORT} ${type} ${key}`;
  });
  await writeFile(path, `${lines.join('\n')}\n`);
}
