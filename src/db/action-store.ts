import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { redact } from '../core/redact.js';
import { redactDeep } from '../util/redact-deep.js';
import { inTransaction, type Queryable } from './pool.js';

export type ActionKind = 'rollback' | 'kill_idle_connections' | 'rerun_diagnosis';
export type ActionState = 'proposed' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'unknown' | 'expired';
export type FinalState = 'succeeded' | 'failed' | 'skipped' | 'unknown';

export interface ActionRow {
  id: string;
  incidentId: number;
  diagnosisId: number | null;
  host: string;
  kind: ActionKind;
  params: Record<string, unknown>;
  state: ActionState;
  expiresAt: Date;
  startedBy: string | null;
  startedAt: Date | null;
  executedAt: Date | null;
  finishedAt: Date | null;
  result: Record<string, unknown> | null;
  resultTs: string | null;
}

/** 128 random bits, URL-safe: a button value that names an offer and can run nothing by itself. */
const ACTION_ID = /^act_[A-Za-z0-9_-]{22}$/;
export const isActionId = (v: unknown): v is string => typeof v === 'string' && ACTION_ID.test(v);

export function toActionRow(r: Record<string, unknown>): ActionRow {
  return {
    id: r.id as string, incidentId: Number(r.incident_id), diagnosisId: r.diagnosis_id == null ? null : Number(r.diagnosis_id),
    host: r.host as string, kind: r.kind as ActionKind, params: r.params as Record<string, unknown>, state: r.state as ActionState,
    expiresAt: r.expires_at as Date, startedBy: (r.started_by as string | null) ?? null, startedAt: (r.started_at as Date | null) ?? null,
    executedAt: (r.executed_at as Date | null) ?? null, finishedAt: (r.finished_at as Date | null) ?? null,
    result: (r.result as Record<string, unknown> | null) ?? null, resultTs: (r.result_ts as string | null) ?? null,
  };
}

export interface Offer { incidentId: number; diagnosisId: number | null; host: string; kind: ActionKind; params: Record<string, unknown>; ttlMs: number }

/**
 * Creates the offer, or returns the one already made for this diagnosis and kind. Older open
 * offers of the same kind for the host in this incident are withdrawn (their replies re-render
 * without the button): one live button per host and remediation, the newest.
 */
export async function proposeAction(db: Queryable, o: Offer): Promise<ActionRow> {
  const withdrawn = await db.query<{ diagnosis_id: string | null }>(
    `UPDATE actions SET state = 'expired', expires_at = LEAST(expires_at, now()), result = $5
     WHERE incident_id = $1 AND host = $2 AND kind = $3 AND state = 'proposed' AND diagnosis_id IS DISTINCT FROM $4
     RETURNING diagnosis_id`,
    [o.incidentId, o.host, o.kind, o.diagnosisId, JSON.stringify({ summary: 'Withdrawn: a newer diagnosis of this host made a fresh offer further down the thread.' })]);
  for (const w of withdrawn.rows) {
    if (w.diagnosis_id !== null) await db.query('UPDATE diagnoses SET reply_revision = reply_revision + 1 WHERE id = $1', [w.diagnosis_id]);
  }
  const id = `act_${randomBytes(16).toString('base64url')}`;
  const inserted = await db.query(
    `INSERT INTO actions (id, incident_id, diagnosis_id, host, kind, params, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::float8 / 1000))
     ON CONFLICT (diagnosis_id, kind) WHERE diagnosis_id IS NOT NULL DO NOTHING RETURNING *`,
    [id, o.incidentId, o.diagnosisId, o.host, o.kind, JSON.stringify(o.params), o.ttlMs]);
  if (inserted.rows[0]) return toActionRow(inserted.rows[0]);
  const existing = await db.query('SELECT * FROM actions WHERE diagnosis_id = $1 AND kind = $2', [o.diagnosisId, o.kind]);
  return toActionRow(existing.rows[0]);
}

