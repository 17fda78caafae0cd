import { setTimeout as sleep } from 'node:timers/promises';
import { webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { Logger } from '../log/logger.js';
import type { PostMetadata } from './post-tag.js';

export interface SlackMessageBody { text: string; blocks: KnownBlock[] }

export interface MessagePage {
  messages: { ts?: string; user?: string; bot_id?: string; metadata?: { event_type?: string; event_payload?: unknown } }[];
  nextCursor: string | undefined;
}

/**
 * Slack's answers that will not change by retrying: the message or channel is wrong, or the
 * app lacks access. They are recorded on the incident and shown, never retried in a loop.
 */
const PERMANENT = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'not_authed', 'account_inactive',
  'token_revoked', 'missing_scope', 'invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'no_text',
  'message_not_found', 'cant_update_message', 'thread_not_found', 'restricted_action', 'team_access_not_granted',
  'edit_window_closed', 'invalid_arguments', 'unknown_method',
]);

export class SlackApiError extends Error {
  /**
   * The call may have taken effect although it failed: no answer (timeout, reset connection) or
   * a 5xx. An `ok:false` answer or a 429 means Slack did nothing.
   */
  readonly ambiguous: boolean;
  constructor(readonly slackError: string, readonly permanent: boolean, cause?: unknown) {
    super(`Slack API error: ${slackError}`, { cause });
    this.name = 'SlackApiError';
    this.ambiguous = /^(request_failed|http_5)/.test(slackError);
  }
}

function classify(err: unknown): SlackApiError {
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number; message?: string };
  if (e.code === webApi.ErrorCode.PlatformError && e.data?.error) {
    return new SlackApiError(e.data.error, PERMANENT.has(e.data.error), err);
  }
  if (e.code === webApi.ErrorCode.HTTPError) return new SlackApiError(`http_${e.statusCode ?? 'error'}`, false, err);
  if (e.code === webApi.ErrorCode.RateLimitedError) return new SlackApiError('ratelimited', false, err);
  return new SlackApiError(`request_failed: ${e.message ?? String(err)}`.slice(0, 200), false, err);
}

export interface SlackClientOptions {
  token: string;
  apiUrl?: string | undefined;
  log: Logger;
  timeoutMs?: number;
  onCall?: (method: string, outcome: string) => void;
}

const MAX_RATE_LIMIT_WAITS = 5;

/**
 * The one module that talks to Slack's Web API (Bolt's WebClient). A 429 is waited out for its
 * Retry-After and the same call sent again, so a rate limit delays a message but never repeats it.
 */
export class SlackClient {
  readonly web: webApi.WebClient;
  private readonly log: Logger;
  private selfIds: Promise<{ userId?: string; botId?: string }> | undefined;

  constructor(private readonly opts: SlackClientOptions) {
    this.log = opts.log.child({ component: 'slack' });
    this.web = new webApi.WebClient(opts.token, {
      ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
      timeout: opts.timeoutMs ?? 10_000,
      // No blind retries: a timed-out postMessage may have been posted. Rate limits are waited
      // out in call(); other failures go back to the job queue, which re-reads what was posted.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: { debug: () => undefined, info: () => undefined, warn: (...m: unknown[]) => this.log.warn(m.join(' ')),
        error: (...m: unknown[]) => this.log.error(m.join(' ')), setLevel: () => undefined,
        getLevel: () => webApi.LogLevel.WARN, setName: () => undefined },
    });
  }

  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    for (let waits = 0; ; waits++) {
      try {
        const out = await fn();
        this.opts.onCall?.(method, 'ok');
        return out;
      } catch (err) {
        const retryAfter = (err as { code?: string; retryAfter?: number }).code === webApi.ErrorCode.RateLimitedError
          ? (err as { retryAfter: number }).retryAfter : null;
        // A 429 means Slack did not act on the call, so sending it again cannot duplicate it.
        if (retryAfter !== null && waits < MAX_RATE_LIMIT_WAITS) {
          this.opts.onCall?.(method, 'ratelimited');
          this.log.warn({ method, retryAfterSec: retryAfter }, 'Slack rate limit: waiting Retry-After');
          await sleep(Math.min(Math.max(retryAfter, 1), 120) * 1000);
          continue;
        }
        const e = classify(err);
        this.opts.onCall?.(method, e.slackError);
        throw e;
      }
    }
  }

  /** `metadata` tags the post so it can be found again if the answer is lost (post-tag.ts). */
  async post(channel: string, msg: SlackMessageBody, threadTs?: string, metadata?: PostMetadata): Promise<string> {
    const res = await this.call('chat.postMessage', () => this.web.chat.postMessage({
      channel, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false,
      ...(threadTs ? { thread_ts: threadTs } : {}), ...(metadata ? { metadata } : {}),
    }));
    if (!res.ts) throw new SlackApiError('no_ts_in_response', false);
    return res.ts;
  }

  async update(channel: string, ts: string, msg: SlackMessageBody): Promise<void> {
    await this.call('chat.update', () => this.web.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks }));
  }

  /** Messages of a channel (newest first) or of a thread (oldest first, the parent included), with their metadata. */
  async readMessages(channel: string, opts: { threadTs?: string; oldest: string; cursor?: string; limit: number }): Promise<MessagePage> {
    const args = { channel, oldest: opts.oldest, limit: opts.limit, include_all_metadata: true, ...(opts.cursor ? { cursor: opts.cursor } : {}) };
    const res = opts.threadTs
      ? await this.call('conversations.replies', () => this.web.conversations.replies({ ...args, ts: opts.threadTs! }))
      : await this.call('conversations.history', () => this.web.conversations.history(args));
    return { messages: (res.messages ?? []) as MessagePage['messages'], nextCursor: res.response_metadata?.next_cursor || undefined };
  }

  /** The bot's own user and bot ids (auth.test), asked once per process. */
  async self(): Promise<{ userId?: string; botId?: string }> {
    this.selfIds ??= this.call('auth.test', () => this.web.auth.test())
      .then((r) => ({ ...(r.user_id ? { userId: r.user_id } : {}), ...(r.bot_id ? { botId: r.bot_id } : {}) }))
      .catch((err: unknown) => { this.selfIds = undefined; throw err; });
    return this.selfIds;
  }

  /** response_url of a slash command: the way to reach a user where the bot cannot post. */
  async respond(responseUrl: string, msg: SlackMessageBody & { ephemeral?: boolean }): Promise<void> {
    await this.call('response_url', async () => {
      const res = await fetch(responseUrl, {
        method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        body: JSON.stringify({ text: msg.text, blocks: msg.blocks, response_type: msg.ephemeral === false ? 'in_channel' : 'ephemeral' }),
      });
      if (!res.ok) throw new Error(`response_url answered ${res.status}`);
    });
  }
}
