import { describe, expect, it } from 'vitest';
import { calibrateFindings } from '../../../src/core/calibrate-confidence.js';
import { buildAccuracyReport, hostResources } from '../../../src/core/report/index.js';
import type { IncidentView } from '../../../src/core/report/index.js';
import { renderHostFindings, renderIncidentParent } from '../../../src/slack/render/index.js';
import { renderAccuracy } from '../../../src/slack/render/render-accuracy.js';
import { FEEDBACK_CHOICES, type FeedbackAnswerView } from '../../../src/slack/render/render-feedback.js';
import { parseFeedbackAction } from '../../../src/web/feedback-actions.js';
import { validateBlocks } from '../../fakes/block-kit-limits.js';
import { expectGolden } from './golden.js';
import { labHost, unreachableHost } from './inputs.js';

// The feedback row and tally, a calibrated confidence, the shared-cause parent and the accuracy
// answer, as people see them. Read the JSON in test/fixtures/golden/ when one changes.

const ANSWERS: FeedbackAnswerView[] = [
  { userId: 'U0ALICE', verdict: 'confirmed', correctedTo: null, at: '2026-11-21T01:12:00Z' },
  { userId: 'U0CAROL', verdict: 'confirmed', correctedTo: null, at: '2026-11-21T01:12:30Z' },
  { userId: 'U0BOB', verdict: 'corrected', correctedTo: 'dependency_down', at: '2026-11-21T01:13:00Z' },
];

type Block = { type: string; block_id?: string; elements?: { type: string; action_id: string; value?: string; options?: { value: string }[] }[]; text?: { text: string } };
const feedbackBlock = (blocks: unknown[]) => (blocks as Block[]).find((b) => b.block_id?.startsWith('diagbot_feedback_'));

describe('feedback row (golden)', () => {
  it('db_pool_exhaustion reply with answers: tally in the context line, right / wrong row', () => {
    const msg = renderHostFindings(labHost('pool-exhausted', 'web-1', '10.0.3.11'), { incidentId: 42, feedback: { diagnosisId: 17, answers: ANSWERS } });
    expectGolden('reply-feedback-pool', msg);
    expect(validateBlocks(msg.blocks)).toEqual([]);
    const context = (msg.blocks as Block[]).find((b) => b.type === 'context') as unknown as { elements: { text: string }[] };
    expect(context.elements[0]!.text).toMatch(/confirmed by <@U0ALICE>, <@U0CAROL> · corrected by <@U0BOB> \(→ `dependency_down`\)$/);
    const row = feedbackBlock(msg.blocks)!;
    const [right, wrong] = row.elements!;
    expect(parseFeedbackAction(right!.action_id, right)).toEqual({ ok: true, diagnosisId: 17, verdict: 'confirmed', correctedTo: null });
    // Every choice but the category diagnosed, and each parses back to what it says.
    const values = wrong!.options!.map((o) => o.value);
    expect(values).toHaveLength(FEEDBACK_CHOICES.length - 1);
    expect(values).not.toContain('17:db_pool_exhaustion');
    expect(values.map((v) => parseFeedbackAction(wrong!.action_id, { selected_option: { value: v } })))
      .toContainEqual({ ok: true, diagnosisId: 17, verdict: 'corrected', correctedTo: 'no_problem' });
  });

  it('a category people corrected often says so next to its confidence', () => {
    const input = labHost('pool-exhausted', 'web-1', '10.0.3.11');
    const before = input.findings.find((f) => f.role === 'root_cause')!.confidence;
    input.findings = calibrateFindings(input.findings, { db_pool_exhaustion: { confirmed: 3, corrected: 9 } });
    const msg = renderHostFindings(input, { incidentId: 42, feedback: { diagnosisId: 18, answers: [] } });
    expectGolden('reply-feedback-calibrated', msg);
    const text = JSON.stringify(msg.blocks);
    expect(before).toBe(0.95);
    expect(text).toContain('confidence 0.57 (right 3 of 12 times here)');
    const once = renderHostFindings({ ...input, findings: calibrateFindings(labHost('pool-exhausted', 'web-1', '10.0.3.11').findings, { db_pool_exhaustion: { confirmed: 0, corrected: 1 } }) });
    expect(JSON.stringify(once.blocks)).toContain('confidence 0.86 (built-in 0.95, 1 answer here)');
  });

  it('healthy hosts can be told they missed a cause; unreachable ones get no row', () => {
    const healthy = renderHostFindings(labHost('healthy', 'web-4', '10.0.3.14'), { feedback: { diagnosisId: 5, answers: [] } });
    const row = feedbackBlock(healthy.blocks)!;
    expect(JSON.stringify(row)).toContain('Right: nothing wrong');
    expect(row.elements![1]!.options!.map((o) => o.value)).not.toContain('5:no_problem');
    expect(validateBlocks(healthy.blocks)).toEqual([]);
    expect(feedbackBlock(renderHostFindings(unreachableHost(), { feedback: { diagnosisId: 6, answers: ANSWERS } }).blocks)).toBeUndefined();
    expect(JSON.stringify(renderHostFindings(unreachableHost(), { feedback: { diagnosisId: 6, answers: ANSWERS } }).blocks)).not.toContain('confirmed by');
  });

  it('refuses values that did not come from the row', () => {
    for (const [id, action] of [
      ['diagbot_feedback_right', { value: '0' }], ['diagbot_feedback_right', { value: '17; rm -rf /' }], ['diagbot_feedback_right', { value: 17 }],
      ['diagbot_feedback_wrong', { selected_option: { value: '17:not_a_category' } }], ['diagbot_feedback_wrong', { selected_option: { value: '17' } }],
      ['diagbot_feedback_wrong', { value: '17:disk_full' }], ['diagbot_feedback_wrong', { selected_option: { value: '17:host_unreachable' } }],
    ] as const) expect(parseFeedbackAction(id, action as never).ok).toBe(false);
  });
});

