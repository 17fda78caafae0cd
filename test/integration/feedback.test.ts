import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/fake-slack.js';
import { serviceEnv, startService, type ServiceUnderTest } from '../helpers/diagbot-service.js';
import { contextLine, FeedbackDriver, feedbackRowOf, RIGHT, shownConfidence } from '../helpers/feedback-flow.js';
import { sample } from '../helpers/prom-text.js';
import { buttonsOf, flat, RemediationDriver } from '../helpers/remediation-flow.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// "Right cause / Wrong cause → …" on a real diagnosis, through signed requests to the real HTTP
// receiver: stored once per person, changeable, shown in the reply, counted by `diagbot accuracy`
// and /metrics, and a correction lowers the category's confidence on the next diagnosis.

const lab = inject('lab');
const CHANNEL = 'C0FEEDBACK';
const OTHER = 'C0ELSEWHERE';
const HOST = 'dependency-down';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
let fake: FakeSlack;
let db: TestDatabase;
let svc: ServiceUnderTest;
let slack: RemediationDriver;
let feedback: FeedbackDriver;
let diagnosisId = '';
let firstConfidence = 0;

const rows = async () => (await svc.ctx.pool.query(
  'SELECT user_id, category, verdict, corrected_to, rules, evidence_sources, changes FROM diagnosis_feedback ORDER BY user_id')).rows;
const audits = async () => (await svc.ctx.pool.query<{ outcome: string; user_id: string }>(
  "SELECT outcome, user_id FROM action_audit WHERE kind = 'feedback' ORDER BY id")).rows;

/** The reply of diagnosis `id` once its context line satisfies `pred`. */
function reply(id: string, pred: (m: FakeMessage) => boolean, timeoutMs = 30_000): Promise<FakeMessage> {
  return fake.waitFor((f) => f.messages(CHANNEL).flatMap((m) => m.replies)
    .find((r) => feedbackRowOf(r)?.some((e) => e.action_id === RIGHT && e.value === id) && pred(r)), timeoutMs);
}

beforeAll(async () => {
  fake = await startFakeSlack({ channels: [{ id: CHANNEL, name: 'feedback' }, { id: OTHER, name: 'elsewhere' }] });
  db = await createTestDatabase('feedback');
  svc = await startService(serviceEnv({ databaseUrl: db.url, slackApiUrl: fake.url, inventoryPath: lab.inventoryPath }));
  slack = new RemediationDriver(fake, () => svc.url, CHANNEL);
  feedback = new FeedbackDriver(fake, () => svc.url, CHANNEL);
});

afterAll(async () => {
  await svc?.stop();
  await fake?.close();
  await db?.drop();
});

