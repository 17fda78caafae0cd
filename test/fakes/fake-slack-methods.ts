// Web API methods the fake implements, each answering with the shape and error codes Slack documents.
import { validateBlocks } from './block-kit-limits.js';
import { badThreadTs, channelFor, fail, isFailure, readContent, type Failure } from './fake-slack-content.js';
import { conversationsHistory, conversationsReplies } from './fake-slack-history.js';
import type { FakeIdentity, FakeSlackState } from './fake-slack-state.js';
import type { FakeChannel, FakeMessage, FakeSlackOptions, JsonObject } from './fake-slack-types.js';

export interface MethodContext { state: FakeSlackState; identity: FakeIdentity; opts: FakeSlackOptions }
export type MethodHandler = (ctx: MethodContext, args: JsonObject) => JsonObject;

/** Drops undefined keys so stored and returned objects look like Slack's JSON, not like JS defaults. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const truthy = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;

/** The `message` object Slack returns from chat.postMessage / chat.update. */
export function publicMessage({ identity }: MethodContext, m: FakeMessage): JsonObject {
  const last = m.edits.at(-1);
  return compact({
    user: m.user, type: 'message', ts: m.ts, bot_id: m.bot_id, app_id: m.bot_id ? identity.appId : undefined, text: m.text,
    team: identity.teamId, blocks: m.blocks, attachments: m.attachments, thread_ts: m.thread_ts,
    parent_user_id: m.thread_ts ? m.user : undefined, edited: last ? { user: m.user, ts: String(last.at / 1000) } : undefined,
    bot_profile: m.bot_id ? { id: m.bot_id, app_id: identity.appId, name: 'diagbot', team_id: identity.teamId } : undefined,
  });
}

/**
 * Message metadata as Slack takes it: a JSON object with an `event_type` (letters, digits,
 * underscores) and an `event_payload` object; anything else is invalid_metadata_format.
 */
export function readMetadata(v: unknown): JsonObject | undefined | Failure {
  if (v === undefined || v === '') return undefined;
  const m = v as JsonObject;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof m.event_type !== 'string' || !/^\w{1,255}$/.test(m.event_type)
    || typeof m.event_payload !== 'object' || m.event_payload === null || Array.isArray(m.event_payload)) {
    return fail('invalid_metadata_format');
  }
  if (JSON.stringify(v).length > 8000) return fail('metadata_too_large');
  return { event_type: m.event_type, event_payload: m.event_payload };
}

/** A message posted by the bot into the store; `thread_ts` naming no message is un-threaded as Slack does. */
export function postAsBot(ctx: MethodContext, ch: FakeChannel, args: JsonObject): JsonObject {
  const bad = badThreadTs(args.thread_ts);
  if (bad) return bad;
  const content = readContent(args);
  if (isFailure(content)) return content;
  const metadata = readMetadata(args.metadata);
  if (isFailure(metadata)) return metadata;
  let threadTs = typeof args.thread_ts === 'string' && args.thread_ts !== '' ? args.thread_ts : undefined;
  let unthreadedFrom: string | undefined;
  if (threadTs !== undefined) {
    const target = ctx.state.find(ch.id, threadTs);
    if (!target && ctx.opts.unknownThread === 'reject') return fail('thread_not_found');
    if (!target) [unthreadedFrom, threadTs] = [threadTs, undefined];
    else if (target.thread_ts) threadTs = target.thread_ts;
  }
  const msg = ctx.state.add(compact({
    type: 'message' as const, channel: ch.id, ts: ctx.state.nextTs(), text: content.text ?? '', blocks: content.blocks,
    attachments: content.attachments, metadata, user: ctx.identity.botUserId, bot_id: ctx.identity.botId,
    thread_ts: threadTs, reply_broadcast: threadTs && truthy(args.reply_broadcast) ? true : undefined, unthreadedFrom,
    replies: [], edits: [],
  }));
  return { ok: true, channel: ch.id, ts: msg.ts, message: publicMessage(ctx, msg) };
}

/** Replaces what `args` provides, keeping the rest, and files the previous version under `edits`. */
export function editMessage(msg: FakeMessage, args: JsonObject): JsonObject | undefined {
  const content = readContent(args);
  if (isFailure(content)) return content;
  msg.edits.push(compact({ at: Date.now(), text: msg.text, blocks: msg.blocks }));
  if (content.text !== undefined) msg.text = content.text;
  if (content.blocks !== undefined) msg.blocks = content.blocks;
  if (content.attachments !== undefined) msg.attachments = content.attachments;
  return undefined;
}

function ownMessage(ctx: MethodContext, args: JsonObject, notMine: string): { ch: FakeChannel; msg: FakeMessage } | Failure {
  const ch = channelFor(ctx.state, args.channel, true);
  if (isFailure(ch)) return ch;
  const msg = typeof args.ts === 'string' ? ctx.state.find(ch.id, args.ts) : undefined;
  if (!msg) return fail('message_not_found');
  if (msg.user !== ctx.identity.botUserId) return fail(notMine);
  return { ch, msg };
}

const VIEW_TEXT = 24;

