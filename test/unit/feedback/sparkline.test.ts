import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseOutputs } from '../../../src/core/index.js';
import { sparkline, sparklineText } from '../../../src/core/report/index.js';
import type { FiveXXCurve } from '../../../src/core/figures.js';
import type { RawHostOutputs } from '../../../src/core/types.js';

const LAB = fileURLToPath(new URL('../../fixtures/lab/', import.meta.url));
const load = (name: string) => JSON.parse(readFileSync(`${LAB}${name}.json`, 'utf8')) as RawHostOutputs;

const START = '2026-11-21T00:00:00.000Z';
const at = (min: number, s = 0) => new Date(Date.parse(START) + min * 60_000 + s * 1000).toISOString();

function curve(fiveXX: number[], marks: Partial<FiveXXCurve['marks']> = {}): FiveXXCurve {
  return { start: START, bucketMs: 60_000, fiveXX, untimed: 0, marks: { deploy: null, firstNewError: null, first5xx: null, ...marks } };
}

describe('5xx sparkline', () => {
  it('draws a bar per minute scaled to the peak, with the moments written in before their minute', () => {
    const s = sparkline(curve([0, 0, 0, 1, 4, 8, 8, 2, 0, 0], { deploy: at(3, 5), firstNewError: at(3, 9), first5xx: at(3, 40) }))!;
    expect(s.line).toBe('▁▁▁DEX▂▅██▃▁▁');
    expect(s.peak).toBe(8);
    expect(s.total).toBe(23);
    expect(s.legend).toBe('D deploy 00:03:05Z · E first new error +4 s · X first 5xx +35 s');
    expect(s.span).toBe('00:00–00:10Z');
    expect(sparklineText(s)).toBe('5xx/min ▁▁▁DEX▂▅██▃▁▁ 00:00–00:10Z, peak 8 · D deploy 00:03:05Z · E first new error +4 s · X first 5xx +35 s');
  });

  it('leaves a deploy from before the window off the line and says so; errors before a deploy get clock times', () => {
    const s = sparkline(curve([0, 3, 3, 0], { deploy: '2026-11-12T01:09:53.000Z', first5xx: at(1, 2) }))!;
    expect(s.line).toBe('▁X██▁');
    expect(s.legend).toBe('deploy 2026-11-12 01:09Z (before the window) · X first 5xx 00:01:02Z');
  });

  it('draws nothing without timed 5xx, and sums wide windows into 60 bars', () => {
    expect(sparkline(curve(new Array(60).fill(0)))).toBeNull();
    expect(sparkline(undefined)).toBeNull();
    const wide = sparkline(curve(Array.from({ length: 180 }, (_, i) => (i >= 177 ? 5 : 0))))!;
    expect(wide.line).toHaveLength(60);
    expect(wide.minutesPerBar).toBe(3);
    expect(wide.peak).toBe(15);
    expect(sparklineText(wide)).toMatch(/^5xx\/3 min /);
  });

  it('on the lab capture, the bad deploy, its first error and the first 5xx share the last minute', () => {
    const f = diagnoseOutputs(load('bad-deploy')).figures!;
    expect(f.curve!.fiveXX.reduce((a, b) => a + b, 0)).toBe(f.fiveXX);
    const s = sparkline(f.curve)!;
    expect(s.line.endsWith('DEX█')).toBe(true);
    expect(s.legend).toMatch(/^D deploy \d\d:\d\d:\d\dZ · E first new error \+\d s · X first 5xx \+\d s$/);
    // The dependency the dependency-down app cannot reach is kept for the shared-cause check.
    expect(diagnoseOutputs(load('dependency-down')).figures!.dependencies).toEqual(['127.0.10.99:9999']);
  });
});

describe('5xx sparkline marks', () => {
  it('are in time order on the line and in the legend; within one second the error comes before its 5xx', () => {
    const s = sparkline(curve([0, 2, 6, 0], { deploy: at(1, 0), first5xx: at(1, 4), firstNewError: at(2, 30) }))!;
    expect(s.line).toBe('▁DX▄E█▁');
    expect(s.legend).toBe('D deploy 00:01:00Z · X first 5xx +4 s · E first new error +90 s');
    const sameSecond = sparkline(curve([0, 2], { first5xx: at(1, 7), firstNewError: '2026-11-21T00:01:07.480Z' }))!;
    expect(sameSecond.line).toBe('▁EX█');
  });
});
