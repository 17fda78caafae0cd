import type pg from 'pg';
import type { Queryable } from './pool.js';
import { redactDeep } from '../util/redact-deep.js';

export type DiagnosisTrigger = 'initial' | 'rerun' | 'after_action';

export interface DiagnosisRow {
  id: number;
  incidentId: number;
  host: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  trigger: DiagnosisTrigger;
  /** For a check after a remediation: how long ago the action ended (the window to look at). */
  sinceActionMs: number | null;
  /** Set when the host was added because another host's nginx sends requests to it. */
  via: { host: string; target: string } | null;
}

/** Claims a diagnosis for running; a finished one is never run again (returns null). */
export async function startDiagnosis(pool: pg.Pool, id: number): Promise<DiagnosisRow | null> {
  const r = await pool.query<{ id: string; incident_id: string; host: string; state: DiagnosisRow['state']; trigger: DiagnosisTrigger; since_ms: number | null; via_host: string | null; via_target: string | null }>(
    `UPDATE diagnoses d SET state = 'running', attempts = attempts + 1, started_at = now()
     WHERE d.id = $1 AND d.state IN ('queued', 'running')
     RETURNING d.id, d.incident_id, d.host, d.state, d.trigger, d.via_host, d.via_target,
       (SELECT (extract(epoch FROM now() - a.finished_at) * 1000)::float8 FROM actions a WHERE a.id = d.action_id) AS since_ms`, [id]);
  const row = r.rows[0];
  return row ? {
    id: Number(row.id), incidentId: Number(row.incident_id), host: row.host, state: row.state, trigger: row.trigger,
    sinceActionMs: row.since_ms === null ? null : Number(row.since_ms),
    via: row.via_host && row.via_target ? { host: row.via_host, target: row.via_target } : null,
  } : null;
}

/** Upstream hosts added to one incident at most (an LB in front of a whole fleet must not fan out without end). */
export const MAX_VIA_PER_INCIDENT = 16;

/**
 * The tier behind: inventory hosts another host's nginx sends requests to join the incident,
 * each diagnosed once (the one-initial-per-host index makes a host already in it a no-op).
 */
export async function queueUpstreamDiagnoses(db: Queryable, incidentId: number, hosts: Array<{ host: string; viaHost: string; viaTarget: string }>): Promise<Array<{ id: number; host: string }>> {
  if (hosts.length === 0) return [];
  const r = await db.query<{ id: string; host: string }>(
    `INSERT INTO diagnoses (incident_id, host, via_host, via_target)
     SELECT $1, h.host, h.via_host, h.via_target
     FROM unnest($2::text[], $3::text[], $4::text[]) AS h(host, via_host, via_target)
     WHERE (SELECT count(*) FROM diagnoses WHERE incident_id = $1 AND via_host IS NOT NULL) < $5
     ON CONFLICT DO NOTHING RETURNING id, host`,
    [incidentId, hosts.map((h) => h.host), hosts.map((h) => h.viaHost), hosts.map((h) => h.viaTarget), MAX_VIA_PER_INCIDENT]);
  if (r.rows.length > 0) await db.query('UPDATE incidents SET revision = revision + 1, updated_at = now() WHERE id = $1', [incidentId]);
  return r.rows.map((x) => ({ id: Number(x.id), host: x.host }));
}

export type RerunResult =
  | { status: 'queued'; id: number; incidentId: number; host: string; revision: number }
  | { status: 'in_flight' }
  | { status: 'not_found' };

/**
 * "Re-run diagnosis" on a reply in `channel`: a new diagnosis of the same host in the same
 * incident, unless one is already queued or running (a double click queues one).
 */
export async function queueRerun(pool: pg.Pool, diagnosisId: number, channel: string, userId: string): Promise<RerunResult> {
  const src = (await pool.query<{ incident_id: string; host: string }>(
    'SELECT d.incident_id, d.host FROM diagnoses d JOIN incidents i ON i.id = d.incident_id WHERE d.id = $1 AND i.channel = $2',
    [diagnosisId, channel])).rows[0];
  if (!src) return { status: 'not_found' };
  const r = await pool.query<{ id: string; revision: number }>(
    `WITH d AS (
       INSERT INTO diagnoses (incident_id, host, trigger, requested_by) VALUES ($1, $2, 'rerun', $3)
       ON CONFLICT DO NOTHING RETURNING id, incident_id)
     UPDATE incidents i SET revision = revision + 1, updated_at = now() FROM d WHERE i.id = d.incident_id
     RETURNING d.id, i.revision`, [src.incident_id, src.host, userId]);
  const row = r.rows[0];
  return row ? { status: 'queued', id: Number(row.id), incidentId: Number(src.incident_id), host: src.host, revision: row.revision } : { status: 'in_flight' };
}

/** The check that follows a remediation; one per action. Returns its id, or null if it exists. */
export async function queueVerification(db: Queryable, a: { id: string; incidentId: number; host: string; startedBy: string | null }): Promise<number | null> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO diagnoses (incident_id, host, trigger, action_id, requested_by) VALUES ($1, $2, 'after_action', $3, $4)
     ON CONFLICT DO NOTHING RETURNING id`, [a.incidentId, a.host, a.id, a.startedBy]);
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

export interface DiagnosisOutcome {
  result: unknown;
  rootCategory: string | null;
  reachable: boolean;
  durationMs: number;
}

/** Stores the result and bumps the incident's revision so its Slack messages catch up. */
export async function finishDiagnosis(pool: Queryable, id: number, out: DiagnosisOutcome): Promise<{ incidentId: number; revision: number } | null> {
  const r = await pool.query<{ incident_id: string; revision: number }>(
    `WITH d AS (
       UPDATE diagnoses SET state = 'done', result = $2, root_category = $3, reachable = $4, duration_ms = $5,
              finished_at = now(), error = NULL
       WHERE id = $1 AND state = 'running' RETURNING incident_id)
     UPDATE incidents i SET revision = revision + 1, updated_at = now() FROM d
     WHERE i.id = d.incident_id RETURNING i.id AS incident_id, i.revision`,
    [id, JSON.stringify(redactDeep(out.result)), out.rootCategory, out.reachable, out.durationMs]);
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
