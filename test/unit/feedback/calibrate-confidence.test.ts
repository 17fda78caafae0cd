import { describe, expect, it } from 'vitest';
import { accuracyNote, calibratedConfidence, calibrateFindings, correctedOften, PRIOR_ANSWERS } from '../../../src/core/calibrate-confidence.js';
import type { Finding } from '../../../src/core/types.js';

// The Beta-prior blend: the rule's own confidence counts as PRIOR_ANSWERS answers, people's
// answers for the category move it from there.

const finding = (over: Partial<Finding> = {}): Finding => ({
  category: 'db_pool_exhaustion', severity: 'critical', role: 'root_cause', confidence: 0.9, summary: 'pool', evidence: [], actions: [], ...over,
});

describe('calibrated confidence', () => {
  it('is the built-in value without answers, and moves little on one answer', () => {
    expect(calibratedConfidence(0.9, { confirmed: 0, corrected: 0 })).toBe(0.9);
    expect(calibratedConfidence(0.9, { confirmed: 0, corrected: 1 })).toBe(0.82);
    expect(calibratedConfidence(0.9, { confirmed: 1, corrected: 0 })).toBe(0.91);
  });

  it('approaches the observed rate as answers accumulate, and falls with every correction', () => {
    expect(calibratedConfidence(0.9, { confirmed: 3, corrected: 7 })).toBe(0.6);
    expect(calibratedConfidence(0.9, { confirmed: 300, corrected: 700 })).toBeCloseTo(0.306, 2);
    const falling = [0, 1, 2, 5, 10].map((corrected) => calibratedConfidence(0.7, { confirmed: 2, corrected }));
    expect([...falling].sort((a, b) => b - a)).toEqual(falling);
    expect(new Set(falling).size).toBe(falling.length);
    expect(PRIOR_ANSWERS).toBe(10);
  });

  it('changes only the root cause of the category that was answered, and keeps the built-in value', () => {
    const root = finding();
    const symptom = finding({ category: 'upstream_app_error', role: 'symptom', confidence: 0.8 });
    const samePoolSymptom = finding({ role: 'contributing', confidence: 0.5 });
    const out = calibrateFindings([root, symptom, samePoolSymptom], { db_pool_exhaustion: { confirmed: 3, corrected: 7 }, upstream_app_error: { confirmed: 0, corrected: 9 } });
    expect(out[0]).toMatchObject({ confidence: 0.6, calibration: { builtIn: 0.9, confirmed: 3, corrected: 7 } });
    expect(out[1]).toBe(symptom);
    expect(out[2]).toBe(samePoolSymptom);
    // Calibrating a stored, already calibrated finding again starts from the rule's value, not the shown one.
    expect(calibrateFindings(out, { db_pool_exhaustion: { confirmed: 3, corrected: 7 } })[0]!.confidence).toBe(0.6);
    expect(calibrateFindings([root], {})[0]).toBe(root);
    expect(calibrateFindings([root], { db_pool_exhaustion: { confirmed: 0, corrected: 0 } })[0]).toBe(root);
  });

  it('says "right N of M times here" only when the category was corrected often', () => {
    expect(accuracyNote({ builtIn: 0.9, confirmed: 3, corrected: 7 })).toBe('right 3 of 10 times here');
    expect(accuracyNote({ builtIn: 0.9, confirmed: 9, corrected: 1 })).toBeNull();
    expect(accuracyNote({ builtIn: 0.9, confirmed: 0, corrected: 1 })).toBeNull();
    expect(accuracyNote(undefined)).toBeNull();
    expect(correctedOften({ builtIn: 0.5, confirmed: 1, corrected: 2 })).toBe(true);
    expect(correctedOften({ builtIn: 0.5, confirmed: 6, corrected: 2 })).toBe(false);
  });
});
