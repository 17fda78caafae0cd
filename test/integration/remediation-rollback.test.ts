import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { startDiagbotProcess, type DiagbotProcess } from '../helpers/diagbot-process.js';
import { serviceEnv, startService, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import {
  actionState, APPROVER, APPROVERS_ENV, auditOutcomes, buttonsOf, FAKE_USERGROUPS, FAKE_USERS, flat, GROUP_APPROVER, OUTSIDER,
  RemediationDriver, waitForState,
} from '../helpers/remediation-flow.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { currentRelease, holdMutableHost, httpStatuses, redeployBad, releases, restartCount } from '../lab/remediation-lab.js';

// Rollback from a Slack thread on a real lab host (sshd + nginx + app in its own namespace):
// the symlink really moves, the app really restarts, nginx really stops answering 500 — and no
// press, retry, replay or crash makes it run twice. Tests run in order: each leaves the host in
// the state the next one expects.

const lab = inject('lab');
const HOST = 'rollback';
const INCIDENT = 'C0INCIDENT';
const CRASH_CHANNEL = 'C0CRASH';
const OTHER = 'C0OTHER';

let fake: FakeSlack;
let db: TestDatabase;
let svc: ServiceUnderTest;
let driver: RemediationDriver;
let releaseHost: (() => Promise<void>) | undefined;

const extra = { ACTION_APPROVERS: APPROVERS_ENV, ACTION_SETTLE_MS: '3000' };

beforeAll(async () => {
  // No other file or borrowing run may change this host while these tests do.
  releaseHost = await holdMutableHost(lab, HOST, 180_000);
  fake = await startFakeSlack({
    channels: [{ id: INCIDENT, name: 'incident' }, { id: CRASH_CHANNEL, name: 'crash' }, { id: OTHER, name: 'other' }],
    users: FAKE_USERS, usergroups: FAKE_USERGROUPS,
  });
  db = await createTestDatabase('rollback');
  svc = await startService(serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath, extra }));
  driver = new RemediationDriver(fake, () => svc.url, INCIDENT);
});

afterAll(async () => {
  await svc?.stop();
  await fake?.close();
  await db?.drop();
  await releaseHost?.();
});

