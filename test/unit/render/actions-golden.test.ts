import { describe, expect, it } from 'vitest';
import type { ActionRow } from '../../../src/db/action-store.js';
import type { AuditRow, DiagnosisState, SyncSnapshot } from '../../../src/db/sync-store.js';
import { replyFor } from '../../../src/slack/diagnosis-reply.js';
import { renderActionResult } from '../../../src/slack/render/index.js';
import { actionView } from '../../../src/slack/snapshot-view.js';
import { validateBlocks } from '../../fakes/block-kit-limits.js';
import { expectGolden } from './golden.js';
import { labHost } from './inputs.js';

// Remediation offers, their outcomes and the check that follows, rendered from a stored snapshot
// exactly as the publisher does. The goldens are what an on-call engineer sees and presses.

const T0 = new Date('2026-11-21T01:10:21.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function diagnosis(id: number, scenario: string, extra: Partial<DiagnosisState> = {}): DiagnosisState {
  const result = labHost(scenario, 'web-1', '10.0.3.11');
  return {
    id, host: 'web-1', state: 'done', result, rootCategory: result.rootCause?.category ?? null, reachable: true, error: null,
    durationMs: 812, replyTs: null, trigger: 'initial', actionId: null, requestedBy: null, replyRevision: 1, postedReplyRevision: 0, ...extra,
  };
}

const ROLLBACK_PARAMS = {
  currentLink: '/srv/app/current', releasesDir: '/srv/app/releases', from: '/srv/app/releases/20261121010953',
  to: '/srv/app/releases/20261120190953', restartCommand: 'systemctl restart shop',
};
const POOL_PARAMS = {
  target: 'diagbot@10.0.3.20:5432/app', idleMinSeconds: 30, idleInTransactionMinSeconds: 30,
  connections: Array.from({ length: 17 }, (_, i) => ({
    pid: 41000 + i, user: 'shop', application: i < 2 ? 'reporting' : 'checkout', client: '10.0.3.11',
    state: i % 3 === 0 ? 'idle in transaction' : 'idle', stateSeconds: 95 + i * 7, backendStartUs: String(1795223000000000 + i),
  })),
};

function action(id: string, kind: 'rollback' | 'kill_idle_connections', over: Partial<ActionRow> = {}, audit: AuditRow[] = []): SyncSnapshot['actions'][number] {
  return {
    id, incidentId: 42, diagnosisId: 1, host: 'web-1', kind, params: kind === 'rollback' ? ROLLBACK_PARAMS : POOL_PARAMS, state: 'proposed',
    expiresAt: at(1800), startedBy: null, startedAt: null, executedAt: null, finishedAt: null, result: null, resultTs: null, ...over, audit,
  };
}

function snapshot(diagnoses: DiagnosisState[], actions: SyncSnapshot['actions']): SyncSnapshot {
  return {
    incident: {
      id: 42, source: 'slash', channel: 'C0INCIDENT', title: 'Diagnosing web-1', status: 'firing', requestedBy: 'U0ALICE', responseUrl: null,
      unmatchedHosts: [], parentTs: '1.0', revision: 3, postedRevision: 2, resolvedReplyTs: null, slackError: null,
      createdAt: T0.toISOString(), resolvedAt: null,
    },
    alerts: [], alertCount: 0, diagnoses, actions,
  };
}

const ROLLBACK_ID = 'act_Rb0000000000000000000A';
const POOL_ID = 'act_Pk0000000000000000000A';

const AUDIT: AuditRow[] = [
  { at: at(60).toISOString(), userId: 'U0MALLORY', outcome: 'refused_unauthorized', detail: 'not in ACTION_APPROVERS', durationMs: null },
  { at: at(65).toISOString(), userId: 'U0ALICE', outcome: 'started', detail: null, durationMs: null },
  { at: at(66).toISOString(), userId: 'U0BOB', outcome: 'refused_taken', detail: 'state running, started by U0ALICE', durationMs: null },
  { at: at(69).toISOString(), userId: 'U0ALICE', outcome: 'succeeded', detail: 'Rolled back web-1 from 20261121010953 to 20261120190953 and restarted the app.', durationMs: 3120 },
];

/** Remediation and re-run buttons; the feedback row (its own actions block) is tested in feedback-golden.test.ts. */
function buttonsOf(msg: { blocks: unknown[] }): { action_id: string; value: string; confirm?: { text: { text: string } } }[] {
  return (msg.blocks as { type: string; block_id?: string; elements?: unknown[] }[])
    .filter((b) => b.type === 'actions' && !b.block_id?.startsWith('diagbot_feedback_')).flatMap((b) => b.elements as never[]);
}

