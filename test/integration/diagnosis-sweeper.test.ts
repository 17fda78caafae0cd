import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { UnrecoverableError, Worker } from 'bullmq';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/log/logger.js';
import { jobIds, JobQueues, QUEUE_NAMES } from '../../src/queue/job-queues.js';
import { createRedis, type RedisConnection } from '../../src/queue/redis.js';
import { sweepStuckDiagnoses } from '../../src/service/diagnosis-sweeper.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// The sweeper against real Postgres and Redis: what it puts back, what it leaves, what it fails.

let db: TestDatabase;
let pool: pg.Pool;
let redis: RedisConnection;
let queues: JobQueues;
const log = createLogger({ level: 'silent' });
const OPTS = { stuckAfterMs: 60_000, giveUpAfterMs: 30 * 60_000 };

beforeAll(async () => {
  db = await createTestDatabase('sweeper');
  await migrate(db.url, log);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  redis = createRedis({ kind: 'single', url: 'redis://127.0.0.1:6379' }, 'producer');
  queues = new JobQueues(redis, `test-sweep-${randomBytes(4).toString('hex')}`);
});

afterAll(async () => {
  await queues?.diagnose.obliterate({ force: true }).catch(() => undefined);
  await queues?.slackSync.obliterate({ force: true }).catch(() => undefined);
  await queues?.close();
  redis?.disconnect();
  await pool?.end();
  await db?.drop();
});

async function diagnosis(host: string, state: string, ageSec: number): Promise<{ id: number; incidentId: number }> {
  const inc = Number((await pool.query("INSERT INTO incidents (source, channel, title) VALUES ('slash', 'C1', $1) RETURNING id", [host])).rows[0].id);
  const id = Number((await pool.query(
    `INSERT INTO diagnoses (incident_id, host, state, queued_at, started_at)
     VALUES ($1, $2, $3, now() - make_interval(secs => $4), CASE WHEN $3 = 'running' THEN now() - make_interval(secs => $4) END) RETURNING id`,
    [inc, host, state, ageSec])).rows[0].id);
  return { id, incidentId: inc };
}

describe('sweeping unfinished diagnoses', () => {
  it('puts back a diagnosis whose job is gone or failed, leaves one a job still carries, and fails one past its budget with a reply', async () => {
    const missing = await diagnosis('never-queued', 'queued', 120);
    const spent = await diagnosis('retries-spent', 'running', 300);
    const waiting = await diagnosis('backlog', 'queued', 120);
    const fresh = await diagnosis('just-now', 'queued', 5);
    const old = await diagnosis('too-old', 'running', 3600);
    // A job that failed for good in BullMQ (as when its 8 attempts are spent in an outage).
    await queues.addDiagnoses(spent.incidentId, [{ id: spent.id, host: 'retries-spent' }]);
    const conn = createRedis({ kind: 'single', url: 'redis://127.0.0.1:6379' }, 'worker');
    const failing = new Worker(QUEUE_NAMES.diagnose, async () => { throw new UnrecoverableError('Postgres down'); }, { connection: conn, prefix: queues.diagnose.opts.prefix! });
    await new Promise((r) => failing.once('failed', r));
    await failing.close();
    conn.disconnect();
    expect(await (await queues.diagnose.getJob(jobIds.diagnose(spent.id)))!.getState()).toBe('failed');
    await queues.addDiagnoses(waiting.incidentId, [{ id: waiting.id, host: 'backlog' }]);

    const out = await sweepStuckDiagnoses({ pool, queues, log }, OPTS);
    expect(out).toEqual({ requeued: 2, failed: 1 });
    for (const d of [missing, spent, waiting]) {
      expect(await (await queues.diagnose.getJob(jobIds.diagnose(d.id)))?.getState(), String(d.id)).toBe('waiting');
    }
    expect(await queues.diagnose.getJob(jobIds.diagnose(fresh.id))).toBeUndefined();
    const failed = (await pool.query('SELECT state, error FROM diagnoses WHERE id = $1', [old.id])).rows[0];
    expect(failed).toMatchObject({ state: 'failed', error: expect.stringMatching(/not finished within 30 min.*\/diagnose too-old again/) });
    const rev = (await pool.query('SELECT revision FROM incidents WHERE id = $1', [old.incidentId])).rows[0].revision;
    expect(await queues.slackSync.getJob(jobIds.slackSync(old.incidentId, rev))).toBeDefined();
    // A second sweep finds every job in place: nothing is added twice.
    expect(await sweepStuckDiagnoses({ pool, queues, log }, OPTS)).toEqual({ requeued: 0, failed: 0 });
  });
});
