import type { App, BlockAction, RespondFn } from '@slack/bolt';
import type pg from 'pg';
import { auditFeedbackRefusal, recordFeedback, type FeedbackAnswer } from '../db/feedback-store.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { JobQueues } from '../queue/job-queues.js';
import { inlineCode } from '../slack/render/mrkdwn.js';
import { ACTION_IDS } from '../slack/render/render-actions.js';
import { FEEDBACK_CHOICES } from '../slack/render/render-feedback.js';
import { withTimeout } from '../util/with-timeout.js';

// "Right cause" / "Wrong cause → …" on a findings reply. Thin like the buttons: ack, validate,
// record (Postgres), queue the reply's re-render, answer ephemerally. Any channel member may
// answer: it runs nothing. The value only selects a diagnosis in the same channel and one of a
// fixed list of choices; requests are signature-checked and single-use before they get here
// (replay-guard.ts), as every /slack/events request is.

export interface FeedbackDeps { pool: pg.Pool; queues: JobQueues; log: Logger; metrics: Metrics }

const RESPOND_TIMEOUT_MS = 5000;
const DIAGNOSIS_ID = /^[1-9]\d{0,14}$/;
const CHOICES = new Set<string>(FEEDBACK_CHOICES);

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The answer a payload carries, or why it is not one; never trusts more than two short strings. */
export function parseFeedbackAction(actionId: string, action: { value?: unknown; selected_option?: { value?: unknown } } | undefined):
  { ok: true; diagnosisId: number; verdict: FeedbackAnswer['verdict']; correctedTo: string | null } | { ok: false; detail: string } {
  if (actionId === ACTION_IDS.feedback_right) {
    const v = str(action?.value);
    return v !== null && DIAGNOSIS_ID.test(v) ? { ok: true, diagnosisId: Number(v), verdict: 'confirmed', correctedTo: null }
      : { ok: false, detail: `malformed value ${JSON.stringify(v)?.slice(0, 80) ?? 'none'} on ${actionId}` };
  }
  const v = str(action?.selected_option?.value);
  const m = v !== null ? /^([1-9]\d{0,14}):([a-z_]{1,40})$/.exec(v) : null;
  if (!m || !CHOICES.has(m[2]!)) return { ok: false, detail: `malformed option ${JSON.stringify(v)?.slice(0, 80) ?? 'none'} on ${actionId}` };
  return { ok: true, diagnosisId: Number(m[1]), verdict: 'corrected', correctedTo: m[2]! };
}

function tellFn(respond: RespondFn, log: Logger) {
  return (text: string) => withTimeout(respond({ response_type: 'ephemeral', replace_original: false, text }), RESPOND_TIMEOUT_MS, 'response_url')
    .then(() => undefined).catch((err: unknown) => log.warn({ err }, 'could not answer the feedback'));
}

async function handle(deps: FeedbackDeps, body: BlockAction, tell: (text: string) => Promise<void>): Promise<void> {
  const action = body.actions?.[0] as { action_id?: unknown; value?: unknown; selected_option?: { value?: unknown } } | undefined;
  const user = str(body.user?.id) ?? 'unknown';
  const channel = str(body.channel?.id) ?? str(body.container?.channel_id);
  const parsed = parseFeedbackAction(str(action?.action_id) ?? '', action);
  if (!parsed.ok || !channel) {
    await auditFeedbackRefusal(deps.pool, user, 'refused_invalid', parsed.ok ? 'no channel in the payload' : parsed.detail);
    return tell(':warning: This answer is not valid: it did not come from diagbot, or it was altered. Nothing was recorded.');
  }
  const r = await recordFeedback(deps.pool, { diagnosisId: parsed.diagnosisId, channel, userId: user, verdict: parsed.verdict, correctedTo: parsed.correctedTo });
  if (r.status === 'not_found') return tell(':warning: This answer does not belong to this message. Nothing was recorded.');
  if (r.status === 'not_judgeable') return tell(`:information_source: Nothing to judge here: ${r.reason}. Nothing was recorded.`);
  if (r.status === 'same_as_diagnosis') {
    return tell(`:information_source: ${inlineCode(r.category)} is what diagbot said; press *Right cause* to confirm it. Nothing was recorded.`);
  }
  if (r.changed) {
    deps.metrics.feedback.inc({ category: r.category, verdict: parsed.verdict });
    // The answer is stored; if Redis is away now, the sweeper re-renders the reply within a minute or two.
    await deps.queues.addSlackSync(r.incidentId, r.revision!)
      .catch((err: unknown) => deps.log.warn({ err, incidentId: r.incidentId }, 'feedback stored, but the reply update could not be queued'));
  }
  deps.log.info({ incidentId: r.incidentId, diagnosisId: parsed.diagnosisId, user, verdict: parsed.verdict, correctedTo: parsed.correctedTo,
    category: r.category, changed: r.changed }, 'feedback recorded');
  const what = parsed.verdict === 'confirmed'
    ? `${inlineCode(r.category)} confirmed as the cause on ${r.host}`
    : `${r.host}: not ${inlineCode(r.category)} but ${inlineCode(parsed.correctedTo!)}`;
  const lead = !r.changed ? 'You had already answered that' : r.previous ? 'Answer changed' : 'Thanks, recorded';
  await tell(`:memo: ${lead}: ${what}. It counts toward diagbot's accuracy here (\`/diagnose accuracy\`); you can change it any time.`);
}

export function registerFeedbackActions(app: App, deps: FeedbackDeps): void {
  const ids = new RegExp(`^(${ACTION_IDS.feedback_right}|${ACTION_IDS.feedback_wrong})$`);
  app.action<BlockAction>({ type: 'block_actions', action_id: ids }, async ({ ack, body, respond }) => {
    // Slack wants the ack within 3 s; everything else happens after it.
    await ack();
    const tell = tellFn(respond, deps.log);
    try {
      await handle(deps, body, tell);
    } catch (err) {
      deps.log.error({ err, user: body.user?.id }, 'feedback failed');
      await tell(':x: diagbot could not record this answer (its database or queue is unavailable). Try again in a minute.');
    }
  });
}
