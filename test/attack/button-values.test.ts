import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/fake-slack.js';
import { serviceEnv, startService, TEST_SIGNING_SECRET, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { blockActionsBody, buttonClickPayload, postSigned, slashCommandBody } from '../helpers/slack-signing.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { CANARY_PREFIX } from './hostile-strings.js';
import { deleteRedisPrefix, sleep } from './support.js';

// Remediation buttons pressed with values and action ids that did not come from diagbot. The
// contract: action_id diagbot_rollback / diagbot_kill_idle_connections with value ^act_[A-Za-z0-9_-]{22}$
// (an opaque offer id), or diagbot_rerun with a decimal diagnosis id. Every hostile press is answered
// ephemerally and runs nothing: the offer stays proposed, no remediation job, no re-run, the host's
// release untouched, an audit row per refusal. The presser is an approver, so only validation stops it.

const lab = inject('lab');
const HOST = 'bad-deploy';
const CHANNEL = 'C0BUTTONS';
const OTHER = 'C0ELSEWHERE';
const APPROVER = 'U0ALICE';
const OUTSIDER = 'U0MALLORY';
const RUN = randomBytes(4).toString('hex');
const CANARY = `${CANARY_PREFIX}${RUN}`;

let fake: FakeSlack;
let db: TestDatabase;
let env: Record<string, string>;
let svc: ServiceUnderTest;
let offerId = '';
let diagnosisId = '';
let messageTs = '';
let presses = 0;

interface Button { action_id: string; value: string }
const buttonsOf = (m: FakeMessage): Button[] =>
  ((m.blocks ?? []) as { type: string; elements?: Button[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
const release = () => readlinkSync(join(lab.dir, 'hosts', HOST, 'srv-app', 'current'));
const count = async (sql: string, params: unknown[] = []) => Number((await svc.ctx.pool.query(sql, params)).rows[0].n);

/** Presses as Slack would (signed block_actions); resolves with the HTTP status and the ephemeral answer. */
async function press(actionId: unknown, value: unknown, o: { user?: string; channel?: string; action?: Record<string, unknown>; answerWithinMs?: number } = {}) {
  const rid = `press-${++presses}`;
  const channel = o.channel ?? CHANNEL;
  const payload = buttonClickPayload({ actionId: 'placeholder', userId: o.user ?? APPROVER, channelId: channel, messageTs,
    responseUrl: fake.responseUrl(rid, { channel, user: o.user ?? APPROVER }) });
  const action = (payload.actions as Record<string, unknown>[])[0]!;
  action.action_id = actionId;
  if (value === undefined) delete action.value; else action.value = value;
  Object.assign(action, o.action ?? {});
  const res = await postSigned(`${svc.url}/slack/events`, TEST_SIGNING_SECRET, blockActionsBody(payload));
  const answer = await fake.waitFor((f) => f.callsTo('response_url').find((c) => c.responseUrlId === rid)?.body, o.answerWithinMs ?? 15_000)
    .catch(() => null);
  return { status: res.status, answer: answer as { response_type?: string; text?: string; replace_original?: boolean } | null };
}

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: CHANNEL, name: 'incident' }, { id: OTHER, name: 'elsewhere' }],
    users: [APPROVER, OUTSIDER].map((id) => ({ id, name: id.toLowerCase() })) });
  db = await createTestDatabase('attack_buttons');
  env = serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath, extra: { ACTION_APPROVERS: APPROVER } });
  svc = await startService(env);
  const slash = await postSigned(`${svc.url}/slack/events`, TEST_SIGNING_SECRET,
    slashCommandBody({ text: HOST, channel_id: CHANNEL, user_id: APPROVER, response_url: fake.responseUrl('slash', { channel: CHANNEL, user: APPROVER }) }));
  expect(slash.status).toBe(200);
  const reply = await fake.waitFor((f) => f.messages(CHANNEL).flatMap((m) => m.replies)
    .find((r) => buttonsOf(r).some((b) => b.action_id === 'diagbot_rollback') && buttonsOf(r).some((b) => b.action_id === 'diagbot_rerun')), 60_000);
  offerId = buttonsOf(reply).find((b) => b.action_id === 'diagbot_rollback')!.value;
  diagnosisId = buttonsOf(reply).find((b) => b.action_id === 'diagbot_rerun')!.value;
  messageTs = reply.ts;
}, 120_000);

