import { afterAll, describe, expect, it } from 'vitest';
import { diagnoseOutputs } from '../../../src/core/index.js';
import type { Diagnosis } from '../../../src/core/types.js';
import { hostWith, loadSignatureFixtures } from './signature-fixtures.js';

// One real-world signal at a time (test/fixtures/signatures), on a host whose access log has 5xx in
// the window: the classifier must name the expected root cause. The same signals must stay quiet
// on a host that answered no 5xx, and when they are hours old. Prints the hit rate per stack.

const fixtures = loadSignatureFixtures();
const positive = fixtures.filter((f) => f.expect !== null);
const negative = fixtures.filter((f) => f.expect === null);
const INFRA = ['db_pool_exhaustion', 'disk_full', 'memory_exhaustion', 'fd_exhaustion', 'dependency_down', 'bad_deploy', 'worker_crash'];
const serious = (d: Diagnosis) => d.findings.filter((f) => f.severity !== 'info');

const hits = new Map<string, { hit: number; total: number; misses: string[] }>();
afterAll(() => {
  const rows = [...hits.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([stack, h]) =>
    `${stack.padEnd(10)} ${String(h.hit).padStart(3)}/${String(h.total).padEnd(3)} ${Math.round((100 * h.hit) / h.total)}%` +
    `${h.misses.length > 0 ? `  missed: ${h.misses.join(', ')}` : ''}`);
  console.log(`signature corpus hit rate (root cause named right, one signal, host with 5xx)\n${rows.join('\n')}`);
});

describe('signature corpus: one signal on a host with 5xx names the cause', () => {
  it('has a source for every fixture', () => {
    expect(fixtures.length).toBeGreaterThan(100);
    expect(fixtures.filter((f) => !/\S{6,}/.test(f.source)).map((f) => f.name)).toEqual([]);
  });

  it.each(positive.map((f) => [`${f.stack}/${f.name}`, f] as const))('%s', (_, f) => {
    const d = diagnoseOutputs(hostWith(f, { errors: true }));
    const h = hits.get(f.stack) ?? { hit: 0, total: 0, misses: [] };
    h.total++;
    if (d.rootCause?.category === f.expect) h.hit++; else h.misses.push(f.name);
    hits.set(f.stack, h);
    expect(d.rootCause?.category).toBe(f.expect);
    if (f.summary) expect(d.rootCause?.summary).toMatch(f.summary);
    if (f.trace) {
      expect(d.findings.find((x) => x.category === 'unhandled_exception')?.summary ?? '').toMatch(/unhandled exception/);
    }
  });
});

describe('signature corpus: the same signals stay quiet where they explain nothing', () => {
  // The kernel's OOM killer is a fact about the host, not a log line's opinion: a kill in the
  // window stays serious even when no request failed (as the existing oom scenario expects).
  const killsProcess = (f: (typeof positive)[number]) => f.log !== 'app' && f.expect === 'memory_exhaustion';

  it.each(positive.filter((f) => !killsProcess(f)).map((f) => [`${f.stack}/${f.name}`, f] as const))('no 5xx: %s is info at most', (_, f) => {
    const d = diagnoseOutputs(hostWith(f, { errors: false }));
    expect(serious(d).map((x) => `${x.category}: ${x.summary}`)).toEqual([]);
    expect(d.rootCause).toBeNull();
  });

  it.each(positive.map((f) => [`${f.stack}/${f.name}`, f] as const))('hours old: %s is info at most', (_, f) => {
    const d = diagnoseOutputs(hostWith(f, { errors: true, hoursLater: 3 }));
    expect(serious(d).map((x) => `${x.category}: ${x.summary}`)).toEqual([]);
  });
});

describe('negative corpus: alarming words about something else', () => {
  it.each(negative.map((f) => [f.name, f] as const))('healthy host: %s raises nothing', (_, f) => {
    const d = diagnoseOutputs(hostWith(f, { errors: false }));
    expect(serious(d).map((x) => `${x.category}: ${x.summary}`)).toEqual([]);
    expect(d.rootCause).toBeNull();
  });

  it.each(negative.filter((f) => !f.healthyOnly).map((f) => [f.name, f] as const))('host with 5xx: %s claims no infrastructure cause', (_, f) => {
    const d = diagnoseOutputs(hostWith(f, { errors: true }));
    expect(d.rootCause?.category).toBe('upstream_app_error');
    expect(d.findings.filter((x) => INFRA.includes(x.category) && x.severity !== 'info').map((x) => x.summary)).toEqual([]);
  });
});
