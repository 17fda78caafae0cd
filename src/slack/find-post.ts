import type { Logger } from '../log/logger.js';
import { isPostOf, type PostTag } from './post-tag.js';
import { SlackApiError, type SlackClient } from './slack-client.js';

/** Slack's answers meaning the bot may not read the channel: the lookup is skipped, not retried. */
const CANNOT_READ = new Set(['missing_scope', 'not_in_channel', 'channel_not_found', 'not_allowed_token_type']);

/** Pages of up to PAGE messages read at most: the post looked for is among the newest since its first attempt. */
const PAGE = 200;
const MAX_PAGES = 3;
/** Slack's clock and ours may differ; messages this much older than the first attempt are read too. */
const CLOCK_MARGIN_S = 120;

export type FindResult =
  | { found: string }
  | { found: null }
  /** The bot cannot read history here (scope or membership): posting again is at-least-once. */
  | { unreadable: string };

export interface FindPostOptions {
  channel: string;
  tag: PostTag;
  /** The parent's ts for a thread reply: the thread is read instead of the channel. */
  threadTs?: string | undefined;
  /** When the first attempt at this post was made. */
  since: Date;
}

const warned = new Set<string>();

/**
 * Looks for a post whose earlier attempt may have reached Slack (its answer was lost), in the
 * channel or the thread, from just before the first attempt on, a few pages at most. A lookup that
 * Slack refuses for scope or membership returns `unreadable` (logged once per channel and reason);
 * any other failure throws, so the caller retries rather than posting blind.
 */
export async function findPost(slack: SlackClient, log: Logger, opts: FindPostOptions): Promise<FindResult> {
  const oldest = (Math.floor(opts.since.getTime() / 1000) - CLOCK_MARGIN_S).toFixed(6);
  try {
    const self = await slack.self();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await slack.readMessages(opts.channel, { threadTs: opts.threadTs, oldest, limit: PAGE, ...(cursor ? { cursor } : {}) });
      const hit = res.messages.find((m) => m.ts && isPostOf(m, opts.tag, self));
      if (hit?.ts) return { found: hit.ts };
      cursor = res.nextCursor;
      if (!cursor) return { found: null };
    }
    log.warn({ channel: opts.channel, tag: opts.tag, pages: MAX_PAGES }, 'post lookup stopped after its page limit; posting');
    return { found: null };
  } catch (err) {
    if (!(err instanceof SlackApiError) || !CANNOT_READ.has(err.slackError)) throw err;
    const once = `${opts.channel}:${err.slackError}`;
    if (!warned.has(once)) {
      warned.add(once);
      log.warn({ channel: opts.channel, slackError: err.slackError },
        'cannot read the channel to check whether a post whose answer was lost went through; posting again (at-least-once). '
        + 'Add the channels:history / groups:history scopes (and invite the bot) for exactly-once posts');
    }
    return { unreadable: err.slackError };
  }
}
