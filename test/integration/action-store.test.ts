import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { auditRefusal, beginExecution, claimAction, finishAction, isActionId, proposeAction, sweepAbandoned } from '../../src/db/action-store.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/log/logger.js';
import { approverCheck } from '../../src/slack/approvers.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// The at-most-once core of remediation, against real Postgres.

let db: TestDatabase;
let pool: pg.Pool;
let incidentId: number;
let diagnosisId: number;

beforeAll(async () => {
  db = await createTestDatabase('actions');
  await migrate(db.url, createLogger({ level: 'silent' }));
  pool = new pg.Pool({ connectionString: db.url, max: 25 });
  incidentId = Number((await pool.query("INSERT INTO incidents (source, channel, title) VALUES ('slash', 'C1', 't') RETURNING id")).rows[0].id);
  diagnosisId = Number((await pool.query("INSERT INTO diagnoses (incident_id, host) VALUES ($1, 'bad-deploy') RETURNING id", [incidentId])).rows[0].id);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const offer = (kind: 'rollback' | 'kill_idle_connections', ttlMs = 60_000, diag: number | null = diagnosisId) =>
  proposeAction(pool, { incidentId, diagnosisId: diag, host: 'bad-deploy', kind, params: { from: 'r2', to: 'r1' }, ttlMs });

describe('remediation actions', () => {
  it('offers each kind once per diagnosis, under an opaque id', async () => {
    const a = await offer('rollback');
    const b = await offer('rollback');
    expect(b.id).toBe(a.id);
    expect(isActionId(a.id)).toBe(true);
    expect(isActionId('rollback web-1')).toBe(false);
  });

  it('withdraws an older open offer when a newer diagnosis of the host makes one', async () => {
    const dOld = Number((await pool.query("INSERT INTO diagnoses (incident_id, host, state) VALUES ($1, 'w', 'done') RETURNING id", [incidentId])).rows[0].id);
    const dNew = Number((await pool.query("INSERT INTO diagnoses (incident_id, host, trigger) VALUES ($1, 'w', 'rerun') RETURNING id", [incidentId])).rows[0].id);
    const older = await proposeAction(pool, { incidentId, diagnosisId: dOld, host: 'w', kind: 'rollback', params: {}, ttlMs: 60_000 });
    const newer = await proposeAction(pool, { incidentId, diagnosisId: dNew, host: 'w', kind: 'rollback', params: {}, ttlMs: 60_000 });
    expect(newer.id).not.toBe(older.id);
    expect(await claimAction(pool, older.id, 'U1')).toMatchObject({ ok: false, reason: 'expired', action: { state: 'expired', result: { summary: expect.stringMatching(/^Withdrawn/) } } });
    const rev = await pool.query('SELECT reply_revision FROM diagnoses WHERE id = $1', [dOld]);
    expect(rev.rows[0].reply_revision).toBe(2);
    expect((await claimAction(pool, newer.id, 'U1')).ok).toBe(true);
    expect(await finishAction(pool, newer.id, 'skipped', 'test', {}, { durationMs: 0 })).not.toBeNull();
  });

  it('lets exactly one of 20 concurrent clicks run, tells the others who did, and audits all', async () => {
    const a = await offer('kill_idle_connections');
    const users = Array.from({ length: 20 }, (_, i) => `U${String(i).padStart(4, '0')}`);
    const results = await Promise.all(users.map((u) => claimAction(pool, a.id, u)));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.ok ? winners[0]!.action.startedBy : null;
    for (const r of results.filter((x) => !x.ok)) expect(r).toMatchObject({ ok: false, reason: 'taken', action: { startedBy: winner } });
    const audit = await pool.query('SELECT outcome, count(*)::int AS n FROM action_audit WHERE action_id = $1 GROUP BY outcome ORDER BY outcome', [a.id]);
    expect(audit.rows).toEqual([{ outcome: 'refused_taken', n: 19 }, { outcome: 'started', n: 1 }]);
    // Finishing is once too; a replay of the button afterwards is refused.
    expect(await finishAction(pool, a.id, 'succeeded', 'ended 3', { killed: 3 }, { durationMs: 40, output: 'password=hunter2 ok' })).not.toBeNull();
    expect(await finishAction(pool, a.id, 'failed', 'again', {}, { durationMs: 1 })).toBeNull();
    expect(await claimAction(pool, a.id, users[0]!)).toMatchObject({ ok: false, reason: 'taken', action: { state: 'succeeded' } });
    const out = await pool.query("SELECT output_excerpt FROM action_audit WHERE action_id = $1 AND outcome = 'succeeded'", [a.id]);
    expect(out.rows[0].output_excerpt).toBe('password=**** ok');
  });

  it('refuses expired and unknown ids, and audits unauthorized presses', async () => {
    const d2 = Number((await pool.query("INSERT INTO diagnoses (incident_id, host) VALUES ($1, 'pool') RETURNING id", [incidentId])).rows[0].id);
    const a = await offer('rollback', 1, d2);
    await new Promise((r) => setTimeout(r, 20));
    expect(await claimAction(pool, a.id, 'U1')).toMatchObject({ ok: false, reason: 'expired', action: { state: 'expired' } });
    // Marked expired once; a replay is refused the same way.
    expect(await claimAction(pool, a.id, 'U2')).toMatchObject({ ok: false, reason: 'expired', revision: null });
    expect(await claimAction(pool, 'act_AAAAAAAAAAAAAAAAAAAAAA', 'U1')).toMatchObject({ ok: false, reason: 'unknown', action: null });
    await auditRefusal(pool, a.id, 'U_MALLORY', 'refused_unauthorized', 'not in ACTION_APPROVERS');
    const rows = await pool.query("SELECT user_id, outcome FROM action_audit WHERE user_id = 'U_MALLORY'");
    expect(rows.rows).toEqual([{ user_id: 'U_MALLORY', outcome: 'refused_unauthorized' }]);
  });

  it('turns an action whose worker vanished into unknown, and never runs it again', async () => {
    const d3 = Number((await pool.query("INSERT INTO diagnoses (incident_id, host) VALUES ($1, 'x') RETURNING id", [incidentId])).rows[0].id);
    const a = await offer('rollback', 60_000, d3);
    expect((await claimAction(pool, a.id, 'U1')).ok).toBe(true);
    expect(await beginExecution(pool, a.id, 'worker-1')).not.toBeNull();
    // A second delivery of the same job cannot start it again.
    expect(await beginExecution(pool, a.id, 'worker-2')).toBeNull();
    await new Promise((r) => setTimeout(r, 30));
    const swept = await sweepAbandoned(pool, { heartbeatStaleMs: 10, neverStartedMs: 60_000 });
    expect(swept.map((f) => [f.action.id, f.action.state])).toEqual([[a.id, 'unknown']]);
    expect(await claimAction(pool, a.id, 'U2')).toMatchObject({ ok: false, reason: 'taken', action: { state: 'unknown' } });
    expect(await beginExecution(pool, a.id, 'worker-3')).toBeNull();
  });

  it('fails a claimed action that no worker ever started: nothing ran', async () => {
    const d4 = Number((await pool.query("INSERT INTO diagnoses (incident_id, host) VALUES ($1, 'y') RETURNING id", [incidentId])).rows[0].id);
    const a = await offer('rollback', 60_000, d4);
    expect((await claimAction(pool, a.id, 'U1')).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    const swept = await sweepAbandoned(pool, { heartbeatStaleMs: 60_000, neverStartedMs: 10 });
    expect(swept.map((f) => [f.action.id, f.action.state])).toEqual([[a.id, 'failed']]);
    expect(await beginExecution(pool, a.id, 'late-worker')).toBeNull();
  });

  it('keeps the audit append-only', async () => {
    await expect(pool.query("UPDATE action_audit SET outcome = 'succeeded'")).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM action_audit')).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE action_audit')).rejects.toThrow(/append-only/);
  });
});

describe('approvers', () => {
  it('denies everyone when empty, allows listed users and group members, denies when a group cannot be read', async () => {
    expect((await approverCheck([], async () => [])('U1')).allowed).toBe(false);
    const check = approverCheck(['U1', 'S1'], async (g) => (g === 'S1' ? ['U2'] : []));
    expect((await check('U1')).allowed).toBe(true);
    expect(await check('U2')).toEqual({ allowed: true, reason: 'member of user group S1' });
    expect((await check('U3')).allowed).toBe(false);
    const broken = approverCheck(['S9'], async () => { throw new Error('missing_scope'); });
    expect(await broken('U2')).toMatchObject({ allowed: false, reason: expect.stringContaining('missing_scope') });
  });
});