describe('remediation offers (golden)', () => {
  it('bad_deploy with an open rollback offer: preview, confirm dialog and re-run', () => {
    const msg = replyFor(diagnosis(1, 'bad-deploy'), snapshot([diagnosis(1, 'bad-deploy')], [action(ROLLBACK_ID, 'rollback')]))!;
    expectGolden('reply-rollback-offer', msg);
    expect(validateBlocks(msg.blocks)).toEqual([]);
    const buttons = buttonsOf(msg);
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([['diagbot_rollback', ROLLBACK_ID], ['diagbot_rerun', '1']]);
    expect(buttons[0]!.confirm!.text.text).toMatch(/20261121010953 to 20261120190953.*systemctl restart shop.*checked again/);
  });

  it('db_pool_exhaustion with an open offer listing the connections to end', () => {
    const msg = replyFor(diagnosis(1, 'pool-exhausted'), snapshot([diagnosis(1, 'pool-exhausted')], [action(POOL_ID, 'kill_idle_connections')]))!;
    expectGolden('reply-pool-kill-offer', msg);
    expect(validateBlocks(msg.blocks)).toEqual([]);
    expect(JSON.stringify(msg.blocks)).toContain('41000');
    expect(buttonsOf(msg)[0]!.confirm!.text.text.length).toBeLessThanOrEqual(300);
  });

  it('once pressed, the button is gone and the reply says who started it', () => {
    const running = action(ROLLBACK_ID, 'rollback', { state: 'running', startedBy: 'U0ALICE', startedAt: at(65) });
    const msg = replyFor(diagnosis(1, 'bad-deploy'), snapshot([diagnosis(1, 'bad-deploy')], [running]))!;
    expect(buttonsOf(msg).map((b) => b.action_id)).toEqual(['diagbot_rerun']);
    expect(JSON.stringify(msg.blocks)).toMatch(/Rollback\* started by <@U0ALICE>.*running/);
  });

  it('the outcome message carries the audit trail', () => {
    const done = action(ROLLBACK_ID, 'rollback', {
      state: 'succeeded', startedBy: 'U0ALICE', startedAt: at(65), finishedAt: at(69),
      result: { summary: 'Rolled back web-1 from 20261121010953 to 20261120190953 and restarted the app (`systemctl restart shop` exited 0 in 2310 ms).' },
    }, AUDIT);
    const msg = renderActionResult(actionView(done), { incidentId: 42 });
    expectGolden('action-result-rollback', msg);
    expect(validateBlocks(msg.blocks)).toEqual([]);
    expect(msg.text).not.toMatch(/<@|<!date/);
  });

  it('a burst of refused double clicks collapses to one counted line, keeping who ran it in view', () => {
    const burst: AuditRow[] = [AUDIT[0]!, AUDIT[1]!, ...Array.from({ length: 19 }, (_, i) => ({ ...AUDIT[2]!, userId: i % 2 ? 'U0ALICE' : 'U0BOB' })), AUDIT[3]!];
    const done = action(ROLLBACK_ID, 'rollback', { state: 'succeeded', startedBy: 'U0ALICE', startedAt: at(65), finishedAt: at(69) }, burst);
    const text = JSON.stringify(renderActionResult(actionView(done)).blocks);
    expect(text).toMatch(/refused_unauthorized.*started.*`refused_taken` ×19 \(<@U0BOB> ×10, <@U0ALICE> ×9\).*succeeded/);
    expect(text).not.toContain('not shown');
  });

  it('an unknown outcome asks for a check by hand', () => {
    const lost = action(ROLLBACK_ID, 'rollback', { state: 'unknown', startedBy: 'U0ALICE', startedAt: at(65), finishedAt: at(90),
      result: { summary: 'The worker running this action stopped before reporting how it ended: verify the host by hand.' } });
    const text = JSON.stringify(renderActionResult(actionView(lost)).blocks);
    expect(text).toMatch(/Verify by hand.*readlink -f \/srv\/app\/current.*will not run this action again/);
  });

  it('the check after a rollback shows before/after and whether the root cause is gone', () => {
    const done = action(ROLLBACK_ID, 'rollback', { state: 'succeeded', startedBy: 'U0ALICE', startedAt: at(65), finishedAt: at(69) });
    const before = diagnosis(1, 'healthy');
    const origin = { ...diagnosis(1, 'bad-deploy'), replyTs: '2.0', postedReplyRevision: 2, replyRevision: 2 };
    const after = diagnosis(2, 'healthy', { trigger: 'after_action', actionId: ROLLBACK_ID, requestedBy: 'U0ALICE' });
    const msg = replyFor(after, snapshot([origin, after], [done]))!;
    expect(before.result).toBeTruthy();
    expectGolden('reply-after-rollback', msg);
    const text = JSON.stringify(msg.blocks);
    expect(text).toMatch(/Check after the rollback by <@U0ALICE>/);
    expect(text).toMatch(/Root cause `bad_deploy` is \*gone\*/);
    expect(text).toMatch(/5xx: 24 of 58 requests in 60 min before → 0 of \d+ requests in 60 min since/);
  });

  it('escapes what a host or inventory could inject into an offer', () => {
    const hostile = action(ROLLBACK_ID, 'rollback', { params: { ...ROLLBACK_PARAMS, restartCommand: 'echo <!channel> ``` <https://evil|x> token=abcd1234secret' } });
    const msg = replyFor(diagnosis(1, 'bad-deploy'), snapshot([diagnosis(1, 'bad-deploy')], [hostile]))!;
    const text = JSON.stringify(msg.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil|x>');
    expect(text).not.toContain('abcd1234secret');
  });
});
