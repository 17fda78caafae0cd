import { RULES } from '../rules/index.js';
import type { Finding, RootCause } from '../types.js';

// What a "right / wrong cause" answer judges, taken from the stored result when the answer comes
// in: the category the reply showed, the rule that produced it, the evidence it cited and the
// confidence it showed. Stored with the answer, so the record does not depend on old results.

export const NO_PROBLEM = 'no_problem';

export interface FeedbackSubject {
  /** The root cause's category id, or `no_problem` for "no cause for 500s found". */
  category: string;
  /** Rule ids (src/core/rules) behind the root cause. */
  rules: string[];
  evidenceSources: string[];
  confidence: number | null;
}

/** db_pool_exhaustion → dbPoolExhaustion: each rule is registered under its category's name. */
const ruleId = (category: string) => category.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

export function feedbackSubject(result: { rootCause: RootCause | null; findings: readonly Finding[] }): FeedbackSubject {
  const root = result.rootCause;
  if (!root) return { category: NO_PROBLEM, rules: [], evidenceSources: [], confidence: null };
  const finding = result.findings.find((f) => f.role === 'root_cause' && f.category === root.category)
    ?? result.findings.find((f) => f.category === root.category);
  const rule = ruleId(root.category);
  return {
    category: root.category,
    rules: rule in RULES ? [rule] : [],
    evidenceSources: [...new Set((finding?.evidence ?? []).map((e) => e.source))],
    confidence: finding?.confidence ?? null,
  };
}