describe('rollback button', () => {
  let firstOfferId = '';
  let firstRerunValue = '';

  it('one approved press of 20 rolls the host back once; the 500s stop; the thread shows outcome, audit and before/after', async () => {
    const [bad, good] = await releases(lab, HOST);
    // A borrowed lab may have been rolled back by an earlier run: deploy the bad release again.
    if (await currentRelease(lab, HOST) !== bad) await redeployBad(lab, HOST);
    expect(await currentRelease(lab, HOST)).toBe(bad);
    expect(await httpStatuses(lab, HOST, '/api/products', 5)).toEqual({ 500: 5 });
    const restarts = await restartCount(lab, HOST);

    expect((await driver.slash(HOST)).status).toBe(200);
    const { parent, reply, button } = await driver.button(HOST, 'diagbot_rollback');
    firstOfferId = button.value;
    firstRerunValue = buttonsOf(reply).find((b) => b.action_id === 'diagbot_rerun')!.value;
    expect(button.value).toMatch(/^act_[A-Za-z0-9_-]{22}$/);
    // The preview says exactly what will happen: from which release to which, and the restart.
    expect(flat(reply)).toContain(`Proposed: roll back ${HOST}`);
    expect(button.confirm!.text.text).toContain(`from ${bad} to ${good}`);
    expect(button.confirm!.text.text).toContain('/srv/app/bin/restart');

    const outsider = await driver.press('diagbot_rollback', button.value, OUTSIDER);
    expect(outsider.status).toBe(200);
    expect(await driver.answer(outsider.rid)).toMatch(/may not run remediations \(not in ACTION_APPROVERS\).*Nothing was run/);
    expect((await actionState(svc.ctx.pool, button.value)).state).toBe('proposed');

    // Double clicks and two approvers at once (one listed by id, one through a user group).
    const presses = await Promise.all(Array.from({ length: 20 }, (_, i) => driver.press('diagbot_rollback', button.value, i % 2 ? APPROVER : GROUP_APPROVER)));
    expect(presses.map((p) => p.status)).toEqual(Array(20).fill(200));
    const answers = await Promise.all(presses.map((p) => driver.answer(p.rid)));
    expect(answers.filter((a) => /Rollback on rollback started/.test(a))).toHaveLength(1);
    expect(answers.filter((a) => /already started by <@U0(ALICE|BOB)>/.test(a))).toHaveLength(19);

    const done = await waitForState(svc.ctx.pool, button.value, ['succeeded', 'failed', 'unknown', 'skipped']);
    expect(done.state, JSON.stringify(done.result)).toBe('succeeded');
    expect(await restartCount(lab, HOST)).toBe(restarts + 1);
    expect(await currentRelease(lab, HOST)).toBe(good);
    expect(await httpStatuses(lab, HOST, '/api/products', 5)).toEqual({ 200: 5 });
    expect(await auditOutcomes(svc.ctx.pool, button.value)).toEqual({ refused_unauthorized: 1, started: 1, refused_taken: 19, succeeded: 1 });

    // The thread: the used button is gone from the reply, the outcome with its audit, then the check.
    const thread = await fake.waitFor((f) => {
      const replies = f.thread(INCIDENT, parent.ts);
      const findings = replies.find((r) => r.ts === reply.ts)!;
      const outcome = replies.find((r) => /Audit/.test(flat(r)));
      const check = replies.find((r) => /Check after the rollback/.test(flat(r)));
      return !buttonsOf(findings).some((b) => b.action_id === 'diagbot_rollback') && outcome && check ? { findings, outcome, check } : null;
    }, 60_000);
    expect(flat(thread.findings)).toMatch(/Rollback\* by <@U0(ALICE|BOB)> at .* succeeded/);
    expect(flat(thread.outcome)).toMatch(new RegExp(`Rolled back ${HOST} from ${bad} to ${good}`));
    expect(flat(thread.outcome)).toMatch(/refused_unauthorized.*started.*refused_taken.*succeeded/);
    expect(flat(thread.check)).toMatch(/Root cause `bad_deploy` is \*gone\*/);
    expect(flat(thread.check)).toContain(`Live release: \`${bad}\` → \`${good}\``);

    // A replay of the spent id later on is refused and runs nothing.
    const replay = await driver.press('diagbot_rollback', button.value, APPROVER);
    expect(await driver.answer(replay.rid)).toMatch(/already started by <@U0(ALICE|BOB)>.*now succeeded/);
    expect(await restartCount(lab, HOST)).toBe(restarts + 1);
  });

  it('refuses unknown, altered, misplaced and expired buttons, audits them, and runs nothing', async () => {
    await redeployBad(lab, HOST);
    const restarts = await restartCount(lab, HOST);
    const rerun = await driver.press('diagbot_rerun', firstRerunValue, OUTSIDER);
    expect(await driver.answer(rerun.rid)).toMatch(/Diagnosing rollback again/);
    const fresh = await fake.waitFor((f) => f.messages(INCIDENT).flatMap((m) => m.replies).flatMap(buttonsOf)
      .find((b) => b.action_id === 'diagbot_rollback' && b.value !== firstOfferId), 60_000);

    const cases: [string, string, { channel?: string }, RegExp][] = [
      ['diagbot_rollback', `act_${'A'.repeat(22)}`, {}, /does not exist/],
      ['diagbot_rollback', 'act_x; touch /tmp/diagbot-pwned', {}, /not valid/],
      ['diagbot_kill_idle_connections', fresh.value, {}, /does not belong/],
      ['diagbot_rollback', fresh.value, { channel: OTHER }, /does not belong/],
      ['diagbot_reboot_host', fresh.value, {}, /does not know this button/],
      ['diagbot_rerun', '1 OR 1=1', {}, /not valid/],
    ];
    for (const [actionId, value, opts, expected] of cases) {
      const p = await driver.press(actionId, value, APPROVER, opts);
      expect(p.status).toBe(200);
      expect(await driver.answer(p.rid), `${actionId} ${value}`).toMatch(expected);
    }
    expect((await actionState(svc.ctx.pool, fresh.value)).state).toBe('proposed');

    await svc.ctx.pool.query("UPDATE actions SET expires_at = now() - interval '1 second' WHERE id = $1", [fresh.value]);
    const late = await driver.press('diagbot_rollback', fresh.value, APPROVER);
    expect(await driver.answer(late.rid)).toMatch(/offer expired.*Re-run diagnosis/);
    expect((await actionState(svc.ctx.pool, fresh.value)).state).toBe('expired');
    // The expired button disappears and the reply says so.
    await fake.waitFor((f) => f.messages(INCIDENT).flatMap((m) => m.replies)
      .find((r) => /expired unused/.test(flat(r)) && !buttonsOf(r).some((b) => b.value === fresh.value)), 30_000);

    const refusals = await svc.ctx.pool.query<{ outcome: string }>(
      "SELECT outcome FROM action_audit WHERE user_id = $1 AND outcome LIKE 'refused_%' ORDER BY id", [APPROVER]);
    expect(refusals.rows.map((r) => r.outcome)).toEqual(expect.arrayContaining(['refused_unknown', 'refused_invalid', 'refused_mismatch', 'refused_expired']));
    expect(await restartCount(lab, HOST)).toBe(restarts);
    expect(await currentRelease(lab, HOST)).toBe((await releases(lab, HOST))[0]);
  });
});

