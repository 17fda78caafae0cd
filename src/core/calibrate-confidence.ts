import type { Calibration, Finding } from './types.js';

// A rule's confidence is what its author believed; feedback says how often it held on this
// fleet. The built-in value is read as a Beta prior worth PRIOR_ANSWERS answers
// (α = c·n, β = (1−c)·n), updated by the confirmed (α) and corrected (β) answers people gave
// for that category. With few answers the posterior mean stays near the built-in value; with
// many it approaches the observed rate. Pure: the counts are read by the caller.

/** How many answers the built-in value is worth: ten agreeing answers move it halfway. */
export const PRIOR_ANSWERS = 10;

export interface CategoryFeedback { confirmed: number; corrected: number }
/** Answers per diagnosed category (TRIAGE.md id, or `no_problem`). */
export type FeedbackCounts = Readonly<Record<string, CategoryFeedback | undefined>>;

const round2 = (x: number) => Math.round(x * 100) / 100;

export function calibratedConfidence(builtIn: number, c: CategoryFeedback): number {
  const prior = Math.min(1, Math.max(0, builtIn));
  const alpha = prior * PRIOR_ANSWERS + Math.max(0, c.confirmed);
  const beta = (1 - prior) * PRIOR_ANSWERS + Math.max(0, c.corrected);
  return round2(alpha / (alpha + beta));
}

/**
 * The root cause's confidence, blended with the answers for its category; other findings keep
 * theirs (feedback judges the root cause, not each signal). Findings without answers are
 * returned as they are.
 */
export function calibrateFindings(findings: readonly Finding[], counts: FeedbackCounts): Finding[] {
  return findings.map((f) => {
    const c = counts[f.category];
    if (f.role !== 'root_cause' || !c || c.confirmed + c.corrected === 0) return f;
    const builtIn = f.calibration?.builtIn ?? f.confidence;
    const calibration: Calibration = { builtIn, confirmed: c.confirmed, corrected: c.corrected };
    return { ...f, confidence: calibratedConfidence(builtIn, c), calibration };
  });
}

/** Often enough corrected that a reader should know: at least 3 answers, 2 corrections, right under 3 in 4. */
export function correctedOften(c: Calibration): boolean {
  const total = c.confirmed + c.corrected;
  return total >= 3 && c.corrected >= 2 && c.confirmed / total < 0.75;
}

/** "right 3 of 10 times here" when the category was corrected often; null otherwise. */
export function accuracyNote(c: Calibration | undefined): string | null {
  if (!c || !correctedOften(c)) return null;
  return `right ${c.confirmed} of ${c.confirmed + c.corrected} times here`;
}
