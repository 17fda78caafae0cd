import { createHash, createHmac } from 'node:crypto';

export interface KnownHostKey {
  type: string;
  /** Raw key blob, as the server presents it during key exchange. */
  blob: Buffer;
  revoked: boolean;
}

interface Entry { patterns: string; marker: string | null; key: KnownHostKey }

/** OpenSSH spells non-22 ports as "[host]:port" in known_hosts. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Key type as written in the blob itself (the first length-prefixed string). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

function parseLine(line: string): Entry | null {
  const fields = line.trim().split(/\s+/);
  if (fields.length === 0 || fields[0] === '' || fields[0]!.startsWith('#')) return null;
  let marker: string | null = null;
  if (fields[0]!.startsWith('@')) marker = fields.shift()!;
  const [patterns, type, b64] = fields;
  if (!patterns || !type || !b64) return null;
  const blob = Buffer.from(b64, 'base64');
  if (blob.length === 0) return null;
  return { patterns, marker, key: { type, blob, revoked: marker === '@revoked' } };
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return mac === hash;
}

function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) {
      matched = true;
    }
  }
  return matched;
}

/** Keys known for any of the names (address form first, then inventory name), as OpenSSH would look them up. */
export function keysFor(knownHostsText: string, names: string[]): KnownHostKey[] {
  const keys: KnownHostKey[] = [];
  for (const line of knownHostsText.split('\n')) {
    const e = parseLine(line);
    // Certificate authorities need certificate-based host keys, which diagbot does not verify.
    if (!e || e.marker === '@cert-authority') continue;
    if (names.some((n) => patternsMatch(e.patterns, n))) keys.push(e.key);
  }
  return keys;
}

export type HostKeyVerdict =
  | { ok: true }
  | { ok: false; reason: 'unknown' | 'mismatch' | 'revoked'; message: string };

export function verifyHostKey(known: KnownHostKey[], presented: Buffer, hostLabel: string, knownHostsPath: string): HostKeyVerdict {
  const presentedDesc = `${blobType(presented)} ${fingerprint(presented)}`;
  if (known.some((k) => k.revoked && k.blob.equals(presented))) {
    return { ok: false, reason: 'revoked', message: `host key for ${hostLabel} is marked @revoked in ${knownHostsPath} (${presentedDesc})` };
  }
  const trusted = known.filter((k) => !k.revoked);
  if (trusted.some((k) => k.blob.equals(presented))) return { ok: true };
  if (trusted.length === 0) {
    return {
      ok: false, reason: 'unknown',
      message: `host key for ${hostLabel} is not in ${knownHostsPath}; server offered ${presentedDesc}. ` +
        `Verify it out of band, then add it (e.g. ssh-keyscan) — diagbot never trusts on first use`,
    };
  }
  return {
    ok: false, reason: 'mismatch',
    message: `host key mismatch for ${hostLabel}: server offered ${presentedDesc}, ${knownHostsPath} expects ` +
      `${trusted.map((k) => `${k.type} ${fingerprint(k.blob)}`).join(', ')}. The host was reinstalled or someone is in the middle`,
  };
}

/** ssh2 host-key algorithm names able to present a key of the given known_hosts type. */
export function algorithmsForKeyTypes(types: string[]): string[] {
  const out = new Set<string>();
  for (const t of types) {
    if (t === 'ssh-rsa') ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].forEach((a) => out.add(a));
    else out.add(t);
  }
  return [...out];
}