describe('a worker killed in the middle of a rollback', () => {
  let web: ServiceUnderTest | undefined;
  const workers: DiagbotProcess[] = [];
  let crashDb: TestDatabase;

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await web?.stop();
    await crashDb?.drop();
  });

  it('leaves the action unknown with "verify by hand", and it never runs again', async () => {
    // The same lab host, with a restart that outlives the worker: restart, then 60 s more.
    const inv = parse(await readFile(lab.inventoryPath, 'utf8'));
    inv.hosts[HOST].deploy.restartCommand = '/srv/app/bin/restart && sleep 60';
    const inventoryPath = join(tmpdir(), `diagbot-crash-inventory-${process.pid}.yaml`);
    await writeFile(inventoryPath, stringify(inv));
    crashDb = await createTestDatabase('crash');
    const env = serviceEnv({ databaseUrl: crashDb.url, slackApiUrl: fake.url, inventoryPath, extra: { ...extra, LOG_LEVEL: 'info' } });
    web = await startService(env, { web: true, worker: false });
    workers.push(await startDiagbotProcess('worker', env));
    const crashDriver = new RemediationDriver(fake, () => web!.url, CRASH_CHANNEL);

    expect(await currentRelease(lab, HOST)).toBe((await releases(lab, HOST))[0]);
    const restarts = await restartCount(lab, HOST);
    await crashDriver.slash(HOST);
    const { parent, button } = await crashDriver.button(HOST, 'diagbot_rollback');
    const p = await crashDriver.press('diagbot_rollback', button.value, APPROVER);
    expect(await crashDriver.answer(p.rid)).toMatch(/started/);

    // Mid-action: the restart has run, the worker is still in the step.
    const deadline = Date.now() + 30_000;
    while ((await restartCount(lab, HOST)) < restarts + 1) {
      if (Date.now() > deadline) throw new Error(`restart never ran: ${JSON.stringify(await actionState(web.ctx.pool, button.value))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const mid = await actionState(web.ctx.pool, button.value);
    expect(mid.state).toBe('running');
    expect(mid.executed_by).toContain(`:${workers[0]!.pid}:`);
    await workers[0]!.stop('SIGKILL');

    // Another worker notices the silence and settles the action; the queue never hands it out again.
    workers.push(await startDiagbotProcess('worker', env));
    const ended = await waitForState(web.ctx.pool, button.value, ['unknown', 'succeeded', 'failed'], 60_000);
    expect(ended.state).toBe('unknown');
    expect(await auditOutcomes(web.ctx.pool, button.value)).toEqual({ started: 1, unknown: 1 });
    await new Promise((r) => setTimeout(r, 6000));
    expect(await restartCount(lab, HOST)).toBe(restarts + 1);
    const job = await web.ctx.queues.remediate.getJob(`action-${button.value}`);
    expect(job?.attemptsMade ?? 0).toBeLessThanOrEqual(1);
    expect(await job?.getState()).not.toBe('completed');

    const outcome = await fake.waitFor((f) => f.thread(CRASH_CHANNEL, parent.ts).find((r) => /Verify by hand/.test(flat(r))), 30_000);
    expect(flat(outcome)).toMatch(/ended in an unknown state.*verify the host by hand/);
  });
});
