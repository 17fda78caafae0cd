// conversations.history / conversations.replies as Slack answers them: by channel id, the reading
// scope of the channel's kind, membership, oldest/latest/inclusive, limit and cursor pages, and the
// message metadata only when include_all_metadata is set.
import { fail, isFailure, type Failure } from './fake-slack-content.js';
import type { MethodContext } from './fake-slack-methods.js';
import { publicMessage } from './fake-slack-methods.js';
import type { FakeChannel, FakeMessage, JsonObject } from './fake-slack-types.js';

/** The scopes the default fake token holds: the manifest's, the optional history ones included. */
export const DEFAULT_SCOPES = ['commands', 'chat:write', 'usergroups:read', 'channels:history', 'groups:history'];

const truthy = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;

function readable(ctx: MethodContext, ref: unknown): FakeChannel | Failure {
  // History methods take a channel id, never a name.
  const ch = typeof ref === 'string' ? ctx.state.channels.get(ref) : undefined;
  if (!ch || (ch.isPrivate && ch.botMember === false)) return fail('channel_not_found');
  const needed = ch.isPrivate ? 'groups:history' : 'channels:history';
  const scopes = ctx.opts.scopes ?? DEFAULT_SCOPES;
  if (!scopes.includes(needed)) return { ...fail('missing_scope'), needed, provided: scopes.join(',') };
  if (ch.botMember === false) return fail('not_in_channel');
  return ch;
}

function shown(ctx: MethodContext, m: FakeMessage, withMetadata: boolean): JsonObject {
  const out = publicMessage(ctx, m);
  if (withMetadata && m.metadata !== undefined) out.metadata = m.metadata;
  if (m.replies.length) {
    Object.assign(out, { thread_ts: m.ts, reply_count: m.replies.length, latest_reply: m.replies.at(-1)!.ts,
      reply_users: [...new Set(m.replies.map((r) => r.user))] });
  }
  return out;
}

function inRange(ts: string, args: JsonObject): boolean {
  const t = Number(ts);
  const inclusive = truthy(args.inclusive);
  const oldest = args.oldest === undefined || args.oldest === '' ? undefined : Number(args.oldest);
  const latest = args.latest === undefined || args.latest === '' ? undefined : Number(args.latest);
  if (oldest !== undefined && (inclusive ? t < oldest : t <= oldest)) return false;
  if (latest !== undefined && (inclusive ? t > latest : t >= latest)) return false;
  return true;
}

/** One page from `all` (already in answer order) and the cursor to the next one. */
function page(all: JsonObject[], args: JsonObject, defaultLimit: number): JsonObject | undefined {
  const limit = Math.min(Math.max(Number(args.limit ?? defaultLimit) || defaultLimit, 1), 999);
  let start = 0;
  if (typeof args.cursor === 'string' && args.cursor !== '') {
    const m = /^offset:(\d+)$/.exec(Buffer.from(args.cursor, 'base64').toString('utf8'));
    if (!m) return undefined;
    start = Number(m[1]);
  }
  const messages = all.slice(start, start + limit);
  const more = start + limit < all.length;
  return {
    ok: true, messages, has_more: more,
    response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
  };
}

export function conversationsHistory(ctx: MethodContext, args: JsonObject): JsonObject {
  const ch = readable(ctx, args.channel);
  if (isFailure(ch)) return ch;
  const withMetadata = truthy(args.include_all_metadata);
  const all = ctx.state.messages(ch.id).filter((m) => inRange(m.ts, args)).reverse().map((m) => shown(ctx, m, withMetadata));
  const answer = page(all, args, 100);
  return answer ? { ...answer, pin_count: 0 } : fail('invalid_cursor');
}

export function conversationsReplies(ctx: MethodContext, args: JsonObject): JsonObject {
  const ch = readable(ctx, args.channel);
  if (isFailure(ch)) return ch;
  if (typeof args.ts !== 'string' || args.ts === '') return fail('invalid_arguments', ['missing required field: ts']);
  const parent = ctx.state.find(ch.id, args.ts);
  if (!parent) return fail('thread_not_found');
  const withMetadata = truthy(args.include_all_metadata);
  // The thread's parent comes first, then the replies in range, oldest first.
  const all = [parent, ...parent.replies.filter((r) => inRange(r.ts, args))].map((m) => shown(ctx, m, withMetadata));
  return page(all, args, 1000) ?? fail('invalid_cursor');
}
