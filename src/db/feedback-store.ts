import type pg from 'pg';
import type { CategoryFeedback, FeedbackCounts } from '../core/calibrate-confidence.js';
import { redact } from '../core/redact.js';
import type { AnswerCountRow, DiagnosisCountRow } from '../core/report/accuracy.js';
import { feedbackSubject } from '../core/report/feedback-subject.js';
import type { Finding, RootCause } from '../core/types.js';
import { inTransaction, type Queryable } from './pool.js';

// "Right cause" / "Wrong cause → …" answers. One row per person and diagnosis, changed in place
// when they change their mind; every answer (and every refused one) is a row in the
// append-only action_audit, like a button press.

export type Verdict = 'confirmed' | 'corrected';

export interface FeedbackAnswer {
  diagnosisId: number;
  /** Where the answer was given: must be the diagnosis's incident channel. */
  channel: string;
  userId: string;
  verdict: Verdict;
  /** A category id, `no_problem` or `something_else`; null when confirmed. */
  correctedTo: string | null;
}

export type RecordFeedbackResult =
  | { status: 'recorded'; changed: boolean; previous: { verdict: Verdict; correctedTo: string | null } | null;
      category: string; incidentId: number; host: string; revision: number | null }
  | { status: 'not_found' }
  | { status: 'not_judgeable'; reason: string; incidentId: number; host: string }
  | { status: 'same_as_diagnosis'; category: string; incidentId: number; host: string };

export interface StoredAnswer { diagnosisId: number; userId: string; verdict: Verdict; correctedTo: string | null; at: string }

async function auditFeedback(db: Queryable, a: { incidentId: number | null; host: string | null; userId: string; params: Record<string, unknown> },
  outcome: string, detail: string): Promise<void> {
  await db.query(
    `INSERT INTO action_audit (action_id, incident_id, user_id, host, kind, params, outcome, detail)
     VALUES (NULL, $1, $2, $3, 'feedback', $4, $5, $6)`,
    [a.incidentId, a.userId.slice(0, 64), a.host, JSON.stringify(a.params), outcome, redact(detail).slice(0, 2000)]);
}

/** An answer refused before it reached a diagnosis (malformed value, wrong channel): audited only. */
export async function auditFeedbackRefusal(db: Queryable, userId: string, outcome: string, detail: string): Promise<void> {
  await auditFeedback(db, { incidentId: null, host: null, userId, params: {} }, outcome, detail);
}

type StoredResult = { rootCause?: RootCause | null; findings?: Finding[] } | null;

/**
 * Stores one person's answer on one diagnosis (insert, or change their earlier one), audits it,
 * and when it changed what the reply shows, bumps the reply's and the incident's revision so the
 * Slack sync re-renders the tally.
 */
export async function recordFeedback(pool: pg.Pool, a: FeedbackAnswer): Promise<RecordFeedbackResult> {
  return inTransaction(pool, async (db) => {
    const d = (await db.query<{ incident_id: string; host: string; state: string; reachable: boolean | null; result: StoredResult }>(
      `SELECT d.incident_id, d.host, d.state, d.reachable, d.result FROM diagnoses d JOIN incidents i ON i.id = d.incident_id
       WHERE d.id = $1 AND i.channel = $2`, [a.diagnosisId, a.channel])).rows[0];
    const params = { diagnosisId: a.diagnosisId, verdict: a.verdict, correctedTo: a.correctedTo };
    if (!d) {
      await auditFeedback(db, { incidentId: null, host: null, userId: a.userId, params }, 'refused_mismatch', `no diagnosis ${a.diagnosisId} in ${a.channel.slice(0, 40)}`);
      return { status: 'not_found' as const };
    }
    const incidentId = Number(d.incident_id);
    const base = { incidentId, host: d.host, userId: a.userId };
    if (d.state !== 'done' || d.reachable !== true || !d.result) {
      const reason = d.state !== 'done' ? `the diagnosis is ${d.state}` : 'the host could not be reached, so there is no cause to judge';
      await auditFeedback(db, { ...base, params }, 'refused_not_judgeable', reason);
      return { status: 'not_judgeable' as const, reason, incidentId, host: d.host };
    }
    const subject = feedbackSubject({ rootCause: d.result.rootCause ?? null, findings: d.result.findings ?? [] });
    if (a.verdict === 'corrected' && a.correctedTo === subject.category) {
      await auditFeedback(db, { ...base, params: { ...params, category: subject.category } }, 'refused_same_as_diagnosis', 'corrected to the category diagnosed');
      return { status: 'same_as_diagnosis' as const, category: subject.category, incidentId, host: d.host };
    }
    const prevRow = (await db.query<{ verdict: Verdict; corrected_to: string | null }>(
      'SELECT verdict, corrected_to FROM diagnosis_feedback WHERE diagnosis_id = $1 AND user_id = $2 FOR UPDATE',
      [a.diagnosisId, a.userId])).rows[0];
    const previous = prevRow ? { verdict: prevRow.verdict, correctedTo: prevRow.corrected_to } : null;
    const changed = !previous || previous.verdict !== a.verdict || previous.correctedTo !== a.correctedTo;
    const outcome = !changed ? 'feedback_unchanged' : previous ? 'feedback_changed' : `feedback_${a.verdict}`;
    const what = a.verdict === 'confirmed' ? `confirmed ${subject.category}` : `corrected ${subject.category} to ${a.correctedTo}`;
    const was = previous ? `; was ${previous.verdict === 'confirmed' ? 'confirmed' : `corrected to ${previous.correctedTo}`}` : '';
    await auditFeedback(db, { ...base, params: { ...params, category: subject.category, rules: subject.rules } }, outcome, `${what}${was}`);
    if (!changed) return { status: 'recorded' as const, changed, previous, category: subject.category, incidentId, host: d.host, revision: null };
    // ON CONFLICT as well: a double click's two first answers race past the SELECT above.
    await db.query(
      `INSERT INTO diagnosis_feedback (diagnosis_id, incident_id, host, user_id, category, verdict, corrected_to, rules, evidence_sources, confidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (diagnosis_id, user_id) DO UPDATE SET verdict = EXCLUDED.verdict, corrected_to = EXCLUDED.corrected_to,
         updated_at = now(), changes = diagnosis_feedback.changes + 1`,
      [a.diagnosisId, incidentId, d.host, a.userId.slice(0, 64), subject.category, a.verdict, a.correctedTo, subject.rules,
        subject.evidenceSources.map((s) => redact(s).slice(0, 300)), subject.confidence]);
    await db.query('UPDATE diagnoses SET reply_revision = reply_revision + 1 WHERE id = $1', [a.diagnosisId]);
    const rev = await db.query<{ revision: number }>(
      'UPDATE incidents SET revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING revision', [incidentId]);
    return { status: 'recorded' as const, changed, previous, category: subject.category, incidentId, host: d.host, revision: rev.rows[0]!.revision };
  });
}

