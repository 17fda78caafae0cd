import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { redact } from '../core/redact.js';
import { inTransaction } from './pool.js';

export type ActionKind = 'rollback' | 'kill_idle_connections' | 'rerun_diagnosis';
export type ActionState = 'proposed' | 'running' | 'succeeded' | 'failed' | 'unknown' | 'expired';

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
}

/** 128 random bits, URL-safe: a button value that names an offer and can run nothing by itself. */
const ACTION_ID = /^act_[A-Za-z0-9_-]{22}$/;
export const isActionId = (v: unknown): v is string => typeof v === 'string' && ACTION_ID.test(v);

function toRow(r: Record<string, unknown>): ActionRow {
  return {
    id: r.id as string, incidentId: Number(r.incident_id), diagnosisId: r.diagnosis_id == null ? null : Number(r.diagnosis_id),
    host: r.host as string, kind: r.kind as ActionKind, params: r.params as Record<string, unknown>, state: r.state as ActionState,
    expiresAt: r.expires_at as Date, startedBy: (r.started_by as string | null) ?? null, startedAt: (r.started_at as Date | null) ?? null,
  };
}

export interface Offer { incidentId: number; diagnosisId: number | null; host: string; kind: ActionKind; params: Record<string, unknown>; ttlMs: number }

/** Creates the offer, or returns the one already made for this diagnosis and kind. */
export async function proposeAction(pool: pg.Pool, o: Offer): Promise<ActionRow> {
  const id = `act_${randomBytes(16).toString('base64url')}`;
  const inserted = await pool.query(
    `INSERT INTO actions (id, incident_id, diagnosis_id, host, kind, params, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::float8 / 1000))
     ON CONFLICT (diagnosis_id, kind) WHERE diagnosis_id IS NOT NULL DO NOTHING RETURNING *`,
    [id, o.incidentId, o.diagnosisId, o.host, o.kind, JSON.stringify(o.params), o.ttlMs]);
  if (inserted.rows[0]) return toRow(inserted.rows[0]);
  const existing = await pool.query('SELECT * FROM actions WHERE diagnosis_id = $1 AND kind = $2', [o.diagnosisId, o.kind]);
  return toRow(existing.rows[0]);
}

export type ClaimResult =
  | { ok: true; action: ActionRow }
  | { ok: false; reason: 'unknown' | 'expired' | 'taken'; action: ActionRow | null };

type AuditSubject = Omit<Partial<ActionRow>, 'id'> & { id: string | null };

async function audit(db: pg.PoolClient | pg.Pool, a: AuditSubject, userId: string, outcome: string,
  extra: { detail?: string; durationMs?: number; output?: string } = {}): Promise<void> {
  await db.query(
    `INSERT INTO action_audit (action_id, incident_id, user_id, host, kind, params, outcome, detail, duration_ms, output_excerpt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [a.id, a.incidentId ?? null, userId, a.host ?? null, a.kind ?? null, a.params ? JSON.stringify(a.params) : null, outcome,
      extra.detail ? redact(extra.detail).slice(0, 2000) : null, extra.durationMs ?? null,
      extra.output ? redact(extra.output).slice(-4000) : null]);
}

/**
 * The single decision point: one UPDATE moves an offer from proposed to running, so of any
 * number of clicks, retries and replays exactly one gets `ok: true`. Every attempt is audited.
 */
export async function claimAction(pool: pg.Pool, id: string, userId: string): Promise<ClaimResult> {
  return inTransaction(pool, async (db) => {
    const won = await db.query(
      `UPDATE actions SET state = 'running', started_by = $2, started_at = now()
       WHERE id = $1 AND state = 'proposed' AND expires_at > now() RETURNING *`, [id, userId]);
    if (won.rows[0]) {
      const action = toRow(won.rows[0]);
      await audit(db, action, userId, 'started');
      return { ok: true as const, action };
    }
    const found = (await db.query('SELECT * FROM actions WHERE id = $1', [id])).rows[0];
    const action = found ? toRow(found) : null;
    const reason = !action ? 'unknown' : action.state === 'proposed' || action.state === 'expired' ? 'expired' : 'taken';
    await audit(db, action ?? { id: null } as AuditSubject, userId, `refused_${reason}`,
      { detail: action ? `state ${action.state}${action.startedBy ? `, started by ${action.startedBy}` : ''}` : `no such action id ${id.slice(0, 40)}` });
    return { ok: false as const, reason, action };
  });
}

/** A user outside ACTION_APPROVERS pressed the button: nothing changes but the audit. */
export async function auditRefusal(pool: pg.Pool, id: string, userId: string, reason: string): Promise<void> {
  const found = (await pool.query('SELECT * FROM actions WHERE id = $1', [id])).rows[0];
  await audit(pool, found ? toRow(found) : { id: null } as AuditSubject, userId, 'refused_unauthorized', { detail: reason });
}

export type FinalState = 'succeeded' | 'failed' | 'unknown';

/** Ends a running action once; later calls change nothing and return false. */
export async function finishAction(pool: pg.Pool, id: string, state: FinalState, result: Record<string, unknown>,
  extra: { durationMs: number; output?: string }): Promise<boolean> {
  return inTransaction(pool, async (db) => {
    const r = await db.query(
      `UPDATE actions SET state = $2, finished_at = now(), result = $3 WHERE id = $1 AND state = 'running' RETURNING *`,
      [id, state, JSON.stringify(result)]);
    if (!r.rows[0]) return false;
    const action = toRow(r.rows[0]);
    await audit(db, action, action.startedBy ?? 'diagbot', state, { durationMs: extra.durationMs, ...(extra.output ? { output: extra.output } : {}) });
    return true;
  });
}

/**
 * Running actions whose worker vanished (crash, kill) become `unknown`, never run again:
 * a person must check the host by hand.
 */
export async function markAbandonedUnknown(pool: pg.Pool, olderThanMs: number): Promise<string[]> {
  const r = await pool.query<{ id: string }>(
    `SELECT id FROM actions WHERE state = 'running' AND started_at < now() - make_interval(secs => $1::float8 / 1000)`, [olderThanMs]);
  const done: string[] = [];
  for (const { id } of r.rows) {
    if (await finishAction(pool, id, 'unknown', { reason: 'the worker running it stopped before reporting; verify by hand' }, { durationMs: 0 })) done.push(id);
  }
  return done;
}
