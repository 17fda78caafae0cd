import type { App, BlockAction, RespondFn } from '@slack/bolt';
import type pg from 'pg';
import { audit, auditRefusal, claimAction, finishAction, isActionId, loadAction, type ActionKind } from '../db/action-store.js';
import { queueRerun } from '../db/diagnosis-store.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { JobQueues } from '../queue/job-queues.js';
import type { ApproverDecision } from '../slack/approvers.js';
import { userMention } from '../slack/render/mrkdwn.js';
import { ACTION_IDS } from '../slack/render/render-actions.js';
import { withTimeout } from '../util/with-timeout.js';

// Button presses. Thin on purpose: ack at once, validate, authorize, claim in Postgres, enqueue,
// answer the presser ephemerally. Nothing from the payload but an opaque id (or a diagnosis
// number) is used, and it only ever selects a row; the row says what may run.

export interface ActionButtonDeps {
  pool: pg.Pool;
  queues: JobQueues;
  log: Logger;
  metrics: Metrics;
  isApprover: (userId: string) => Promise<ApproverDecision>;
}

const RESPOND_TIMEOUT_MS = 5000;
const KIND_BY_ACTION_ID: Record<string, ActionKind> = { [ACTION_IDS.rollback]: 'rollback', [ACTION_IDS.kill_idle_connections]: 'kill_idle_connections' };
const VERB: Record<ActionKind, string> = { rollback: 'Rollback', kill_idle_connections: 'Ending idle connections', rerun_diagnosis: 'Re-run' };
const NOTHING_RAN = 'Nothing was run.';

interface Press { user: string; channel: string | null; actionId: string; value: unknown; tell: (text: string) => Promise<void> }

/** Payload fields are whatever the sender put there: only strings are taken as they are. */
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function press(body: BlockAction, respond: RespondFn, log: Logger): Press {
  const action = body.actions?.[0] as { action_id?: unknown; value?: unknown } | undefined;
  return {
    user: str(body.user?.id) ?? 'unknown',
    channel: str(body.channel?.id) ?? str(body.container?.channel_id),
    actionId: str(action?.action_id) ?? '',
    value: action?.value,
    tell: (text) => withTimeout(respond({ response_type: 'ephemeral', replace_original: false, text }), RESPOND_TIMEOUT_MS, 'response_url')
      .then(() => undefined).catch((err: unknown) => log.warn({ err }, 'could not answer the button press')),
  };
}

/** For the audit: what was sent, quoted and cut; never calls the value's own methods. */
function clip(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(typeof v)).slice(0, 80);
  } catch {
    return `<${typeof v}>`;
  }
}
const when = (d: Date | null) => (d ? ` at ${d.toISOString().slice(11, 19)} UTC` : '');

async function remediation(deps: ActionButtonDeps, p: Press): Promise<void> {
  const kind = KIND_BY_ACTION_ID[p.actionId]!;
  const refuse = async (id: string | null, outcome: string, why: string, text: string) => {
    deps.metrics.actions.inc({ kind, outcome });
    await auditRefusal(deps.pool, id, p.user, outcome, why);
    await p.tell(text);
  };
  if (!isActionId(p.value)) {
    return refuse(null, 'refused_invalid', `malformed value ${clip(p.value)} on ${p.actionId}`,
      `:warning: This button is not valid: it did not come from diagbot, or it was altered. ${NOTHING_RAN}`);
  }
  const id = p.value;
  const found = await loadAction(deps.pool, id);
  if (!found) return refuse(id, 'refused_unknown', `no such action ${id}`, `:warning: This action does not exist. ${NOTHING_RAN}`);
  if (found.kind !== kind || found.channel !== p.channel) {
    return refuse(id, 'refused_mismatch', `pressed as ${p.actionId} in ${clip(p.channel)}; offered as ${found.kind} in ${found.channel}`,
      `:warning: This button does not belong to this message. ${NOTHING_RAN}`);
  }
  const decision = await deps.isApprover(p.user);
  if (!decision.allowed) {
    return refuse(id, 'refused_unauthorized', decision.reason,
      `:no_entry: You may not run remediations (${decision.reason}). Ask someone listed in ACTION_APPROVERS. ${NOTHING_RAN}`);
  }
  const claim = await claimAction(deps.pool, id, p.user);
  if (!claim.ok) {
    deps.metrics.actions.inc({ kind, outcome: `refused_${claim.reason}` });
    if (claim.revision !== null && claim.action) await deps.queues.addSlackSync(claim.action.incidentId, claim.revision);
    const a = claim.action;
    const withdrawn = typeof a?.result?.summary === 'string' && a.result.summary.startsWith('Withdrawn');
    const text = claim.reason === 'expired' && withdrawn
      ? `:clock3: This offer was replaced by a newer one further down the thread; use that one. ${NOTHING_RAN}`
      : claim.reason === 'expired'
      ? `:clock3: This offer expired${a ? when(a.expiresAt) : ''}: the host may have changed since. Press *Re-run diagnosis* for a fresh one. ${NOTHING_RAN}`
      : claim.reason === 'taken' && a
        ? `:information_source: ${VERB[a.kind]} was already started by ${userMention(a.startedBy ?? 'someone')}${when(a.startedAt)} (now ${a.state}); it runs once. ${NOTHING_RAN}`
        : `:warning: This action cannot be run. ${NOTHING_RAN}`;
    return p.tell(text);
  }
  deps.metrics.actions.inc({ kind, outcome: 'started' });
  try {
    await deps.queues.addRemediation(id, claim.action.incidentId);
  } catch (err) {
    deps.log.error({ err, actionId: id, incidentId: claim.action.incidentId }, 'could not queue a claimed remediation');
    const f = await finishAction(deps.pool, id, 'failed', 'The job queue was unavailable, so the action was never started; nothing was done.', {}, { durationMs: 0, by: 'diagbot' });
    if (f) await deps.queues.addSlackSync(f.action.incidentId, f.revision).catch(() => undefined);
    return p.tell(`:x: diagbot could not queue this action (its queue is unavailable). ${NOTHING_RAN} Try again in a minute.`);
  }
  await deps.queues.addSlackSync(claim.action.incidentId, claim.revision);
  deps.log.info({ actionId: id, incidentId: claim.action.incidentId, kind, user: p.user, host: claim.action.host }, 'remediation claimed');
  await p.tell(`:hourglass_flowing_sand: ${VERB[kind]} on ${claim.action.host} started; the outcome and a before/after check will be posted in this thread.`);
}

