import { describe, expect, it } from 'vitest';
import { diagnoseOutputs } from '../../../src/core/index.js';
import type { Diagnosis } from '../../../src/core/types.js';
import { lines, mainLine, out } from './raw.js';
import { appLog, at, browse, host } from './scenario-hosts.js';

// The app tier's worker_crash beside the kernel and the access log: which crash counts, and when.

const byCat = (d: Diagnosis, c: string) => d.findings.filter((f) => f.category === c);
const fpm = (minutesAgo: number, signal: string) => {
  const d = new Date(Date.parse(at(minutesAgo)));
  const stamp = `${String(d.getUTCDate()).padStart(2, '0')}-Nov-2026 ${d.toISOString().slice(11, 19)}`;
  return `[${stamp}] WARNING: [pool www] child 2797 exited on signal ${signal} after 4.220801 seconds from start`;
};
const fiveXX = (minutesAgo: number) => browse(50) + lines(10, (i) => mainLine(at(minutesAgo, i), 'GET /index.php', 502, '502'));
const kernel = (body: string) => out('kernel_log', `source journalctl\n${body}\n`);
const kstamp = (minutesAgo: number) => at(minutesAgo).replace('.000Z', '+0000');

describe('app worker crashes', () => {
  it('names php-fpm children dying of SIGSEGV next to the 502s', () => {
    const d = diagnoseOutputs(host({ access: fiveXX(2), app: appLog(`${fpm(2, '11 (SIGSEGV - core dumped)')}\n`, '/var/log/php8.2-fpm.log') }));
    expect(d.rootCause?.category).toBe('worker_crash');
    expect(d.findings[0]).toMatchObject({ category: 'worker_crash', severity: 'critical', role: 'root_cause' });
    expect(d.rootCause?.summary).toMatch(/died of a signal \(SIGSEGV ×1\).*10 of the 10 5xx/);
  });

  it('leaves a SIGKILL during an OOM kill to memory_exhaustion', () => {
    const d = diagnoseOutputs(host({
      access: fiveXX(2), app: appLog(`${fpm(2, '9 (SIGKILL)')}\n`, '/var/log/php8.2-fpm.log'),
      replace: { kernel_log: kernel(`${kstamp(2)} web-1 kernel: Out of memory: Killed process 2797 (php-fpm8.2) total-vm:812345kB, anon-rss:523456kB, file-rss:0kB, shmem-rss:0kB`) },
    }));
    expect(d.rootCause?.category).toBe('memory_exhaustion');
    expect(byCat(d, 'worker_crash')).toEqual([]);
  });

  it('is a warning, not the cause of 5xx that came long after it', () => {
    const d = diagnoseOutputs(host({ access: fiveXX(2), app: appLog(`${fpm(50, '11 (SIGSEGV)')}\n`, '/var/log/php8.2-fpm.log') }));
    expect(byCat(d, 'worker_crash')[0]).toMatchObject({ severity: 'warning' });
    expect(d.rootCause?.category).toBe('upstream_app_error');
  });

  it('ignores a segfault of a process that is not the app', () => {
    const d = diagnoseOutputs(host({
      access: fiveXX(2),
      replace: { kernel_log: kernel(`${kstamp(2)} web-1 kernel: chrome_crashpad[811]: segfault at 0 ip 0000556b0c2d1f4a sp 00007ffc9a1b2c40 error 4 in libc.so.6[7f3a2b100000+195000]`) },
    }));
    expect(byCat(d, 'worker_crash')).toEqual([]);
  });

  it('counts app errors as before where no nginx could show they were harmless', () => {
    const app = appLog(lines(3, (i) => `${at(2, i)} ERROR [shop] GET /api/stock failed: Error: connect ECONNREFUSED 127.0.10.99:9999`));
    const noNginx = { nginx_dump: out('nginx_dump', 'no-nginx\n'), nginx_test: out('nginx_test', 'no-nginx\n') };
    const d = diagnoseOutputs(host({ access: '', app, replace: noNginx }));
    expect(d.findings[0]).toMatchObject({ category: 'dependency_down', severity: 'critical', role: 'root_cause' });
    const quiet = diagnoseOutputs(host({ app }));
    expect(byCat(quiet, 'dependency_down')).toEqual([expect.objectContaining({ severity: 'info' })]);
    expect(quiet.rootCause).toBeNull();
  });
});
