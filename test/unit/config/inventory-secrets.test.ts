import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { parseInventory } from '../../../src/config/inventory.js';

const dir = mkdtempSync(join(tmpdir(), 'diagbot-inv-secrets-'));
const inventoryPath = join(dir, 'inventory.yaml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inv = (postgres: string) => `hosts:\n  db-host:\n    address: 10.0.3.11\n    postgres: ${postgres}\n`;

function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseInventory(text, inventoryPath, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('inventory secrets kept out of the file', () => {
  it('postgres.url: "${NAME}" (whole or in part) is expanded from the environment', () => {
    const whole = parseInventory(inv('{ url: "${PG_URL}" }'), inventoryPath, { PG_URL: ' postgres://diag:S3cretPw@db-1/app ' });
    expect(whole.hosts.get('db-host')!.postgres).toEqual({ url: 'postgres://diag:S3cretPw@db-1/app' });
    const part = parseInventory(inv('{ url: "postgres://diag:${PG_PASSWORD}@db-1:5433/app" }'), inventoryPath, { PG_PASSWORD: 'S3cretPw' });
    expect(part.hosts.get('db-host')!.postgres).toEqual({ url: 'postgres://diag:S3cretPw@db-1:5433/app' });
  });

  it('postgres.urlFile is read (trimmed), relative to the inventory', () => {
    writeFileSync(join(dir, 'db-host.pgurl'), 'postgres://diag:FromAFile@db-1/app\n', { mode: 0o600 });
    const loaded = parseInventory(inv('{ urlFile: ./db-host.pgurl }'), inventoryPath, {});
    expect(loaded.hosts.get('db-host')!.postgres).toEqual({ url: 'postgres://diag:FromAFile@db-1/app' });
  });

  it('a missing variable, an unreadable or empty file, a bad value: config errors naming the variable or file, never the value', () => {
    expect(problemsOf(inv('{ url: "${PG_URL}" }'))).toEqual([`${inventoryPath}: host "db-host": field "postgres.url": environment variable PG_URL is not set`]);
    expect(problemsOf(inv('{ url: "postgres://u:${PG_PW}@h/${PG_DB}" }'), { PG_DB: 'app' }))
      .toEqual([`${inventoryPath}: host "db-host": field "postgres.url": environment variable PG_PW is not set`]);
    expect(problemsOf(inv('{ urlFile: /nonexistent/pg.url }'))).toEqual([`${inventoryPath}: host "db-host": field "postgres.urlFile": cannot read /nonexistent/pg.url (ENOENT)`]);
    writeFileSync(join(dir, 'empty.pgurl'), '  \n');
    expect(problemsOf(inv('{ urlFile: ./empty.pgurl }'))).toEqual([`${inventoryPath}: host "db-host": field "postgres.urlFile": ${join(dir, 'empty.pgurl')} is empty`]);
    if (process.getuid?.() !== 0) {
      writeFileSync(join(dir, 'locked.pgurl'), 'postgres://x@y/z');
      chmodSync(join(dir, 'locked.pgurl'), 0);
      expect(problemsOf(inv('{ urlFile: ./locked.pgurl }'))[0]).toMatch(/cannot read .*locked\.pgurl \(EACCES\)/);
    }
    const bad = problemsOf(inv('{ url: "${PG_URL}" }'), { PG_URL: 'mysql://root:TopSecretValue@db' });
    expect(bad).toEqual([`${inventoryPath}: host "db-host": field "postgres.url": the expanded value must be a postgres:// URL`]);
    expect(bad.join('\n')).not.toContain('TopSecretValue');
    expect(problemsOf(inv('{ url: "postgres://x@y/z", urlFile: ./a }'))).toEqual([
      `${inventoryPath}: host "db-host": field "postgres": give either url or urlFile, not both and not neither`]);
    // Every problem of every host at once, with the rest of the file's.
    expect(problemsOf(`hosts:\n  a:\n    address: 10.0.0.1\n    postgres: { url: "\${A_URL}" }\n  b:\n    address: "bad address!"\n`)).toHaveLength(2);
  });

  it('a plain URL in the file still works, and is still checked', () => {
    expect(parseInventory(inv('{ url: "postgres://diag@db-1/app" }'), inventoryPath, {}).hosts.get('db-host')!.postgres!.url).toBe('postgres://diag@db-1/app');
    expect(problemsOf(inv('{ url: "http://db-1" }'))).toEqual([`${inventoryPath}: host "db-host": field "postgres.url": the value must be a postgres:// URL`]);
  });
});
