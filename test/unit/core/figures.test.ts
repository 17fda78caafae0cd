import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseOutputs } from '../../../src/core/index.js';
import type { RawHostOutputs } from '../../../src/core/types.js';

// Before/after figures and the narrow window a re-check after a remediation uses, on real lab output.

const DIR = fileURLToPath(new URL('../../fixtures/lab/', import.meta.url));
const load = (name: string) => JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as RawHostOutputs;

/** The same output as if host_info had run `secondsLater` after the capture, with no new log lines. */
function later(raw: RawHostOutputs, secondsLater: number): RawHostOutputs {
  return { ...raw, commands: raw.commands.map((c) => (c.id === 'host_info'
    ? { ...c, stdout: c.stdout.replace(/^now (\d+)/m, (_m, s: string) => `now ${Number(s) + secondsLater}`) } : c)) };
}

describe('host figures', () => {
  it('counts 5xx against requests in the window and names the live and previous release', () => {
    const f = diagnoseOutputs(load('bad-deploy')).figures!;
    expect(f.window).toBe('60 min');
    // 50 of scenario traffic + the lab's readiness probe, then logrotate, then 7 more (4 of them 5xx):
    // the rotated access.log.1 still counts.
    expect(f.fiveXX).toBe(24);
    expect(f.requests).toBe(58);
    expect(f.release!.current).toMatch(/^\/srv\/app\/releases\/\d{14}$/);
    expect(f.release!.previous).toMatch(/^\/srv\/app\/releases\/\d{14}$/);
    expect(f.release!.previous).not.toBe(f.release!.current);
    expect(f.connections).toBeNull();
  });

  it('gives connections by state against max_connections when the host has a Postgres URL', () => {
    const f = diagnoseOutputs(load('pool-exhausted')).figures!;
    expect(f.connections!.maxConnections).toBe(20);
    expect(f.connections!.total).toBeGreaterThan(10);
    expect(Object.values(f.connections!.byState).reduce((a, b) => a + b, 0)).toBe(f.connections!.total);
  });

  it('a window that starts after the errors sees none of them, and no root cause', () => {
    // 45 s after the capture, looking back 30 s: every 5xx in the file is older than that.
    const d = diagnoseOutputs(later(load('bad-deploy'), 45), { windowMinutes: 0.5 });
    expect(d.figures!.window).toBe('30 s');
    expect(d.figures!.fiveXX).toBe(0);
    expect(d.figures!.requests).toBe(0);
    expect(d.rootCause).toBeNull();
    expect(d.findings.filter((x) => x.severity !== 'info')).toEqual([]);
    // The same output with the default window still finds the bad deploy.
    expect(diagnoseOutputs(later(load('bad-deploy'), 45)).rootCause?.category).toBe('bad_deploy');
  });
});
