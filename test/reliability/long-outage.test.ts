import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FakeSlack } from '../fakes/fake-slack.js';
import { TEST_SIGNING_SECRET } from '../helpers/diagbot-service.js';
import { postSigned, slashCommandBody } from '../helpers/slack-signing.js';
import type { DiagbotProcess } from './helpers/bot.js';
import { startBotStack, type BotStack } from './helpers/bot-stack.js';
import { report } from './helpers/figures.js';
import { sleep, waitUntil } from './helpers/owned-process.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.js';
import type pg from 'pg';

// A Postgres outage longer than a diagnose job's whole retry span: the jobs spend their 8
// attempts and fail in BullMQ, and before the sweeper those diagnoses stayed `running` with no
// reply, for ever. Time is scaled down 10x so the test takes ~2 min: retry base 200 ms (real
// default 2 s: 8 attempts span ~25 s here, ~4 min in production), a 60 s outage (stands for
// 10 min), sweep every 2 s (15 s) and "stuck" after 5 s without a job (60 s).

const lab = inject('lab');
const INCIDENT = 'C0INCIDENT';
const REQUESTS = ['healthy', 'oom', 'app-bug healthy'];
const DOWN_FOR_MS = 60_000;
let fake: FakeSlack;
let postgres: PrivatePostgres;
let pool: pg.Pool;
let procs: DiagbotProcess[] = [];
const worker = () => procs[1]!;
let stack: BotStack<PrivateRedis, PrivatePostgres>;

beforeAll(async () => {
  stack = await startBotStack({ channel: { id: INCIDENT, name: 'incident' }, redis: startPrivateRedis, postgres: startPrivatePostgres, inventoryPath: lab.inventoryPath,
    extra: { DIAGNOSE_TIMEOUT_MS: '8000', DIAGNOSE_RETRY_BASE_MS: '200', SWEEP_EVERY_MS: '2000', DIAGNOSIS_STUCK_AFTER_MS: '5000' } });
  ({ fake, postgres, pool, procs } = stack);
});
afterAll(() => stack?.stop());

describe('a Postgres outage longer than the retries', () => {
  it('every /diagnose accepted before it ends in one reply per host once Postgres is back', async () => {
    const acks = await Promise.all(REQUESTS.map((text, i) => postSigned(`${procs[0]!.url}/slack/events`, TEST_SIGNING_SECRET,
      slashCommandBody({ text, channel_id: INCIDENT, response_url: fake.responseUrl(`lo-${i}`) }), { timeoutMs: 10_000 })));
    expect(acks.map((a) => JSON.stringify(a.json))).toEqual(REQUESTS.map(() => expect.stringMatching(/Diagnosing/)));
    // Crashed once the parents are posted and their ts stored: a post Slack accepted whose ts
    // the crash kept from being stored is posted again (at-least-once, the ambiguous-failure
    // case handled by post metadata), which is not what this test is about.
    await waitUntil('the parents posted and recorded', async () =>
      (await pool.query('SELECT count(*)::int AS n FROM incidents WHERE posted_revision >= 1')).rows[0].n === REQUESTS.length, 15_000, 20);
    const downAt = Date.now();
    await postgres.crash();
    const runningAtCrash = (await worker().logs.filter((l) => l.msg === 'diagnosis finished').length);
    const spent = () => worker().logs.filter((l) => l.msg === 'job failed' && l.queue === 'diagnose' && Number(l.attemptsMade) >= 8);
    await sleep(DOWN_FOR_MS);
    // The property under test: the outage outlasted the retries, the queue gave those jobs up.
    const givenUp = spent().length;
    expect(givenUp).toBeGreaterThan(0);
    const upAt = Date.now();
    await postgres.start();
    const hosts = REQUESTS.flatMap((r) => r.split(' '));
    await waitUntil('every diagnosis done', async () =>
      (await pool.query("SELECT count(*)::int AS n FROM diagnoses WHERE state = 'done'")).rows[0].n === hosts.length, 90_000, 500);
    const parents = await fake.waitFor((f) => {
      const ms = f.messages(INCIDENT);
      return ms.reduce((n, m) => n + m.replies.length, 0) >= hosts.length ? ms : null;
    }, 60_000);
    const repliedAt = Date.now();
    await sleep(3000); // a late duplicate would show now
    const rows = (await pool.query('SELECT i.id, count(d.id)::int AS n FROM incidents i JOIN diagnoses d ON d.incident_id = i.id GROUP BY i.id ORDER BY i.id')).rows;
    const replies = fake.messages(INCIDENT).map((m) => fake.thread(INCIDENT, m.ts).length);
    report('postgres-outage-past-retries', {
      requests: REQUESTS.length, diagnoses: hosts.length, jobs_given_up_by_queue: givenUp, outage_ms: upAt - downAt,
      finished_before_crash: runningAtCrash, requeued_by_sweeper: worker().logs.filter((l) => l.msg === 'unfinished diagnosis had no job: queued again').length,
      last_reply_after_restart_ms: repliedAt - upAt, parents: parents.length, replies: replies.reduce((a, b) => a + b, 0),
    });
    expect(fake.messages(INCIDENT)).toHaveLength(REQUESTS.length);
    expect(replies.sort()).toEqual(rows.map((r) => r.n).sort());
    expect(replies.reduce((a, b) => a + b, 0)).toBe(hosts.length);
  });
});
