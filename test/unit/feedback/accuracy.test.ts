import { describe, expect, it } from 'vitest';
import { accuracyTable, buildAccuracyReport, parseSince } from '../../../src/core/report/index.js';

describe('accuracy report', () => {
  const since = new Date('2026-11-01T00:00:00.000Z');
  const report = buildAccuracyReport(since,
    [{ category: 'db_pool_exhaustion', count: 5 }, { category: 'no_problem', count: 9 }, { category: 'bad_deploy', count: 2 }],
    [
      { category: 'db_pool_exhaustion', verdict: 'confirmed', correctedTo: null, count: 3 },
      { category: 'db_pool_exhaustion', verdict: 'corrected', correctedTo: 'dependency_down', count: 1 },
      { category: 'db_pool_exhaustion', verdict: 'corrected', correctedTo: 'something_else', count: 2 },
      { category: 'no_problem', verdict: 'corrected', correctedTo: 'disk_full', count: 1 },
    ]);

  it('has the JSON shape of the issue: per category diagnoses, confirmed, corrected, precision and what it really was', () => {
    expect(report).toEqual({
      since: '2026-11-01T00:00:00.000Z',
      categories: [
        { category: 'no_problem', diagnoses: 9, confirmed: 0, corrected: 1, precision: 0, correctedTo: { disk_full: 1 } },
        { category: 'db_pool_exhaustion', diagnoses: 5, confirmed: 3, corrected: 3, precision: 0.5, correctedTo: { something_else: 2, dependency_down: 1 } },
        { category: 'bad_deploy', diagnoses: 2, confirmed: 0, corrected: 0, precision: null, correctedTo: {} },
      ],
    });
  });

  it('prints an aligned table', () => {
    const t = accuracyTable(report);
    expect(t[0]).toBe('category            diagnoses  confirmed  corrected  precision  corrected to');
    expect(t[2]).toBe('db_pool_exhaustion          5          3          3        50%  something_else ×2, dependency_down ×1');
    expect(t[3]).toBe('bad_deploy                  2          0          0          -  -');
    expect(accuracyTable(buildAccuracyReport(since, [], []))).toEqual(['no diagnoses in this period']);
  });

  it('reads periods and dates, and refuses anything else', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    expect(parseSince('30d', now)!.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseSince('12h', now)!.toISOString()).toBe('2026-11-30T12:00:00.000Z');
    expect(parseSince('2026-11-15', now)!.toISOString()).toBe('2026-11-15T00:00:00.000Z');
    for (const bad of ['', '30', 'd30', '1y', '2027-01-01', 'yesterday', '30d; DROP TABLE x']) expect(parseSince(bad, now)).toBeNull();
  });
});
