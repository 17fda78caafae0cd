import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { HostResult } from '../../src/triage/host-result.js';
import { runCli } from '../helpers/run-cli.js';

// The lab's hosts keep their app logs where real services do and the inventory says nothing about
// them: every finding below rests on logs diagbot found by itself.

const lab = inject('lab');
const withApp = Object.entries(lab.hosts).filter(([, h]) => h.appLog && !h.mutable).map(([n]) => n);

async function diagnose(hosts: string[]): Promise<Map<string, HostResult>> {
  const run = await runCli(['diagnose', '--inventory', lab.inventoryPath, '--format', 'json', ...hosts], { timeoutMs: 90_000 });
  expect(run.stderr).toBe('');
  return new Map((JSON.parse(run.stdout) as { results: HostResult[] }).results.map((r) => [r.host, r]));
}

describe('app logs found without an inventory hint', () => {
  let results: Map<string, HostResult>;
  beforeAll(async () => { results = await diagnose(withApp); });

  it('the lab inventory names no app log anywhere', () => {
    expect(readFileSync(lab.inventoryPath, 'utf8')).not.toMatch(/logPaths|\bapp:/);
  });

  it.each(withApp)('%s: reads the file its app really writes, and says how it was found', (name) => {
    const r = results.get(name)!;
    const log = lab.hosts[name]!.appLog!;
    const found = r.appLogs.find((a) => a.source === log || a.source.endsWith(log.replace(/^\/srv\/app\/shared/, '')));
    expect(found, JSON.stringify(r.appLogs)).toBeDefined();
    expect(found!.how).toMatch(/held open by|stdout of|named by|named in|working directory|conventional place/);
    expect(r.checks.find((c) => c.area === 'app_logs')!.checked).toBe(true);
  });

  it('each way of finding a log is exercised by some host', () => {
    const how = [...results.values()].flatMap((r) => r.appLogs.map((a) => a.how)).join('\n');
    for (const way of [/held open by gunicorn pid/, /stdout of \S+ pid \d+ via supervisord/, /stdout of \S+ pid \d+ via svlogd/, /named by --log-file/,
      /named in \/srv\/app\/shared\/php-fpm\.conf/, /logs\/ in the working directory/, /conventional place for "shop"/, /^stdout of node pid/m]) {
      expect(how).toMatch(way);
    }
  });

  it('reads no code or data: only log-like files', () => {
    for (const r of results.values()) for (const a of r.appLogs) expect(a.source, r.host).not.toMatch(/\.(c?js|py|rb|php|go|json|conf)$/);
  });

  it('the app pool runs dry with Postgres far from full: db_pool_exhaustion above the app errors', () => {
    const r = results.get('py-pool')!;
    expect(r.rootCause?.category).toBe('db_pool_exhaustion');
    expect(r.findings.find((f) => f.category === 'upstream_app_error')?.role).toBe('symptom');
    expect(r.rootCause!.summary).toMatch(/QueuePool limit/);
  });

  it('a deploy whose first errors sit in rotated logs (access.log.1, production.log.1.gz) is still the cause', () => {
    const r = results.get('bad-deploy')!;
    expect(r.rootCause?.category).toBe('bad_deploy');
    // 20 before the rotation (only in the .1 files) + 4 after.
    expect(r.rootCause!.summary).toMatch(/\(24 since, first /);
    expect(r.commands.filter((c) => c.id === 'access_log').every((c) => c.exitCode === 0)).toBe(true);
  });

  it('least privilege: logs in as triage, nginx -T through the sudo allowlist, the app log by convention', () => {
    const r = results.get('least-priv')!;
    expect(r.commands.find((c) => c.id === 'nginx_dump')!.exitCode).toBe(0);
    expect(r.notes.join('\n')).toMatch(/cannot read other users' descriptors/);
    expect(r.rootCause?.category).toBe('upstream_app_error');
  });
});

describe('the tier behind nginx', () => {
  it('diagnosing the LB also diagnoses the inventory host it proxies to, where the cause is', async () => {
    const results = await diagnose(['lb-front']);
    expect([...results.keys()]).toEqual(['lb-front', 'app-behind']);
    const front = results.get('lb-front')!;
    const behind = results.get('app-behind')!;
    expect(front.upstreams).toEqual([{ target: `${lab.hosts['app-behind']!.address}:9000`, host: 'app-behind' }]);
    expect(front.rootCause!.summary).toContain(`the 500s come from app-behind (${lab.hosts['app-behind']!.address}:9000)`);
    expect(front.checks.find((c) => c.area === 'app_logs')!.detail).toMatch(/no app runs here: nginx sends requests to .* \(app-behind\)/);
    expect(behind.via).toEqual({ host: 'lb-front', target: `${lab.hosts['app-behind']!.address}:9000` });
    expect(behind.rootCause?.category).toBe('dependency_down');
    expect(behind.rootCause!.summary).toMatch(/cannot reach 127\.0\.\d+\.99:7001/);
  });

  it('the text report says which host sent diagbot there', async () => {
    const run = await runCli(['diagnose', '--inventory', lab.inventoryPath, 'lb-front'], { timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/app-behind \(.*\) — behind lb-front, whose nginx sends requests to/);
  });
});
