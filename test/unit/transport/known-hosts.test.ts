import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keysFor, knownHostsName, verifyHostKey } from '../../../src/transport/known-hosts.js';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const out = Buffer.alloc(8 + t.length + b.length);
  out.writeUInt32BE(t.length, 0); t.copy(out, 4);
  out.writeUInt32BE(b.length, 4 + t.length); b.copy(out, 8 + t.length);
  return out;
}

const keyA = blob('ssh-ed25519', 'A'.repeat(32));
const keyB = blob('ssh-ed25519', 'B'.repeat(32));

describe('known_hosts', () => {
  it('uses the [host]:port form for non-22 ports', () => {
    expect(knownHostsName('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });

  it('matches plain, wildcard, negated and hashed entries', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[10.0.0.9]:2222').digest('base64');
    const text = [
      `# comment`,
      `[10.0.0.1]:2222,web-1 ssh-ed25519 ${keyA.toString('base64')}`,
      `10.0.1.* ,!10.0.1.5 ssh-ed25519 ${keyB.toString('base64')}`.replace(' ,', ','),
      `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${keyB.toString('base64')}`,
    ].join('\n');
    expect(keysFor(text, ['[10.0.0.1]:2222'])).toHaveLength(1);
    expect(keysFor(text, ['10.0.1.7'])).toHaveLength(1);
    expect(keysFor(text, ['10.0.1.5'])).toHaveLength(0);
    expect(keysFor(text, ['[10.0.0.9]:2222'])[0]!.blob.equals(keyB)).toBe(true);
  });

  it('refuses unknown, changed and revoked keys with a reason naming the fingerprints', () => {
    expect(verifyHostKey([], keyA, 'h', '/kh')).toMatchObject({ ok: false, reason: 'unknown' });
    const mismatch = verifyHostKey([{ type: 'ssh-ed25519', blob: keyA, revoked: false }], keyB, 'h', '/kh');
    expect(mismatch).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(!mismatch.ok && mismatch.message).toMatch(/SHA256:.*expects ssh-ed25519 SHA256:/);
    expect(verifyHostKey([{ type: 'ssh-ed25519', blob: keyA, revoked: true }], keyA, 'h', '/kh')).toMatchObject({ ok: false, reason: 'revoked' });
    expect(verifyHostKey([{ type: 'ssh-ed25519', blob: keyA, revoked: false }], keyA, 'h', '/kh')).toEqual({ ok: true });
  });
});