afterAll(async () => {
  await svc?.stop();
  await fake?.close();
  await db?.drop();
  if (env) await deleteRedisPrefix(env.QUEUE_PREFIX!);
});

describe('button presses that did not come from diagbot', () => {
  it('refuses each hostile value, action id and sender ephemerally, and runs nothing', async () => {
    expect(offerId).toMatch(/^act_[A-Za-z0-9_-]{22}$/);
    expect(diagnosisId).toMatch(/^[1-9]\d*$/);
    const releaseBefore = release();
    const diagnosesBefore = await count('SELECT count(*)::int AS n FROM diagnoses');
    const repliesBefore = fake.messages(CHANNEL).flatMap((m) => m.replies).length;
    const touch = (n: number) => `$(touch /tmp/${CANARY}-${n})`;
    const swapChar = (s: string, i: number, c: string) => `${s.slice(0, i)}${c}${s.slice(i + 1)}`;

    const hostileOffer: unknown[] = [
      `${offerId} `, ` ${offerId}`, `${offerId}\n`, `${offerId}\r\n`, `${offerId}\u0000`, offerId.toUpperCase(), offerId.slice(0, -1), `${offerId}A`,
      swapChar(offerId, 10, '/'), swapChar(offerId, 10, '+'), swapChar(offerId, 10, '='), swapChar(offerId, 10, '.'), swapChar(offerId, 0, '\u0430'),
      `act_${'A'.repeat(22)}`, `act_${'-'.repeat(22)}`, `act_../../../../etc/passwd__`, `${offerId}' OR '1'='1`, `${offerId};${touch(1)}`,
      `-oProxyCommand=${touch(2)}`, `%61ct_${offerId.slice(4)}`, `act_${offerId.slice(4)}\u200b`, 'act_', '', 'x'.repeat(10_240),
      '__proto__', 'constructor', null, undefined, 1, 0, true, [offerId], { id: offerId }, { toString: offerId },
    ];
    const hostileRerun: unknown[] = [
      `${diagnosisId} `, ` ${diagnosisId}`, `0${diagnosisId}`, `+${diagnosisId}`, `-${diagnosisId}`, `${diagnosisId}.0`, `${diagnosisId}e0`,
      `0x${Number(diagnosisId).toString(16)}`, `${diagnosisId};${touch(3)}`, `${diagnosisId}\n`, `${diagnosisId}\u0000`,
      diagnosisId.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))), diagnosisId.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d))),
      '9999999999999999', '0', '', '1'.repeat(10_240), `${diagnosisId} OR 1=1`, `(${diagnosisId})`, offerId,
      Number(diagnosisId), [diagnosisId], { id: diagnosisId }, { toString: diagnosisId }, null, undefined, true,
    ];
    const hostileActionIds: unknown[] = [
      'diagbot_rollback ', ' diagbot_rollback', 'DIAGBOT_ROLLBACK', 'diagbot_rollback\n', 'diagbot_rollbacks', 'diagbot_r\u043ellback',
      'diagbot_rollback\u0000', 'diagbot_rerun;touch', 'diagbot_kill_idle_connections\u200b', 'diagbot_(rollback)', 'diagbot_rollback|diagbot_rerun',
      '.*', '', '__proto__', 'constructor', `diagbot_rollback${touch(4)}`,
    ];

    const results: Array<{ what: string; status: number; answer: string | null; ephemeral: boolean }> = [];
    const record = async (what: string, p: ReturnType<typeof press>) => {
      const r = await p;
      results.push({ what, status: r.status, answer: r.answer?.text ?? null, ephemeral: r.answer?.response_type === 'ephemeral' && r.answer.replace_original === false });
    };
    for (const actionId of ['diagbot_rollback', 'diagbot_kill_idle_connections']) {
      for (const v of hostileOffer) await record(`${actionId} value ${JSON.stringify(v)?.slice(0, 60)}`, press(actionId, v));
    }
    for (const v of hostileRerun) await record(`diagbot_rerun value ${JSON.stringify(v)?.slice(0, 60)}`, press('diagbot_rerun', v));
    for (const id of hostileActionIds) await record(`action_id ${JSON.stringify(id)}`, press(id, offerId));
    // The real offer id, pressed where it does not belong or by someone who may not.
    await record('real offer as kill_idle_connections', press('diagbot_kill_idle_connections', offerId));
    await record('real offer from another channel', press('diagbot_rollback', offerId, { channel: OTHER }));
    await record('real offer by a non-approver', press('diagbot_rollback', offerId, { user: OUTSIDER }));
    await record('real offer as a select menu', press('diagbot_rollback', undefined, { action: { type: 'static_select', selected_option: { value: offerId } } }));
    await record('real diagnosis re-run from another channel', press('diagbot_rerun', diagnosisId, { channel: OTHER }));

    // action_ids that are not even strings never reach a diagbot listener: Bolt's matching fails on them,
    // nothing acks, and Bolt answers 404 after its ack timeout. Nothing runs and nothing is audited.
    const notStrings: unknown[] = [42, null, ['diagbot_rollback'], { toString: 'diagbot_rollback' }];
    const dropped = await Promise.all(notStrings.map((id) => press(id, offerId, { answerWithinMs: 500 })));
    expect(dropped.map((d) => ({ status: d.status, answer: d.answer }))).toEqual(notStrings.map(() => ({ status: 404, answer: null })));

    const total = results.length;
    expect(total).toBeGreaterThan(100);
    expect(results.filter((r) => r.status !== 200 || !r.ephemeral || !/Nothing was run\./.test(r.answer ?? ''))).toEqual([]);
    // A press the handler failed on says so too (and also "Nothing was run."): none may have failed.
    expect({ failed: results.filter((r) => /could not handle this press/.test(r.answer ?? '')), errors: svc.logs.filter((l) => l.msg === 'button press failed') })
      .toEqual({ failed: [], errors: [] });
    expect(results.filter((r) => r.what.startsWith('action_id ')).every((r) => /does not know this button/.test(r.answer!))).toBe(true);
    expect(results.find((r) => r.what === 'real offer by a non-approver')!.answer).toMatch(/may not run remediations/);

    await sleep(1000);
    // Nothing ran: the offer is untouched, no remediation or re-run was queued, the host is as it was.
    expect((await svc.ctx.pool.query('SELECT state, started_by FROM actions WHERE id = $1', [offerId])).rows).toEqual([{ state: 'proposed', started_by: null }]);
    const jobs = await svc.ctx.queues.remediate.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    expect(Object.values(jobs).reduce((n, c) => n + c, 0)).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM diagnoses')).toBe(diagnosesBefore);
    expect(release()).toBe(releaseBefore);
    expect(fake.messages(CHANNEL).flatMap((m) => m.replies)).toHaveLength(repliesBefore);
    // Every refusal is audited as one.
    const audit = (await svc.ctx.pool.query<{ outcome: string }>('SELECT outcome FROM action_audit')).rows.map((r) => r.outcome);
    expect(audit).toHaveLength(total);
    expect(audit.filter((o) => !o.startsWith('refused_'))).toEqual([]);
    expect(readdirSync('/tmp').filter((f) => f.includes(CANARY))).toEqual([]);
    expect(existsSync(join(lab.dir, 'hosts', HOST, 'srv-app', 'current'))).toBe(true);
  });

  it('still runs a press that did come from diagbot (re-run, which only reads)', async () => {
    const before = await count('SELECT count(*)::int AS n FROM diagnoses');
    const r = await press('diagbot_rerun', diagnosisId);
    expect(r.status).toBe(200);
    expect(r.answer?.text).toMatch(/Diagnosing bad-deploy again/);
    await expect.poll(() => count('SELECT count(*)::int AS n FROM diagnoses'), { timeout: 10_000 }).toBe(before + 1);
  });
});