function openView(ctx: MethodContext, args: JsonObject): JsonObject {
  if (!args.trigger_id) return fail('invalid_arguments', ['missing required field: trigger_id']);
  const view = args.view;
  if (typeof view !== 'object' || view === null || Array.isArray(view)) return fail('invalid_arguments', ['must provide an object [json-pointer:/view]']);
  const v = view as JsonObject;
  const errors: string[] = [];
  if (v.type !== 'modal') errors.push('must be one of [modal] [json-pointer:/view/type]');
  for (const key of ['title', 'submit', 'close'] as const) {
    const t = v[key] as JsonObject | undefined;
    if (t === undefined) { if (key === 'title') errors.push('missing required field: title [json-pointer:/view]'); continue; }
    if (t.type !== 'plain_text') errors.push(`must be plain_text [json-pointer:/view/${key}/type]`);
    if (typeof t.text === 'string' && t.text.length > VIEW_TEXT) errors.push(`must be less than ${VIEW_TEXT + 1} characters [json-pointer:/view/${key}/text]`);
  }
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000) errors.push('must be less than 3001 characters [json-pointer:/view/private_metadata]');
  if (typeof v.callback_id === 'string' && v.callback_id.length > 255) errors.push('must be less than 256 characters [json-pointer:/view/callback_id]');
  errors.push(...validateBlocks(v.blocks ?? [], 'modal', '/view/blocks'));
  if (errors.length) return fail('invalid_arguments', errors);
  const id = `V${ctx.state.nextTs().replace('.', '')}`;
  const opened = {
    id, team_id: ctx.identity.teamId, app_id: ctx.identity.appId, bot_id: ctx.identity.botId, hash: `${id}.hash`,
    private_metadata: '', callback_id: '', external_id: '', state: { values: {} }, root_view_id: id,
    previous_view_id: null, clear_on_close: false, notify_on_close: false, ...v,
  };
  ctx.state.views.push(opened);
  return { ok: true, view: opened };
}

function channelInfo(ctx: MethodContext, c: FakeChannel): JsonObject {
  return {
    id: c.id, name: c.name, name_normalized: c.name, is_channel: !c.isPrivate, is_group: false, is_im: false,
    is_mpim: false, is_private: Boolean(c.isPrivate), is_archived: Boolean(c.archived), is_general: c.name === 'general',
    is_member: c.botMember !== false, is_shared: false, is_ext_shared: false, is_org_shared: false,
    created: 1_700_000_000, creator: 'U_ALICE', context_team_id: ctx.identity.teamId,
    topic: { value: '', creator: '', last_set: 0 }, purpose: { value: '', creator: '', last_set: 0 },
  };
}

export const METHODS: Record<string, MethodHandler> = {
  'auth.test': ({ identity: id }) => ({
    ok: true, url: `https://${id.teamDomain}.slack.com/`, team: 'Diagbot Test', user: 'diagbot', team_id: id.teamId,
    user_id: id.botUserId, bot_id: id.botId, is_enterprise_install: false,
  }),
  'chat.postMessage': (ctx, args) => {
    const ch = channelFor(ctx.state, args.channel, true);
    return isFailure(ch) ? ch : postAsBot(ctx, ch, args);
  },
  'chat.update': (ctx, args) => {
    const found = ownMessage(ctx, args, 'cant_update_message');
    if (isFailure(found)) return found;
    const { ch, msg } = found;
    const refused = editMessage(msg, args);
    return refused ?? { ok: true, channel: ch.id, ts: msg.ts, text: msg.text, message: publicMessage(ctx, msg) };
  },
  'chat.delete': (ctx, args) => {
    const found = ownMessage(ctx, args, 'cant_delete_message');
    if (isFailure(found)) return found;
    ctx.state.remove(found.msg);
    return { ok: true, channel: found.ch.id, ts: found.msg.ts };
  },
  'chat.postEphemeral': (ctx, args) => {
    const ch = channelFor(ctx.state, args.channel, true);
    if (isFailure(ch)) return ch;
    const user = typeof args.user === 'string' ? ctx.state.users.get(args.user) : undefined;
    if (!user) return fail('user_not_found');
    if (ch.members && !ch.members.includes(user.id)) return fail('user_not_in_channel');
    const bad = badThreadTs(args.thread_ts);
    if (bad) return bad;
    const content = readContent(args);
    if (isFailure(content)) return content;
    const message_ts = ctx.state.nextTs();
    ctx.state.ephemerals.push(compact({
      channel: ch.id, user: user.id, message_ts, text: content.text ?? '', blocks: content.blocks,
      thread_ts: typeof args.thread_ts === 'string' && args.thread_ts !== '' ? args.thread_ts : undefined,
    }));
    return { ok: true, message_ts };
  },
  'conversations.history': conversationsHistory,
  'conversations.replies': conversationsReplies,
  'conversations.info': (ctx, args) => {
    const ch = channelFor(ctx.state, args.channel, false);
    return isFailure(ch) ? ch : { ok: true, channel: channelInfo(ctx, ch) };
  },
  'users.info': (ctx, args) => {
    const u = typeof args.user === 'string' ? ctx.state.users.get(args.user) : undefined;
    if (!u) return fail('user_not_found');
    const real = u.realName ?? u.name;
    return {
      ok: true,
      user: compact({
        id: u.id, team_id: ctx.identity.teamId, name: u.name, deleted: Boolean(u.deleted), real_name: real, tz: u.tz ?? 'UTC',
        tz_label: u.tz ?? 'UTC', tz_offset: 0, is_bot: Boolean(u.isBot), is_admin: false, is_app_user: false,
        profile: compact({ real_name: real, display_name: u.name, email: u.email, team: ctx.identity.teamId }),
      }),
    };
  },
  'usergroups.users.list': (ctx, args) => {
    const members = typeof args.usergroup === 'string' ? ctx.state.usergroups.get(args.usergroup) : undefined;
    return members ? { ok: true, users: [...members] } : fail('no_such_subteam');
  },
  'views.open': openView,
};
