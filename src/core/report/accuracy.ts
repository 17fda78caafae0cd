// Per-category accuracy from people's answers: how often the category was diagnosed, how many
// answers confirmed or corrected it, and what they said it really was. Pure: rows in, report out.

export interface AccuracyCategory {
  category: string;
  diagnoses: number;
  confirmed: number;
  corrected: number;
  /** confirmed / (confirmed + corrected); null without answers. */
  precision: number | null;
  correctedTo: Record<string, number>;
}

export interface AccuracyReport {
  since: string;
  categories: AccuracyCategory[];
}

export interface DiagnosisCountRow { category: string; count: number }
export interface AnswerCountRow { category: string; verdict: 'confirmed' | 'corrected'; correctedTo: string | null; count: number }

export function buildAccuracyReport(since: Date, diagnoses: readonly DiagnosisCountRow[], answers: readonly AnswerCountRow[]): AccuracyReport {
  const by = new Map<string, AccuracyCategory>();
  const get = (category: string) => {
    let c = by.get(category);
    if (!c) { c = { category, diagnoses: 0, confirmed: 0, corrected: 0, precision: null, correctedTo: {} }; by.set(category, c); }
    return c;
  };
  for (const d of diagnoses) get(d.category).diagnoses += d.count;
  for (const a of answers) {
    const c = get(a.category);
    if (a.verdict === 'confirmed') { c.confirmed += a.count; continue; }
    c.corrected += a.count;
    const to = a.correctedTo ?? 'something_else';
    c.correctedTo[to] = (c.correctedTo[to] ?? 0) + a.count;
  }
  const categories = [...by.values()].map((c) => {
    const answered = c.confirmed + c.corrected;
    const correctedTo = Object.fromEntries(Object.entries(c.correctedTo).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    return { ...c, correctedTo, precision: answered > 0 ? Math.round((c.confirmed / answered) * 1000) / 1000 : null };
  }).sort((a, b) => b.diagnoses - a.diagnoses || (b.confirmed + b.corrected) - (a.confirmed + a.corrected) || a.category.localeCompare(b.category));
  return { since: since.toISOString(), categories };
}

/** A fixed-width table, for the terminal and a Slack code block alike. */
export function accuracyTable(r: AccuracyReport): string[] {
  if (r.categories.length === 0) return ['no diagnoses in this period'];
  const rows = r.categories.map((c) => [
    c.category, String(c.diagnoses), String(c.confirmed), String(c.corrected),
    c.precision === null ? '-' : `${Math.round(c.precision * 100)}%`,
    Object.entries(c.correctedTo).map(([k, n]) => `${k} ×${n}`).join(', ') || '-',
  ]);
  const head = ['category', 'diagnoses', 'confirmed', 'corrected', 'precision', 'corrected to'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((v, i) => (i === 0 || i === row.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

/** `30d`, `12h`, `90m`, or an ISO date: the start of the period. Null when it is neither. */
export function parseSince(text: string, nowMs: number): Date | null {
  const m = /^(\d{1,5})([dhm])$/.exec(text.trim());
  if (m) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
    return new Date(nowMs - Number(m[1]) * unit);
  }
  if (!/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return null;
  const t = Date.parse(text.trim());
  return Number.isNaN(t) || t > nowMs ? null : new Date(t);
}