describe('feedback on a finding', () => {
  it('is stored once per person, changes when they change it, shows in the reply and refuses replays', async () => {
    expect((await slack.slash(HOST)).status).toBe(200);
    const parent = await slack.thread(HOST, (rs) => rs.some((r) => feedbackRowOf(r) !== undefined), 60_000);
    const first = parent.replies.find((r) => feedbackRowOf(r))!;
    expect(flat(first)).toContain('dependency_down');
    diagnosisId = feedbackRowOf(first)!.find((e) => e.action_id === RIGHT)!.value!;
    firstConfidence = shownConfidence(first)!;
    expect(firstConfidence).toBeGreaterThan(0.5);

    // Alice: right cause. Then the same again (a double click): still one answer.
    const a1 = await feedback.right(diagnosisId, ALICE);
    expect(a1.status).toBe(200);
    expect(await feedback.answer(a1.rid)).toMatch(/Thanks, recorded: `dependency_down` confirmed/);
    await reply(diagnosisId, (r) => contextLine(r).includes(`confirmed by <@${ALICE}>`));
    const a2 = await feedback.right(diagnosisId, ALICE);
    expect(await feedback.answer(a2.rid)).toMatch(/already answered/);
    expect(await rows()).toEqual([{ user_id: ALICE, category: 'dependency_down', verdict: 'confirmed', corrected_to: null,
      rules: ['dependencyDown'], evidence_sources: expect.arrayContaining([lab.hosts['dependency-down']!.appLog]), changes: 0 }]);

    // A captured request sent again is refused by the signature guard and changes nothing.
    const bobWrong = feedback.build('wrong', `${diagnosisId}:upstream_app_error`, BOB);
    expect(await feedback.sendTwice(bobWrong)).toEqual([200, 401]);
    expect(await feedback.answer(bobWrong.rid)).toMatch(/not `dependency_down` but `upstream_app_error`/);

    // Alice changes her mind: the same row, changed, and the tally follows.
    const a3 = await feedback.wrong(diagnosisId, 'no_problem', ALICE);
    expect(await feedback.answer(a3.rid)).toMatch(/Answer changed/);
    const shown = await reply(diagnosisId, (r) => contextLine(r).includes('corrected by') && !contextLine(r).includes('confirmed by'));
    // People in the order they first answered.
    expect(contextLine(shown)).toContain(`corrected by <@${ALICE}>, <@${BOB}> (→ \`no_problem\`, \`upstream_app_error\`)`);
    // The remediation/re-run buttons are still there; the feedback row too.
    expect(buttonsOf(shown).some((b) => b.action_id === 'diagbot_rerun')).toBe(true);
    expect((await rows()).map((r) => [r.user_id, r.verdict, r.corrected_to, r.changes]))
      .toEqual([[ALICE, 'corrected', 'no_problem', 1], [BOB, 'corrected', 'upstream_app_error', 0]]);

    // Every answer is audited, and the reply re-rendered from them (one thread, no new posts).
    expect((await audits()).map((a) => `${a.user_id}:${a.outcome}`))
      .toEqual([`${ALICE}:feedback_confirmed`, `${ALICE}:feedback_unchanged`, `${BOB}:feedback_corrected`, `${ALICE}:feedback_changed`]);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
  });

  it('refuses answers from another channel, forged choices and the category it said, and records nothing', async () => {
    const before = (await rows()).length;
    const elsewhere = await feedback.wrong(diagnosisId, 'disk_full', 'U0MALLORY', OTHER);
    expect(await feedback.answer(elsewhere.rid)).toMatch(/does not belong to this message/);
    const forged = await feedback.wrong(diagnosisId, 'rm -rf', 'U0MALLORY');
    expect(await feedback.answer(forged.rid)).toMatch(/not valid/);
    const same = await feedback.wrong(diagnosisId, 'dependency_down', 'U0MALLORY');
    expect(await feedback.answer(same.rid)).toMatch(/is what diagbot said/);
    expect((await rows()).length).toBe(before);
    expect((await audits()).slice(-3).map((a) => a.outcome)).toEqual(['refused_mismatch', 'refused_invalid', 'refused_same_as_diagnosis']);
  });

  it('is reported by `diagbot accuracy --format json`, /metrics and `/diagnose accuracy`', async () => {
    const cli = await runCli(['accuracy', '--since', '1d', '--format', 'json'], { env: { DATABASE_URL: db.url } });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const report = JSON.parse(cli.stdout) as { since: string; categories: Record<string, unknown>[] };
    expect(Date.now() - Date.parse(report.since)).toBeGreaterThan(86_000_000);
    expect(report.categories).toContainEqual({ category: 'dependency_down', diagnoses: 1, confirmed: 0, corrected: 2, precision: 0,
      correctedTo: { no_problem: 1, upstream_app_error: 1 } });
    const text = await runCli(['accuracy'], { env: { DATABASE_URL: db.url } });
    expect(text.stdout).toMatch(/dependency_down +1 +0 +2 +0% +no_problem ×1, upstream_app_error ×1/);
    expect((await runCli(['accuracy', '--since', 'last week'], { env: { DATABASE_URL: db.url } })).code).toBe(2);

    const metrics = await (await fetch(`${svc.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    expect(sample(metrics, 'diagbot_feedback_total', { category: 'dependency_down', verdict: 'confirmed' })).toBe(1);
    expect(sample(metrics, 'diagbot_feedback_total', { category: 'dependency_down', verdict: 'corrected' })).toBe(2);

    const slash = await slack.slash('accuracy 7d');
    expect(slash.json).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(slash.json)).toMatch(/dependency_down +1 +0 +2 +0%/);
  });

  it('lowers the category\'s shown confidence on the next diagnosis', async () => {
    const press = await slack.press('diagbot_rerun', diagnosisId, ALICE);
    expect(press.status).toBe(200);
    const next = await fake.waitFor((f) => f.messages(CHANNEL).flatMap((m) => m.replies)
      .find((r) => { const v = feedbackRowOf(r)?.find((e) => e.action_id === RIGHT)?.value; return v && v !== diagnosisId ? r : null; }), 60_000);
    expect(flat(next)).toContain('dependency_down');
    const calibrated = shownConfidence(next)!;
    console.log(`dependency_down confidence: ${firstConfidence} before feedback, ${calibrated} after 2 corrections`);
    expect(calibrated).toBeLessThan(firstConfidence);
    expect(contextLine(next)).toMatch(new RegExp(`built-in ${firstConfidence}, 2 answers here`));
    const stored = (await svc.ctx.pool.query("SELECT result FROM diagnoses WHERE trigger = 'rerun'")).rows[0].result;
    expect(stored.findings[0]).toMatchObject({ role: 'root_cause', confidence: calibrated, calibration: { builtIn: firstConfidence, confirmed: 0, corrected: 2 } });
  });
});
