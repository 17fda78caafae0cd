import { mkdtempSync, mkdirSync, symlinkSync, utimesSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { localHost } from '../../../src/config/inventory.js';
import { loadTriageCommands } from '../../../src/triage/command-set.js';
import { renderCommand } from '../../../src/triage/render-command.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import { parseProbe } from '../../../src/core/app-discovery/choose-logs.js';
import { parseProcDiscovery } from '../../../src/core/parsers/proc-discovery.js';

// The readers in commands/triage.yaml run by a real /bin/sh on this machine, on files laid out
// the way logrotate and app servers leave them.

const dir = mkdtempSync(join(tmpdir(), 'diagbot-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cmd = (id: string) => loadTriageCommands().find((c) => c.id === id)!;
const run = (id: string, target: string | string[]) =>
  new LocalTransport().exec(renderCommand(cmd(id), localHost(), target), { timeoutMs: 5000, maxBytes: 1 << 20, keep: 'tail' });

describe('log readers on a real shell', () => {
  it('app_log reads a freshly rotated .1.gz before the current file, and skips an old rotation', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, 'line 3 after rotation\n');
    writeFileSync(`${log}.1.gz`, gzipSync('line 1 before rotation\nline 2 before rotation\n'));
    const r = await run('app_log', log);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`==> ${log}.1.gz <==\nline 1 before rotation\nline 2 before rotation\n==> ${log} <==\nline 3 after rotation\n`);
    const old = Date.now() / 1000 - 3 * 3600;
    utimesSync(`${log}.1.gz`, old, old);
    expect((await run('app_log', log)).stdout).toBe(`==> ${log} <==\nline 3 after rotation\n`);
  });

  it('access_log picks the newest generation among .1 and -DATE, and prints no header without one', async () => {
    const log = join(dir, 'access.log');
    writeFileSync(log, 'new\n');
    expect((await run('access_log', log)).stdout).toBe('new\n');
    writeFileSync(`${log}-20261201`, 'dated\n');
    const older = Date.now() / 1000 - 600;
    utimesSync(`${log}-20261201`, older, older);
    writeFileSync(`${log}.1`, 'numbered\n');
    expect((await run('access_log', log)).stdout).toBe(`==> ${log}.1 <==\nnumbered\n==> ${log} <==\nnew\n`);
  });

  it('app_log refuses a binary file', async () => {
    const bin = join(dir, 'data.log');
    writeFileSync(bin, Buffer.from([0, 1, 2, 0, 0, 255]));
    const r = await run('app_log', bin);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
  });

  it('log_probe stats files, lists directories, follows a config to the logs it names, and keeps hostile names inert', async () => {
    mkdirSync(join(dir, 'svc'));
    writeFileSync(join(dir, 'svc', 'a.log'), 'x\n');
    symlinkSync(join(dir, 'svc'), join(dir, 'svc-link'));
    const conf = join(dir, 'pool.conf');
    mkdirSync(join(dir, 'pool.d'));
    writeFileSync(join(dir, 'pool.d', 'www.conf'), `; php_admin_value[error_log] = ${dir}/commented.log\nphp_admin_value[error_log] = ${dir}/svc/a.log\n`);
    writeFileSync(conf, `[global]\nerror_log = ${dir}/fpm.log\ninclude=${dir}/pool.d/*.conf\n`);
    writeFileSync(join(dir, 'fpm.log'), 'y\n');
    const pwned = join(dir, 'pwned');
    const r = await run('log_probe', [`d:${dir}/svc`, `f:${dir}/fpm.log`, `c:${conf}`, `d:${dir}/missing`, `f:${dir}/x'; touch ${pwned}; '`, `d:$(touch ${pwned})`]);
    expect(r.exitCode).toBe(0);
    const p = parseProbe(r.stdout);
    expect([...p.files.keys()].sort()).toEqual([`${dir}/fpm.log`, `${dir}/svc/a.log`]);
    expect(p.configNamed.map((n) => n.path).sort()).toEqual([`${dir}/fpm.log`, `${dir}/svc/a.log`]);
    expect(p.configNamed.find((n) => n.path.endsWith('a.log'))!.file).toBe(`${dir}/pool.d/www.conf`);
    expect(existsSync(pwned)).toBe(false);
    // The same file through a link has the same device:inode, so it is read once.
    const viaLink = parseProbe((await run('log_probe', [`d:${dir}/svc-link`])).stdout);
    expect(viaLink.files.get(`${dir}/svc-link/a.log`)!.id).toBe(p.files.get(`${dir}/svc/a.log`)!.id);
  });

  it('app_discovery on this machine sees this test process writing its own log', async () => {
    const mine = join(dir, 'mine.log');
    const { openSync, closeSync } = await import('node:fs');
    const fd = openSync(mine, 'a');
    try {
      const r = await new LocalTransport().exec(renderCommand(cmd('app_discovery'), localHost()), { timeoutMs: 5000, maxBytes: 1 << 20, keep: 'head' });
      expect(r.exitCode).toBe(0);
      const d = parseProcDiscovery(r.stdout);
      expect(d.writes).toContainEqual({ pid: process.pid, fd, path: mine, deleted: false });
      expect(d.cwd.get(process.pid)).toBe(process.cwd());
    } finally {
      closeSync(fd);
    }
  });
});
