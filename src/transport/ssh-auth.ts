import { readFile } from 'node:fs/promises';
import ssh2, { type ParsedKey } from 'ssh2';
import type { InventoryHost } from '../config/inventory.js';
import { HostUnreachableError } from './ssh-errors.js';

export type SshAuthTarget = Pick<InventoryHost, 'privateKeyPath' | 'agent' | 'passphraseFile' | 'passphraseEnv'>;

/** What ssh2 needs to authenticate: a key (already decrypted) and/or an agent socket. */
export interface SshAuth {
  key?: ParsedKey;
  agent?: string;
  /** For messages: which credentials were offered. */
  offered: string;
}

async function passphraseOf(t: SshAuthTarget): Promise<string | undefined> {
  if (t.passphraseFile) {
    try {
      // One trailing newline is how editors and `echo` leave the file; it is not part of the passphrase.
      return (await readFile(t.passphraseFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new HostUnreachableError('key_file', `cannot read passphrase file ${t.passphraseFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
  }
  if (t.passphraseEnv) {
    const v = process.env[t.passphraseEnv];
    if (!v) throw new HostUnreachableError('key_file', `environment variable ${t.passphraseEnv} (the key's passphrase) is not set`);
    return v;
  }
  return undefined;
}

/**
 * Reads the key and its passphrase and checks they fit before any packet is sent, so a wrong
 * passphrase is named as such instead of surfacing as a refused login.
 */
export async function resolveSshAuth(t: SshAuthTarget): Promise<SshAuth> {
  const agent = t.agent ? process.env.SSH_AUTH_SOCK : undefined;
  if (t.agent && !agent) throw new HostUnreachableError('key_file', 'agent: true but SSH_AUTH_SOCK is not set (no ssh-agent to ask)');
  let key: string | undefined;
  try {
    key = await readFile(t.privateKeyPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    // With an agent, the key file is optional: the agent may hold the only key.
    if (!(agent && code === 'ENOENT')) throw new HostUnreachableError('key_file', `cannot read private key ${t.privateKeyPath} (${code})`, { cause: err });
  }
  if (key === undefined) return { agent: agent!, offered: `the keys of the ssh-agent at ${agent}` };
  const passphrase = await passphraseOf(t);
  // Decrypting an OpenSSH key runs bcrypt (about a second of CPU): once per key per process,
  // not once per host of a fleet.
  const cacheKey = `${t.privateKeyPath}\0${passphrase ?? ''}\0${key}`;
  const cached = decrypted.get(cacheKey);
  const fresh = cached ? null : ssh2.utils.parseKey(key, passphrase);
  const parsed: ParsedKey | Error = cached ?? (Array.isArray(fresh) ? fresh[0]! : fresh!);
  if (!cached && !(parsed instanceof Error)) decrypted.set(cacheKey, parsed);
  if (parsed instanceof Error) {
    const encrypted = /encrypted/i.test(parsed.message);
    const why = encrypted && passphrase === undefined
      ? 'is encrypted and no passphrase is configured (set passphraseFile or passphraseEnv)'
      : encrypted || passphrase !== undefined ? `could not be decrypted with the configured passphrase (${parsed.message})` : `is not a usable private key (${parsed.message})`;
    throw new HostUnreachableError('key_file', `private key ${t.privateKeyPath} ${why}`);
  }
  const offered = agent ? `key ${t.privateKeyPath} and the ssh-agent at ${agent}` : `key ${t.privateKeyPath}`;
  return { key: parsed, ...(agent ? { agent } : {}), offered };
}

const decrypted = new Map<string, ParsedKey>();

/** ssh2's authHandler list: the key first, then the agent's keys. */
export function authMethods(auth: SshAuth, username: string): Array<{ type: 'publickey'; username: string; key: ParsedKey } | { type: 'agent'; username: string; agent: string }> {
  return [
    ...(auth.key ? [{ type: 'publickey' as const, username, key: auth.key }] : []),
    ...(auth.agent ? [{ type: 'agent' as const, username, agent: auth.agent }] : []),
  ];
}
