import type pg from 'pg';
import type { FakeMessage, FakeSlack } from '../fakes/fake-slack.js';
import { blockActionsBody, buttonClickPayload, postSigned, slashCommandBody, type PostSignedResult } from './slack-signing.js';
import { TEST_SIGNING_SECRET } from './diagbot-service.js';

// Driving remediation buttons the way Slack does: find the button in the thread the bot posted,
// press it with a signed block_actions request, read the ephemeral answer from its response_url.

export const APPROVER = 'U0ALICE';
export const GROUP_APPROVER = 'U0BOB';
export const OUTSIDER = 'U0MALLORY';
export const APPROVER_GROUP = 'S0ONCALL';
export const APPROVERS_ENV = `${APPROVER},${APPROVER_GROUP}`;

export const FAKE_USERS = [APPROVER, GROUP_APPROVER, OUTSIDER].map((id) => ({ id, name: id.toLowerCase() }));
export const FAKE_USERGROUPS = { [APPROVER_GROUP]: [GROUP_APPROVER] };

export interface Button { action_id: string; value: string; text: { text: string }; confirm?: { text: { text: string } } }

export const flat = (m: FakeMessage | undefined): string => (m ? `${m.text}\n${JSON.stringify(m.blocks ?? [])}` : '');

export function buttonsOf(m: FakeMessage | undefined): Button[] {
  return ((m?.blocks ?? []) as { type: string; elements?: Button[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

export class RemediationDriver {
  private n = 0;

  constructor(private readonly fake: FakeSlack, private readonly url: () => string, private readonly channel: string) {}

  async slash(text: string, user = APPROVER): Promise<PostSignedResult> {
    const body = slashCommandBody({ text, channel_id: this.channel, user_id: user, response_url: this.fake.responseUrl(`slash-${++this.n}`, { channel: this.channel, user }) });
    return postSigned(`${this.url()}/slack/events`, TEST_SIGNING_SECRET, body);
  }

  /** The parent of the newest /diagnose thread naming `host`, once a reply in it satisfies `pred`. */
  async thread(host: string, pred: (replies: FakeMessage[]) => boolean, timeoutMs = 60_000): Promise<FakeMessage> {
    return this.fake.waitFor((f) => f.messages(this.channel).filter((m) => flat(m).includes(host)).reverse().find((m) => pred(m.replies)), timeoutMs);
  }

  /** The reply holding a button with this action_id, and the button. */
  async button(host: string, actionId: string, timeoutMs = 60_000): Promise<{ parent: FakeMessage; reply: FakeMessage; button: Button }> {
    const parent = await this.thread(host, (rs) => rs.some((r) => buttonsOf(r).some((b) => b.action_id === actionId)), timeoutMs);
    const reply = [...parent.replies].reverse().find((r) => buttonsOf(r).some((b) => b.action_id === actionId))!;
    return { parent, reply, button: buttonsOf(reply).find((b) => b.action_id === actionId)! };
  }

  /** Presses a button; resolves with the HTTP answer and the id of its response_url. */
  async press(actionId: string, value: string, user: string, opts: { channel?: string; messageTs?: string } = {}): Promise<{ status: number; rid: string }> {
    const rid = `press-${++this.n}-${user}`;
    const channel = opts.channel ?? this.channel;
    const payload = buttonClickPayload({ actionId, value, userId: user, channelId: channel, messageTs: opts.messageTs, responseUrl: this.fake.responseUrl(rid, { channel, user }) });
    const res = await postSigned(`${this.url()}/slack/events`, TEST_SIGNING_SECRET, blockActionsBody(payload));
    return { status: res.status, rid };
  }

  /** The ephemeral text the presser was answered with. */
  answer(rid: string, timeoutMs = 15_000): Promise<string> {
    return this.fake.waitFor((f) => f.callsTo('response_url').find((c) => c.responseUrlId === rid)?.body.text as string | undefined, timeoutMs);
  }
}

export async function actionState(pool: pg.Pool, id: string): Promise<{ state: string; executed_by: string | null; result: Record<string, unknown> | null }> {
  return (await pool.query('SELECT state, executed_by, result FROM actions WHERE id = $1', [id])).rows[0];
}

export async function waitForState(pool: pg.Pool, id: string, states: string[], timeoutMs = 60_000): Promise<{ state: string; result: Record<string, unknown> | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await actionState(pool, id);
    if (row && states.includes(row.state)) return row;
    if (Date.now() > deadline) throw new Error(`action ${id} is ${row?.state ?? 'missing'}, not ${states.join('|')}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function auditOutcomes(pool: pg.Pool, id: string): Promise<Record<string, number>> {
  const r = await pool.query<{ outcome: string; n: number }>('SELECT outcome, count(*)::int AS n FROM action_audit WHERE action_id = $1 GROUP BY outcome', [id]);
  return Object.fromEntries(r.rows.map((x) => [x.outcome, x.n]));
}