const pool = (url: string, host: string) => hostResources({ host, postgresUrl: url });

describe('shared cause in the parent (golden)', () => {
  it('one cause on one database for 3 of 5 hosts, said once, then hosts grouped by cause', () => {
    const db1 = 'postgres://diag:pw@db-1/orders';
    const summary = 'Database connections exhausted: 20/20 connections in use.';
    const view: IncidentView = {
      id: 43, source: 'alertmanager', title: 'CheckoutErrors', status: 'firing', createdAt: '2026-11-21T01:10:05Z',
      alerts: [{ name: 'CheckoutErrors', status: 'firing', startsAt: '2026-11-21T01:10:00Z', labels: { alertname: 'CheckoutErrors', service: 'checkout' }, summary: '5xx above 5%' }],
      hosts: [
        ...['web-1', 'web-2', 'web-3'].map((h) => ({ host: h, state: 'done' as const, reachable: true, durationMs: 800,
          rootCause: { category: 'db_pool_exhaustion' as const, summary }, resources: pool(db1, h) })),
        { host: 'web-4', state: 'done', reachable: true, durationMs: 700, rootCause: { category: 'disk_full', summary: '/srv at 100%' }, resources: pool(db1, 'web-4') },
        { host: 'web-5', state: 'done', reachable: true, durationMs: 650, rootCause: null, resources: [] },
      ],
    };
    const msg = renderIncidentParent(view);
    expectGolden('incident-shared-cause', msg);
    const text = JSON.stringify(msg.blocks);
    expect(text).toContain('`db_pool_exhaustion` on db-1/orders — 3 of 5 hosts*: web-1, web-2, web-3');
    expect(text).not.toContain('pw');
    expect(text.indexOf('on db-1/orders')).toBeLessThan(text.indexOf('*web-1*'));
    expect(text.indexOf('*`disk_full`* (1 host)')).toBeGreaterThan(text.indexOf('*web-3*'));
  });
});

describe('/diagnose accuracy (golden)', () => {
  it('the table in a code block, for the one who asked', () => {
    const r = buildAccuracyReport(new Date('2026-11-01T00:00:00Z'),
      [{ category: 'db_pool_exhaustion', count: 5 }, { category: 'bad_deploy', count: 2 }],
      [{ category: 'db_pool_exhaustion', verdict: 'confirmed', correctedTo: null, count: 3 },
        { category: 'db_pool_exhaustion', verdict: 'corrected', correctedTo: 'dependency_down', count: 1 }]);
    const msg = renderAccuracy(r, '30d');
    expectGolden('accuracy-ephemeral', msg);
    expect(JSON.stringify(msg.blocks)).toContain('db_pool_exhaustion          5          3          1        75%  dependency_down ×1');
  });
});
