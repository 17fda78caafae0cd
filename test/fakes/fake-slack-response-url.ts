// response_url posts (what Bolt's respond() sends): JSON {text, blocks, response_type, replace_original,
// delete_original, thread_ts}. Slack knows which command or message a response_url belongs to; the fake only
// knows when the test binds it via fake.responseUrl(id, { channel, messageTs, user }).
import { fail, isFailure, readContent } from './fake-slack-content.js';
import { compact, editMessage, postAsBot, type MethodContext } from './fake-slack-methods.js';
import type { JsonObject } from './fake-slack-types.js';

export interface ResponseUrlBinding {
  /** Channel the command ran in: in_channel responses become messages there. */
  channel?: string;
  /** The message an interaction came from: replace_original edits it, delete_original deletes it. */
  messageTs?: string;
  /** Who sees ephemeral responses. */
  user?: string;
}

export interface ResponseUrlAnswer { status: number; body: JsonObject }

const truthy = (v: unknown) => v === true || v === 'true';

export function answerResponseUrl(
  ctx: MethodContext, id: string, binding: ResponseUrlBinding, args: JsonObject, maxUses: number,
): ResponseUrlAnswer {
  const uses = ctx.state.responseUrlUses.get(id) ?? 0;
  if (uses >= maxUses) return { status: 404, body: fail('used_url') };
  const ch = binding.channel === undefined ? undefined : ctx.state.resolveChannel(binding.channel);
  const original = ch && binding.messageTs !== undefined ? ctx.state.find(ch.id, binding.messageTs) : undefined;
  if (truthy(args.delete_original)) {
    if (original) ctx.state.remove(original);
  } else {
    const content = readContent(args);
    if (isFailure(content)) return { status: 400, body: content };
    if (truthy(args.replace_original) && original) {
      const refused = editMessage(original, args);
      if (refused) return { status: 400, body: refused };
    } else if (args.response_type === 'in_channel' && ch) {
      // Unlike chat.postMessage, a response_url may post where the bot is not a member.
      const posted = postAsBot(ctx, ch, args);
      if (isFailure(posted)) return { status: 400, body: posted };
    } else if (ch) {
      ctx.state.ephemerals.push(compact({
        channel: ch.id, user: binding.user ?? '', message_ts: ctx.state.nextTs(), text: content.text ?? '', blocks: content.blocks,
        thread_ts: typeof args.thread_ts === 'string' ? args.thread_ts : undefined,
      }));
    }
  }
  ctx.state.responseUrlUses.set(id, uses + 1);
  return { status: 200, body: { ok: true } };
}