export async function loadAction(db: Queryable, id: string): Promise<(ActionRow & { channel: string }) | null> {
  const r = await db.query('SELECT a.*, i.channel FROM actions a JOIN incidents i ON i.id = a.incident_id WHERE a.id = $1', [id]);
  return r.rows[0] ? { ...toActionRow(r.rows[0]), channel: r.rows[0].channel as string } : null;
}

type AuditSubject = Omit<Partial<ActionRow>, 'id'> & { id: string | null };

export async function audit(db: Queryable, a: AuditSubject, userId: string, outcome: string,
  extra: { detail?: string; durationMs?: number; output?: string } = {}): Promise<void> {
  await db.query(
    `INSERT INTO action_audit (action_id, incident_id, user_id, host, kind, params, outcome, detail, duration_ms, output_excerpt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [a.id, a.incidentId ?? null, userId.slice(0, 64), a.host ?? null, a.kind ?? null, a.params ? JSON.stringify(redactDeep(a.params)) : null, outcome,
      extra.detail ? redact(extra.detail).slice(0, 2000) : null, extra.durationMs ?? null,
      extra.output ? redact(extra.output).slice(-4000) : null]);
}

/** The reply that shows an action, and its incident, must be re-rendered. */
async function bumpFor(db: Queryable, a: Pick<ActionRow, 'incidentId' | 'diagnosisId'>): Promise<number> {
  if (a.diagnosisId !== null) await db.query('UPDATE diagnoses SET reply_revision = reply_revision + 1 WHERE id = $1', [a.diagnosisId]);
  const r = await db.query<{ revision: number }>('UPDATE incidents SET revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING revision', [a.incidentId]);
  return r.rows[0]!.revision;
}

export type ClaimResult =
  | { ok: true; action: ActionRow; revision: number }
  | { ok: false; reason: 'unknown' | 'expired' | 'taken'; action: ActionRow | null; revision: number | null };

/**
 * The single decision point: one UPDATE moves an offer from proposed to running, so of any
 * number of clicks, retries and replays exactly one gets `ok: true`. Every attempt is audited.
 * An offer found past its expiry is marked expired so its button disappears.
 */
export async function claimAction(pool: pg.Pool, id: string, userId: string): Promise<ClaimResult> {
  return inTransaction(pool, async (db) => {
    const won = await db.query(
      `UPDATE actions SET state = 'running', started_by = $2, started_at = now()
       WHERE id = $1 AND state = 'proposed' AND expires_at > now() RETURNING *`, [id, userId]);
    if (won.rows[0]) {
      const action = toActionRow(won.rows[0]);
      await audit(db, action, userId, 'started');
      return { ok: true as const, action, revision: await bumpFor(db, action) };
    }
    const expired = await db.query(
      `UPDATE actions SET state = 'expired' WHERE id = $1 AND state = 'proposed' AND expires_at <= now() RETURNING *`, [id]);
    const found = expired.rows[0] ?? (await db.query('SELECT * FROM actions WHERE id = $1', [id])).rows[0];
    const action = found ? toActionRow(found) : null;
    const reason = !action ? 'unknown' : action.state === 'expired' ? 'expired' : 'taken';
    await audit(db, action ?? { id: null } as AuditSubject, userId, `refused_${reason}`,
      { detail: action ? `state ${action.state}${action.startedBy ? `, started by ${action.startedBy}` : ''}` : `no such action id ${id.slice(0, 40)}` });
    return { ok: false as const, reason, action, revision: expired.rows[0] && action ? await bumpFor(db, action) : null };
  });
}

/** A press that never reached a claim (not an approver, wrong channel, malformed value): audited only. */
export async function auditRefusal(db: Queryable, id: string | null, userId: string, outcome: string, reason: string): Promise<void> {
  const found = id ? (await db.query('SELECT * FROM actions WHERE id = $1', [id])).rows[0] : undefined;
  await audit(db, found ? toActionRow(found) : { id: null } as AuditSubject, userId, outcome, { detail: reason });
}

/**
 * A worker takes the execution of a claimed action, once: a redelivered or duplicated job finds
 * executed_at set and runs nothing.
 */
export async function beginExecution(pool: pg.Pool, id: string, owner: string): Promise<ActionRow | null> {
  const r = await pool.query(
    `UPDATE actions SET executed_at = now(), executed_by = $2, heartbeat_at = now()
     WHERE id = $1 AND state = 'running' AND executed_at IS NULL RETURNING *`, [id, owner]);
  return r.rows[0] ? toActionRow(r.rows[0]) : null;
}

export async function heartbeat(pool: pg.Pool, id: string, owner: string): Promise<void> {
  await pool.query(`UPDATE actions SET heartbeat_at = now() WHERE id = $1 AND state = 'running' AND executed_by = $2`, [id, owner]);
}

export interface Finished { action: ActionRow; revision: number }

/** Ends a running action once (audited); later calls change nothing and return null. */
export async function finishAction(db: pg.Pool, id: string, state: FinalState, summary: string, result: Record<string, unknown>,
  extra: { durationMs: number; output?: string; by?: string }): Promise<Finished | null> {
  return inTransaction(db, async (c) => {
    const r = await c.query(
      `UPDATE actions SET state = $2, finished_at = now(), result = $3 WHERE id = $1 AND state = 'running' RETURNING *`,
      [id, state, JSON.stringify(redactDeep({ ...result, summary }))]);
    if (!r.rows[0]) return null;
    const action = toActionRow(r.rows[0]);
    await audit(c, action, extra.by ?? action.startedBy ?? 'diagbot', state,
      { detail: summary, durationMs: extra.durationMs, ...(extra.output ? { output: extra.output } : {}) });
    return { action, revision: await bumpFor(c, action) };
  });
}

/**
 * Running actions nobody is executing any more. A worker that died mid-action (stale heartbeat)
 * leaves `unknown`: a person must check the host, it is never run again. A claim no worker ever
 * took (the job was lost) fails: nothing was done.
 */
export async function sweepAbandoned(pool: pg.Pool, opts: { heartbeatStaleMs: number; neverStartedMs: number }): Promise<Finished[]> {
  const r = await pool.query<{ id: string; executed_at: Date | null }>(
    `SELECT id, executed_at FROM actions WHERE state = 'running' AND (
       (executed_at IS NOT NULL AND heartbeat_at < now() - make_interval(secs => $1::float8 / 1000))
       OR (executed_at IS NULL AND started_at < now() - make_interval(secs => $2::float8 / 1000)))`,
    [opts.heartbeatStaleMs, opts.neverStartedMs]);
  const done: Finished[] = [];
  for (const { id, executed_at } of r.rows) {
    const finished = executed_at
      ? await finishAction(pool, id, 'unknown', 'The worker running this action stopped before reporting how it ended: verify the host by hand. It will not be run again.', {}, { durationMs: 0, by: 'diagbot' })
      : await finishActionIfNeverStarted(pool, id);
    if (finished) done.push(finished);
  }
  return done;
}

async function finishActionIfNeverStarted(pool: pg.Pool, id: string): Promise<Finished | null> {
  return inTransaction(pool, async (c) => {
    // executed_at IS NULL in the same UPDATE: a worker starting right now wins or loses atomically.
    const r = await c.query(
      `UPDATE actions SET state = 'failed', finished_at = now(), result = $2
       WHERE id = $1 AND state = 'running' AND executed_at IS NULL RETURNING *`,
      [id, JSON.stringify({ summary: 'No worker picked this action up in time (queue unavailable?); nothing was done.' })]);
    if (!r.rows[0]) return null;
    const action = toActionRow(r.rows[0]);
    await audit(c, action, 'diagbot', 'failed', { detail: 'never started: no worker took the job' });
    return { action, revision: await bumpFor(c, action) };
  });
}

export async function saveActionResultTs(pool: pg.Pool, id: string, ts: string): Promise<void> {
  await pool.query('UPDATE actions SET result_ts = $2 WHERE id = $1 AND result_ts IS NULL', [id, ts]);
}
