// Building and sending requests the way Slack sends them to an app (slash commands, interactivity), signed as
// docs.slack.dev/authentication/verifying-requests-from-slack describes, so tests hit Bolt's real receiver.
import { createHmac } from 'node:crypto';

export const FORM = 'application/x-www-form-urlencoded';

export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
  'content-type': string;
}

export const nowSec = (): number => Math.floor(Date.now() / 1000);

/** `v0=` + hex HMAC-SHA256(secret, `v0:${timestamp}:${rawBody}`), the headers Slack adds to each request. */
export function signSlackRequest(signingSecret: string, body: string, timestampSec = nowSec(), contentType = FORM): SlackSignatureHeaders {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestampSec), 'content-type': contentType };
}

/** Slash command fields; `null` leaves a field out (Slack has added fields over the years). */
export interface SlashCommandFields {
  token?: string | null;
  team_id?: string | null;
  team_domain?: string | null;
  enterprise_id?: string | null;
  enterprise_name?: string | null;
  channel_id?: string | null;
  channel_name?: string | null;
  user_id?: string | null;
  user_name?: string | null;
  command?: string | null;
  text?: string | null;
  api_app_id?: string | null;
  is_enterprise_install?: string | null;
  response_url?: string | null;
  trigger_id?: string | null;
}

// Slack's field order; a signature covers the raw body, so order matters when comparing with a captured request.
const SLASH_ORDER: (keyof SlashCommandFields)[] = [
  'token', 'team_id', 'team_domain', 'enterprise_id', 'enterprise_name', 'channel_id', 'channel_name', 'user_id',
  'user_name', 'command', 'text', 'api_app_id', 'is_enterprise_install', 'response_url', 'trigger_id',
];

const SLASH_DEFAULTS: SlashCommandFields = {
  token: 'legacy-verification-token', team_id: 'T_TEST', team_domain: 'diagbot-test', channel_id: 'C_INCIDENT',
  channel_name: 'incident', user_id: 'U_ALICE', user_name: 'alice', command: '/diagnose', text: '',
  api_app_id: 'A_DIAGBOT', is_enterprise_install: 'false', response_url: 'https://hooks.slack.com/commands/T_TEST/1/abc',
};

/** Slack's trigger_id shape: "<digits>.<digits>.<32 hex>". */
export function fakeTriggerId(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `${Date.now()}.${Math.floor(Math.random() * 1e11)}.${hex}`;
}

/** The form-urlencoded body Slack POSTs for a slash command (spaces as '+', '/' as %2F, like Slack). */
export function slashCommandBody(fields: SlashCommandFields = {}): string {
  const all: SlashCommandFields = { ...SLASH_DEFAULTS, trigger_id: fakeTriggerId(), ...fields };
  const params = new URLSearchParams();
  for (const key of SLASH_ORDER) {
    const v = all[key];
    if (v !== undefined && v !== null) params.append(key, v);
  }
  return params.toString();
}

/** An interactivity request body: the payload JSON in a single `payload` form field. */
export function blockActionsBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface ButtonClick {
  actionId: string;
  value?: string;
  blockId?: string;
  text?: string;
  userId?: string;
  channelId?: string;
  messageTs?: string;
  responseUrl?: string;
  triggerId?: string;
  message?: Record<string, unknown>;
}

/** A block_actions payload for a button click on a bot message, with the fields Slack sends. */
export function buttonClickPayload(c: ButtonClick): Record<string, unknown> {
  const user = c.userId ?? 'U_ALICE';
  const channel = c.channelId ?? 'C_INCIDENT';
  const messageTs = c.messageTs ?? '1732200000.000100';
  return {
    type: 'block_actions', user: { id: user, username: 'alice', name: 'alice', team_id: 'T_TEST' }, api_app_id: 'A_DIAGBOT',
    token: 'legacy-verification-token', container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: c.triggerId ?? fakeTriggerId(), team: { id: 'T_TEST', domain: 'diagbot-test' }, enterprise: null,
    is_enterprise_install: false, channel: { id: channel, name: 'incident' },
    message: c.message ?? { type: 'message', user: 'U_BOT', ts: messageTs, bot_id: 'B_BOT', text: '', blocks: [] },
    state: { values: {} }, response_url: c.responseUrl ?? 'https://hooks.slack.com/actions/T_TEST/1/abc',
    actions: [{
      action_id: c.actionId, block_id: c.blockId ?? 'actions', text: { type: 'plain_text', text: c.text ?? 'Button', emoji: true },
      value: c.value, type: 'button', action_ts: `${nowSec()}.000000`,
    }],
  };
}

type SignedHeader = keyof SlackSignatureHeaders;

export interface PostSignedOptions {
  contentType?: string;
  timestamp?: number;
  /** Sends this instead of the correct signature (to test rejection). */
  signature?: string;
  omitHeaders?: SignedHeader[];
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface PostSignedResult { status: number; body: string; json?: unknown; ms: number; headers: Headers }

/** POSTs `body` signed with `secret` as Slack would, failing after `timeoutMs` instead of hanging a test. */
export async function postSigned(url: string, secret: string, body: string, opts: PostSignedOptions = {}): Promise<PostSignedResult> {
  const signed: Partial<SlackSignatureHeaders> = signSlackRequest(secret, body, opts.timestamp ?? nowSec(), opts.contentType ?? FORM);
  if (opts.signature !== undefined) signed['x-slack-signature'] = opts.signature;
  for (const h of opts.omitHeaders ?? []) delete signed[h];
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST', body, headers: { ...signed, ...opts.headers } as Record<string, string>,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, body: text, json, ms: Math.round(performance.now() - started), headers: res.headers };
}
