import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseOutputs } from '../../../src/core/index.js';
import type { Category, RawHostOutputs } from '../../../src/core/types.js';

// Raw command output captured from the lab's real hosts (`diagbot diagnose --dump-raw`), one file
// per scenario, named after it. The classification runs on the host clock recorded in each file.

const DIR = fileURLToPath(new URL('../../fixtures/lab/', import.meta.url));

const EXPECTED: Record<string, Category | null> = {
  'healthy': null,
  'combined-format': 'upstream_app_error',
  'app-bug': 'upstream_app_error',
  'python-no-nginx': 'unhandled_exception',
  'rewrite-loop': 'nginx_internal_error',
  'intercepted': 'intercepted_upstream_error',
  'config-invalid': 'nginx_config_invalid',
  'worker-crash': 'worker_crash',
  'fd-exhausted': 'fd_exhaustion',
  'oom': 'memory_exhaustion',
  'disk-full': 'disk_full',
  'pool-exhausted': 'db_pool_exhaustion',
  'bad-deploy': 'bad_deploy',
  'dependency-down': 'dependency_down',
  'py-pool': 'db_pool_exhaustion',
  'go-runit': 'dependency_down',
  'lb-front': 'upstream_app_error',
  'app-behind': 'dependency_down',
  'least-priv': 'upstream_app_error',
  'php-fpm': 'memory_exhaustion',
};

const captured = readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
const load = (name: string) => JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as RawHostOutputs;

describe('lab fixtures', () => {
  it('every captured host is a known scenario', () => {
    expect(captured.length).toBeGreaterThan(0);
    for (const name of captured) expect(Object.keys(EXPECTED)).toContain(name);
  });

  it.each(captured)('%s → its scenario root cause', (name) => {
    const d = diagnoseOutputs(load(name));
    expect(d.rootCause?.category ?? null).toBe(EXPECTED[name]);
    if (EXPECTED[name] === null) expect(d.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    if (name === 'app-bug') expect(d.findings).toContainEqual(expect.objectContaining({ category: 'unhandled_exception', role: 'symptom' }));
    if (name === 'combined-format') expect(d.findings).toContainEqual(expect.objectContaining({ severity: 'info', summary: expect.stringContaining('$upstream_status') }));
    if (name === 'pool-exhausted') expect(d.findings[0]!.actions).toContain('kill_idle_connections');
    if (name === 'bad-deploy') expect(d.findings[0]!.actions).toContain('rollback');
  });
});