/** Every answer on an incident's diagnoses, oldest first, by diagnosis: what the replies show. */
export async function loadIncidentFeedback(db: Queryable, incidentId: number): Promise<Map<number, StoredAnswer[]>> {
  const r = await db.query<{ diagnosis_id: string; user_id: string; verdict: Verdict; corrected_to: string | null; created_at: Date }>(
    `SELECT diagnosis_id, user_id, verdict, corrected_to, created_at FROM diagnosis_feedback
     WHERE incident_id = $1 ORDER BY created_at, id LIMIT 2000`, [incidentId]);
  const out = new Map<number, StoredAnswer[]>();
  for (const row of r.rows) {
    const id = Number(row.diagnosis_id);
    const list = out.get(id) ?? [];
    list.push({ diagnosisId: id, userId: row.user_id, verdict: row.verdict, correctedTo: row.corrected_to, at: row.created_at.toISOString() });
    out.set(id, list);
  }
  return out;
}

/** Confirmed and corrected answers per diagnosed category, all time: the calibration's input. */
export async function loadFeedbackCounts(db: Queryable): Promise<FeedbackCounts> {
  const r = await db.query<{ category: string; confirmed: string; corrected: string }>(
    `SELECT category, count(*) FILTER (WHERE verdict = 'confirmed') AS confirmed, count(*) FILTER (WHERE verdict = 'corrected') AS corrected
     FROM diagnosis_feedback GROUP BY category`);
  const out: Record<string, CategoryFeedback> = {};
  for (const row of r.rows) out[row.category] = { confirmed: Number(row.confirmed), corrected: Number(row.corrected) };
  return out;
}

/** Diagnoses finished since `since` per category (reachable ones: `no_problem` when none), and the answers on them. */
export async function loadAccuracyRows(db: Queryable, since: Date): Promise<{ diagnoses: DiagnosisCountRow[]; answers: AnswerCountRow[] }> {
  const [d, f] = await Promise.all([
    db.query<{ category: string; n: string }>(
      `SELECT coalesce(root_category, 'no_problem') AS category, count(*) AS n FROM diagnoses
       WHERE state = 'done' AND reachable AND finished_at >= $1 GROUP BY 1`, [since]),
    db.query<{ category: string; verdict: Verdict; corrected_to: string | null; n: string }>(
      `SELECT f.category, f.verdict, f.corrected_to, count(*) AS n FROM diagnosis_feedback f
       JOIN diagnoses d ON d.id = f.diagnosis_id WHERE d.finished_at >= $1 GROUP BY 1, 2, 3`, [since]),
  ]);
  return {
    diagnoses: d.rows.map((x) => ({ category: x.category, count: Number(x.n) })),
    answers: f.rows.map((x) => ({ category: x.category, verdict: x.verdict, correctedTo: x.corrected_to, count: Number(x.n) })),
  };
}
