import { existsSync, rmSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { HostResult } from '../../src/triage/host-result.js';
import { spawnSync } from 'node:child_process';
import { CLI, runCli } from '../helpers/run-cli.js';

const lab = inject('lab');
// Mutable hosts are being rolled back and having connections killed by the remediation tests
// while this file runs; their root cause depends on when we look.
const reachable = Object.entries(lab.hosts).filter(([, h]) => h.expected !== 'host_unreachable' && !h.mutable).map(([n]) => n);
const unreachable = Object.entries(lab.hosts).filter(([, h]) => h.expected === 'host_unreachable').map(([n]) => n);

describe('diagbot diagnose over real SSH against every lab scenario', () => {
  let results: Map<string, HostResult>;
  let exitCode: number | null;

  beforeAll(async () => {
    const run = await runCli(['diagnose', '--inventory', lab.inventoryPath, '--format', 'json', ...reachable], { timeoutMs: 90_000 });
    exitCode = run.code;
    expect(run.stderr).toBe('');
    results = new Map((JSON.parse(run.stdout) as { results: HostResult[] }).results.map((r) => [r.host, r]));
  });

  it('reaches every scenario host and exits 0', () => {
    expect(exitCode).toBe(0);
    expect([...results.keys()].sort()).toEqual([...reachable].sort());
    for (const r of results.values()) expect(r.reachable, r.host).toBe(true);
  });

  it.each(reachable)('names the expected root cause on %s', (name) => {
    const r = results.get(name)!;
    const expected = lab.hosts[name]!.expected;
    expect(r.rootCause?.category ?? null, JSON.stringify(r.findings.map((f) => [f.category, f.role, f.severity, f.summary]), null, 1)).toBe(expected);
    if (expected) {
      const root = r.findings.find((f) => f.role === 'root_cause' && f.category === expected)!;
      expect(root.severity).not.toBe('info');
      expect(root.evidence.length).toBeGreaterThan(0);
      expect(root.evidence[0]!.excerpt.length).toBeGreaterThan(0);
    } else {
      expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    }
  });

  it('keeps the JSON contract fields on every result', () => {
    for (const r of results.values()) {
      expect(r).toEqual(expect.objectContaining({ host: expect.any(String), reachable: true, error: null, durationMs: expect.any(Number) }));
      for (const c of r.commands) expect(c).toEqual(expect.objectContaining({ id: expect.any(String), durationMs: expect.any(Number), truncated: expect.any(Boolean) }));
      for (const f of r.findings) {
        expect(['critical', 'warning', 'info']).toContain(f.severity);
        expect(['root_cause', 'symptom', 'contributing']).toContain(f.role);
        expect(f.confidence).toBeGreaterThanOrEqual(0);
        expect(f.confidence).toBeLessThanOrEqual(1);
        expect(Array.isArray(f.actions)).toBe(true);
      }
    }
  });

  it('says what the combined log format cannot tell apart', () => {
    const r = results.get('combined-format')!;
    expect(r.findings.some((f) => f.severity === 'info' && /upstream_status/.test(f.summary))).toBe(true);
  });

  it('offers rollback for the bad deploy and pool-kill for the exhausted pool', () => {
    expect(results.get('bad-deploy')!.findings.find((f) => f.role === 'root_cause')!.actions).toContain('rollback');
    expect(results.get('pool-exhausted')!.findings.find((f) => f.role === 'root_cause')!.actions).toContain('kill_idle_connections');
  });
});

describe('text report', () => {
  it('puts the root cause first and names its category', async () => {
    const run = await runCli(['diagnose', '--inventory', lab.inventoryPath, 'pool-exhausted', 'healthy'], { timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    const first = run.stdout.split('\n\n')[0]!;
    expect(first).toMatch(/^pool-exhausted /);
    expect(first).toMatch(/ROOT CAUSE db_pool_exhaustion/);
    expect(run.stdout).toMatch(/healthy .*\n\s+NO PROBLEM FOUND/);
    expect(run.stdout).toMatch(/2 hosts: 1 with a root cause, 1 without a problem, 0 unreachable/);
  });
});

describe('unreachable hosts', () => {
  it('come back as host_unreachable with the reason, within the timeout, exit 3', async () => {
    const run = await runCli(['diagnose', '--inventory', lab.inventoryPath, '--format', 'json', '--timeout-ms', '3000', ...unreachable, 'healthy'], { timeoutMs: 30_000 });
    expect(run.code).toBe(3);
    expect(run.ms).toBeLessThan(3000 + 4000);
    const byHost = new Map((JSON.parse(run.stdout) as { results: HostResult[] }).results.map((r) => [r.host, r]));
    const reasons = { refused: 'refused', 'no-banner': 'no_banner', 'wrong-key': 'host_key_mismatch' } as Record<string, string>;
    for (const name of unreachable) {
      const r = byHost.get(name)!;
      expect(r.reachable, name).toBe(false);
      expect(r.rootCause).toBeNull();
      expect(r.errorReason, name).toBe(reasons[name]);
      expect(r.error, name).toBeTruthy();
      expect(r.findings[0]!.category).toBe('host_unreachable');
      expect(r.durationMs).toBeLessThan(3500);
    }
    expect(byHost.get('wrong-key')!.error).toMatch(/mismatch.*SHA256:/);
    expect(byHost.get('healthy')!.reachable).toBe(true);
  });
});

describe('bad usage and hostile input', () => {
  it('exits 2 with the closest host names for an unknown host, running nothing', async () => {
    const run = await runCli(['diagnose', '--inventory', lab.inventoryPath, 'helthy']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown host "helthy"; closest inventory hosts: healthy/);
    expect(run.stdout).toBe('');
  });

  it('never lets a hostile host argument reach a shell', async () => {
    const canary = `/tmp/diagbot-canary-${process.pid}`;
    rmSync(canary, { force: true });
    for (const evil of [`$(touch ${canary})`, `\`touch ${canary}\``, `healthy; touch ${canary}`, `-oProxyCommand=touch ${canary}`, `healthy\ntouch ${canary}`]) {
      const run = await runCli(['diagnose', '--inventory', lab.inventoryPath, '--', evil]);
      expect(run.code, evil).toBe(2);
    }
    expect(existsSync(canary)).toBe(false);
  });

  it('exits 2 for bad options and a missing inventory', async () => {
    expect((await runCli(['diagnose', '--format', 'xml', 'local'])).code).toBe(2);
    expect((await runCli(['diagnose', '--timeout-ms', 'soon', 'local'])).code).toBe(2);
    const missing = await runCli(['diagnose', '--inventory', '/nonexistent/inventory.yaml', 'web-1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\/nonexistent\/inventory.yaml: inventory file not found/);
  });
});

describe('local', () => {
  it('the built bin runs as a program (npx diagbot executes it directly)', () => {
    const run = spawnSync(CLI, ['diagnose', 'local', '--format', 'json'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
  });

  it('diagnoses this machine without SSH or an inventory', async () => {
    const run = await runCli(['diagnose', 'local', '--format', 'json'], { cwd: '/tmp' });
    expect(run.code).toBe(0);
    const [r] = (JSON.parse(run.stdout) as { results: HostResult[] }).results;
    expect(r).toMatchObject({ host: 'local', reachable: true, error: null });
    expect(r!.commands.find((c) => c.id === 'disk')!.exitCode).toBe(0);
  });
});
