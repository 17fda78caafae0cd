import type pg from 'pg';

export interface DiagnosisRow {
  id: number;
  incidentId: number;
  host: string;
  state: 'queued' | 'running' | 'done' | 'failed';
}

/** Claims a diagnosis for running; a finished one is never run again (returns null). */
export async function startDiagnosis(pool: pg.Pool, id: number): Promise<DiagnosisRow | null> {
  const r = await pool.query<{ id: string; incident_id: string; host: string; state: DiagnosisRow['state'] }>(
    `UPDATE diagnoses SET state = 'running', attempts = attempts + 1, started_at = now()
     WHERE id = $1 AND state IN ('queued', 'running') RETURNING id, incident_id, host, state`, [id]);
  const row = r.rows[0];
  return row ? { id: Number(row.id), incidentId: Number(row.incident_id), host: row.host, state: row.state } : null;
}

export interface DiagnosisOutcome {
  result: unknown;
  rootCategory: string | null;
  reachable: boolean;
  durationMs: number;
}

/** Stores the result and bumps the incident's revision so its Slack messages catch up. */
export async function finishDiagnosis(pool: pg.Pool, id: number, out: DiagnosisOutcome): Promise<{ incidentId: number; revision: number } | null> {
  const r = await pool.query<{ incident_id: string; revision: number }>(
    `WITH d AS (
       UPDATE diagnoses SET state = 'done', result = $2, root_category = $3, reachable = $4, duration_ms = $5,
              finished_at = now(), error = NULL
       WHERE id = $1 AND state = 'running' RETURNING incident_id)
     UPDATE incidents i SET revision = revision + 1, updated_at = now() FROM d
     WHERE i.id = d.incident_id RETURNING i.id AS incident_id, i.revision`,
    [id, JSON.stringify(out.result), out.rootCategory, out.reachable, out.durationMs]);
  const row = r.rows[0];
  return row ? { incidentId: Number(row.incident_id), revision: row.revision } : null;
}

/** A diagnosis that cannot be done (e.g. host removed from the inventory) ends as failed. */
export async function failDiagnosis(pool: pg.Pool, id: number, error: string): Promise<{ incidentId: number; revision: number } | null> {
  const r = await pool.query<{ incident_id: string; revision: number }>(
    `WITH d AS (
       UPDATE diagnoses SET state = 'failed', error = $2, finished_at = now()
       WHERE id = $1 AND state IN ('queued', 'running') RETURNING incident_id)
     UPDATE incidents i SET revision = revision + 1, updated_at = now() FROM d
     WHERE i.id = d.incident_id RETURNING i.id AS incident_id, i.revision`, [id, error.slice(0, 2000)]);
  const row = r.rows[0];
  return row ? { incidentId: Number(row.incident_id), revision: row.revision } : null;
}
