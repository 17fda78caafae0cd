import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { serviceEnv, TEST_SIGNING_SECRET } from '../helpers/diagbot-service.js';
import { postSigned, slashCommandBody } from '../helpers/slack-signing.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startDiagbotProcess, stopAll, type DiagbotProcess } from './helpers/bot.js';
import { percentile, report } from './helpers/figures.js';
import { sleep } from './helpers/owned-process.js';
import { checkPool } from './helpers/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';
import type pg from 'pg';

// /diagnose is recorded (Postgres row + BullMQ job) before Slack gets its ack. Two faults:
// the web process SIGKILLed the moment the ack arrives (a test-only pause after the ack,
// DIAGBOT_TEST_PAUSE_AFTER_ACK_MS, makes the kill land there every time: with the old order,
// ack then record, the request was lost); and 50 commands at once, whose acks must stay well
// inside Slack's 3 s although each now waits for its insert and its queue write.

const lab = inject('lab');
const INCIDENT = 'C0INCIDENT';
let fake: FakeSlack;
let db: TestDatabase;
let loadDb: TestDatabase;
let redis: PrivateRedis;
let pool: pg.Pool;
const procs: DiagbotProcess[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: INCIDENT, name: 'incident' }] });
  [db, loadDb, redis] = await Promise.all([createTestDatabase('slashack'), createTestDatabase('slashload'), startPrivateRedis()]);
  pool = checkPool(db.url);
});

afterAll(async () => {
  await stopAll(procs);
  await pool?.end();
  await fake?.close();
  await Promise.all([db?.drop(), loadDb?.drop(), redis?.stop()]);
});

const slash = (url: string, text: string, hook: string) =>
  postSigned(`${url}/slack/events`, TEST_SIGNING_SECRET, slashCommandBody({ text, channel_id: INCIDENT, response_url: fake.responseUrl(hook) }), { timeoutMs: 10_000 });

describe('/diagnose is recorded before it is acknowledged', () => {
  it('web SIGKILLed right after the ack: a worker still diagnoses the host and posts the findings', async () => {
    const env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath, redisUrl: redis.url,
      extra: { LOG_LEVEL: 'info', DIAGNOSE_TIMEOUT_MS: '8000' } });
    const web = await startDiagbotProcess('web', { ...env, DIAGBOT_TEST_PAUSE_AFTER_ACK_MS: '5000' });
    procs.push(web);
    const res = await slash(web.url, 'healthy', 'kill');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/Diagnosing `healthy`/) });
    expect(await web.stop('SIGKILL')).toBeNull();
    // Only now does a worker exist: nothing of the request can live in the dead web process.
    procs.push(await startDiagbotProcess('worker', env));
    const parent = await fake.waitFor((f) => {
      const m = f.messages(INCIDENT)[0];
      return m && m.replies.length >= 1 ? m : null;
    }, 60_000);
    await sleep(2000);
    expect(fake.messages(INCIDENT)).toHaveLength(1);
    expect(fake.thread(INCIDENT, parent.ts)).toHaveLength(1);
    expect(JSON.stringify(parent.replies[0]!.blocks)).toContain('healthy');
    const rows = (await pool.query("SELECT host, state FROM diagnoses")).rows;
    expect(rows).toEqual([{ host: 'healthy', state: 'done' }]);
  });

  it('50 at once: every ack within Slack\'s 3 s, p99 well under it, each one recorded', async () => {
    // Its own database and queue prefix with no worker: the 50 diagnoses are recorded, not run.
    const env = serviceEnv({ databaseUrl: loadDb.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath, redisUrl: redis.url, extra: { LOG_LEVEL: 'info' } });
    const web = await startDiagbotProcess('web', env);
    procs.push(web);
    await slash(web.url, 'healthy', 'warm'); // first connection to Postgres and Redis
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => slash(web.url, 'healthy', `load-${i}`)));
    const ms = results.map((r) => r.ms);
    const load = checkPool(loadDb.url);
    const recorded = (await load.query("SELECT count(*)::int AS n FROM diagnoses")).rows[0].n;
    await load.end();
    report('slash-ack-50-concurrent', { requests: results.length, p50_ms: percentile(ms, 50), p99_ms: percentile(ms, 99), max_ms: Math.max(...ms), recorded: recorded - 1 });
    expect(results.filter((r) => r.status !== 200 || !/Diagnosing/.test(JSON.stringify(r.json)))).toEqual([]);
    expect(recorded).toBe(51);
    expect(Math.max(...ms)).toBeLessThan(3000);
    expect(percentile(ms, 99)).toBeLessThan(1000);
  });
});