async function rerun(deps: ActionButtonDeps, p: Press): Promise<void> {
  const value = typeof p.value === 'string' && /^[1-9]\d{0,14}$/.test(p.value) ? Number(p.value) : null;
  const subject = { id: null, kind: 'rerun_diagnosis' as const };
  if (value === null || !p.channel) {
    deps.metrics.actions.inc({ kind: 'rerun_diagnosis', outcome: 'refused_invalid' });
    await audit(deps.pool, subject, p.user, 'refused_invalid', { detail: `malformed value ${clip(p.value)} on ${p.actionId}` });
    return p.tell(`:warning: This button is not valid: it did not come from diagbot, or it was altered. ${NOTHING_RAN}`);
  }
  const r = await queueRerun(deps.pool, value, p.channel, p.user);
  deps.metrics.actions.inc({ kind: 'rerun_diagnosis', outcome: r.status });
  if (r.status === 'not_found') {
    await audit(deps.pool, subject, p.user, 'refused_mismatch', { detail: `no diagnosis ${value} in ${clip(p.channel)}` });
    return p.tell(`:warning: This button does not belong to this message. ${NOTHING_RAN}`);
  }
  if (r.status === 'in_flight') return p.tell(':information_source: A diagnosis of this host is already queued or running; its findings will be posted in this thread.');
  await audit(deps.pool, { ...subject, incidentId: r.incidentId, host: r.host }, p.user, 'started', { detail: `re-run of diagnosis ${value}` });
  await Promise.all([deps.queues.addDiagnoses(r.incidentId, [{ id: r.id, host: r.host }]), deps.queues.addSlackSync(r.incidentId, r.revision)]);
  await p.tell(`:mag: Diagnosing ${r.host} again; the findings will be posted in this thread.`);
}

const KNOWN = new Set<string>(Object.values(ACTION_IDS));

export function registerActionButtons(app: App, deps: ActionButtonDeps): void {
  const handle = (fn: (deps: ActionButtonDeps, p: Press) => Promise<void>) =>
    async ({ ack, body, respond }: { ack: () => Promise<void>; body: BlockAction; respond: RespondFn }) => {
      // Slack wants the ack within 3 s; everything else happens after it.
      await ack();
      const p = press(body, respond, deps.log);
      try {
        await fn(deps, p);
      } catch (err) {
        deps.log.error({ err, user: p.user, actionId: p.actionId }, 'button press failed');
        await p.tell(`:x: diagbot could not handle this press (its database or queue is unavailable). ${NOTHING_RAN} Try again in a minute.`);
      }
    };
  app.action<BlockAction>({ type: 'block_actions', action_id: new RegExp(`^(${ACTION_IDS.rollback}|${ACTION_IDS.kill_idle_connections})$`) }, handle(remediation));
  app.action<BlockAction>({ type: 'block_actions', action_id: ACTION_IDS.rerun }, handle(rerun));
  // Anything else that claims to be a button of ours is answered, audited, and runs nothing.
  // (Not matching the known ids: two listeners acking one request would be an error.)
  const unknown = new RegExp(`^(?!(?:${[...KNOWN].join('|')})$)`);
  app.action<BlockAction>({ type: 'block_actions', action_id: unknown }, handle(async (d, p) => {
    d.metrics.actions.inc({ kind: 'unknown', outcome: 'refused_invalid' });
    await audit(d.pool, { id: null }, p.user, 'refused_invalid', { detail: `unknown action_id ${clip(p.actionId)}` });
    await p.tell(`:warning: diagbot does not know this button. ${NOTHING_RAN}`);
  }));
}
