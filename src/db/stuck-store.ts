import type pg from 'pg';

export interface UnfinishedDiagnosis { id: number; incidentId: number; host: string; ageMs: number }

/**
 * Diagnoses still queued or running whose last start (or queueing) is older than `quietMs`:
 * candidates for the sweeper, which asks the queue whether a job still carries them. A
 * partial index keeps this cheap however many finished diagnoses there are.
 */
export async function listUnfinishedDiagnoses(pool: pg.Pool, quietMs: number, limit = 200): Promise<UnfinishedDiagnosis[]> {
  const r = await pool.query<{ id: string; incident_id: string; host: string; age_ms: number }>(
    `SELECT id, incident_id, host, (extract(epoch FROM now() - queued_at) * 1000)::float8 AS age_ms FROM diagnoses
     WHERE state IN ('queued', 'running') AND coalesce(started_at, queued_at) < now() - make_interval(secs => $1::float8 / 1000)
     ORDER BY queued_at LIMIT $2`, [quietMs, limit]);
  return r.rows.map((x) => ({ id: Number(x.id), incidentId: Number(x.incident_id), host: x.host, ageMs: Number(x.age_ms) }));
}
