import type { ActionId, Category, EvidenceExcerpt, Finding, Severity } from '../types.js';

// Shared shape-building for rules: confidence clamped to 0..1, role filled in by the ranking.

export function finding(f: {
  category: Category;
  severity: Severity;
  confidence: number;
  summary: string;
  evidence: EvidenceExcerpt[];
  actions?: ActionId[];
  firstSeenMs?: number | null;
}): Finding {
  return {
    category: f.category,
    severity: f.severity,
    role: 'symptom',
    confidence: Math.round(Math.min(1, Math.max(0, f.confidence)) * 100) / 100,
    summary: f.summary,
    evidence: f.evidence.filter((e) => e.excerpt.trim() !== ''),
    actions: f.actions ?? [],
    ...(f.firstSeenMs !== null && f.firstSeenMs !== undefined ? { firstSeenMs: f.firstSeenMs } : {}),
  };
}

/** `20×` / `1×` counts and `"x"` quoting for summaries. */
export const times = (n: number) => `${n}×`;
export const quote = (s: string, max = 120) => `"${s.length > max ? `${s.slice(0, max)}…` : s}"`;
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
