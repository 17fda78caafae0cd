import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/core/redact.js';

describe('redact', () => {
  it.each([
    ['postgres://app:s3cr3t-pw@db-1:5432/app', 'postgres://app:****@db-1:5432/app'],
    ['DATABASE_PASSWORD=hunter2 next', 'DATABASE_PASSWORD=**** next'],
    ['{"password":"hunter2","user":"x"}', '{"password":"****","user":"x"}'],
    ['api_key: abcdef123456', 'api_key: ****'],
    ['client_secret=xyz&code=1', 'client_secret=****&code=1'],
    ['Authorization: Bearer abc.def-123_456789xyz', 'Authorization: Bearer ****'],
  ])('masks %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('masks vendor tokens and JWTs wherever they appear', () => {
    const text = [
      'slack xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp',
      'aws AKIAIOSFODNN7EXAMPLE',
      'gh ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ].join('\n');
    const out = redact(text);
    expect(out).not.toMatch(/1234567890-0987654321|IOSFODNN7EXAMPLE|16C7e42F292c|eyJzdWIiOiIxMjM0NTY3ODkwIn0/);
    expect(out.split('\n')).toHaveLength(4);
  });

  it('masks a whole PEM private key block, and one cut off by truncation', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\nabc\n-----END RSA PRIVATE KEY-----';
    expect(redact(`key:\n${pem}\nafter`)).toBe('key:\n-----BEGIN RSA PRIVATE KEY----- **** -----END RSA PRIVATE KEY-----\nafter');
    expect(redact('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA')).not.toContain('b3BlbnNzaC1rZXk');
  });

  it('leaves ordinary log lines alone and is idempotent', () => {
    const line = '2026/11/21 00:54:29 [error] 7473#7473: *11 connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://127.0.0.1:3997/dead"';
    expect(redact(line)).toBe(line);
    const once = redact('password=abc postgres://u:p@h/db');
    expect(redact(once)).toBe(once);
  });
});
