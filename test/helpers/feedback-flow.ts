import type { FakeMessage, FakeSlack } from '../fakes/fake-slack.js';
import { TEST_SIGNING_SECRET } from './diagbot-service.js';
import { blockActionsBody, buttonClickPayload, nowSec, postSigned, signSlackRequest } from './slack-signing.js';

// Answering the feedback row the way Slack sends it: a signed block_actions request for the
// "Right cause" button or for an option of the "Wrong cause → …" static_select.

export const RIGHT = 'diagbot_feedback_right';
export const WRONG = 'diagbot_feedback_wrong';

interface Element { type: string; action_id: string; value?: string; options?: { value: string }[] }

/** The feedback row of a reply (its own actions block), or undefined. */
export function feedbackRowOf(m: FakeMessage | undefined): Element[] | undefined {
  const block = ((m?.blocks ?? []) as { type: string; block_id?: string; elements?: Element[] }[])
    .find((b) => b.type === 'actions' && b.block_id?.startsWith('diagbot_feedback_'));
  return block?.elements;
}

/** The context line under the root cause (where the tally is). */
export function contextLine(m: FakeMessage | undefined): string {
  const c = ((m?.blocks ?? []) as { type: string; elements?: { text?: string }[] }[]).find((b) => b.type === 'context');
  return c?.elements?.[0]?.text ?? '';
}

/** "confidence 0.9" in a reply, as a number. */
export function shownConfidence(m: FakeMessage | undefined): number | null {
  const x = /confidence (\d+(?:\.\d+)?)/.exec(contextLine(m));
  return x ? Number(x[1]) : null;
}

export interface FeedbackPress { body: string; rid: string }

export class FeedbackDriver {
  private n = 0;

  constructor(private readonly fake: FakeSlack, private readonly url: () => string, private readonly channel: string) {}

  /** The signed request body for an answer (not sent). */
  build(kind: 'right' | 'wrong', value: string, user: string, channel = this.channel): FeedbackPress {
    const rid = `feedback-${++this.n}-${user}`;
    const payload = buttonClickPayload({ actionId: kind === 'right' ? RIGHT : WRONG, value, userId: user, channelId: channel,
      responseUrl: this.fake.responseUrl(rid, { channel, user }) });
    if (kind === 'wrong') {
      const action = (payload.actions as Record<string, unknown>[])[0]!;
      delete action.value;
      delete action.text;
      Object.assign(action, { type: 'static_select', block_id: 'diagbot_feedback', selected_option: { text: { type: 'plain_text', text: value }, value } });
    }
    return { body: blockActionsBody(payload), rid };
  }

  async send(p: FeedbackPress, signed: { timestamp: number; signature: string } | null = null): Promise<number> {
    if (!signed) return (await postSigned(`${this.url()}/slack/events`, TEST_SIGNING_SECRET, p.body)).status;
    return (await postSigned(`${this.url()}/slack/events`, TEST_SIGNING_SECRET, p.body, signed)).status;
  }

  /** Sends the same signed request twice, as a replaying attacker would; returns both statuses. */
  async sendTwice(p: FeedbackPress): Promise<[number, number]> {
    const timestamp = nowSec();
    const signature = signSlackRequest(TEST_SIGNING_SECRET, p.body, timestamp)['x-slack-signature'];
    return [await this.send(p, { timestamp, signature }), await this.send(p, { timestamp, signature })];
  }

  right(diagnosisId: string, user: string): Promise<{ status: number; rid: string }> {
    const p = this.build('right', diagnosisId, user);
    return this.send(p).then((status) => ({ status, rid: p.rid }));
  }

  wrong(diagnosisId: string, choice: string, user: string, channel?: string): Promise<{ status: number; rid: string }> {
    const p = this.build('wrong', `${diagnosisId}:${choice}`, user, channel);
    return this.send(p).then((status) => ({ status, rid: p.rid }));
  }

  /** The ephemeral answer the user got. */
  answer(rid: string, timeoutMs = 15_000): Promise<string> {
    return this.fake.waitFor((f) => f.callsTo('response_url').find((c) => c.responseUrlId === rid)?.body.text as string | undefined, timeoutMs);
  }
}
