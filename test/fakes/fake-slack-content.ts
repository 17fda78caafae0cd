// Checks on message content shared by chat.* methods and response_url posts, answering with Slack's errors.
import { validateBlocks } from './block-kit-limits.js';
import type { FakeChannel, JsonObject } from './fake-slack-types.js';
import type { FakeSlackState } from './fake-slack-state.js';

/** Slack's documented cap on a message's top-level text. */
export const MAX_TEXT = 40_000;

export type Failure = JsonObject & { ok: false; error: string };

export function fail(error: string, messages?: string[]): Failure {
  return messages?.length
    ? { ok: false, error, response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) } }
    : { ok: false, error };
}

export function isFailure(v: unknown): v is Failure {
  return typeof v === 'object' && v !== null && (v as JsonObject).ok === false;
}

/** Slack answers invalid_blocks with the reasons twice: bare in `errors`, and "[ERROR] "-prefixed in metadata. */
export function invalidBlocks(errors: string[], error = 'invalid_blocks'): Failure {
  return { ...fail(error, errors), errors };
}

export interface Content { text?: string; blocks?: unknown[]; attachments?: unknown[] }

/**
 * Reads text/blocks/attachments as Slack does: blocks that are not a JSON array → invalid_blocks_format, Block Kit
 * rule breaks → invalid_blocks, text over 40k → msg_too_long, nothing to show → no_text.
 */
export function readContent(args: JsonObject, requireSome = true): Content | Failure {
  const out: Content = {};
  if (args.blocks !== undefined && args.blocks !== '') {
    if (!Array.isArray(args.blocks)) return fail('invalid_blocks_format', ['must provide an array [json-pointer:/blocks]']);
    const errors = validateBlocks(args.blocks);
    if (errors.length) return invalidBlocks(errors);
    out.blocks = args.blocks;
  }
  if (args.attachments !== undefined && args.attachments !== '') {
    if (!Array.isArray(args.attachments)) return fail('invalid_attachments');
    out.attachments = args.attachments;
  }
  if (args.text !== undefined) out.text = String(args.text);
  if ((out.text?.length ?? 0) > MAX_TEXT) return fail('msg_too_long');
  const empty = !out.text && !out.blocks?.length && !out.attachments?.length;
  if (requireSome && empty) return fail('no_text');
  return out;
}

/**
 * The channel a call names, or Slack's refusal: unknown (and private ones the bot is not in) → channel_not_found;
 * for writes, archived → is_archived and public-but-not-joined → not_in_channel.
 */
export function channelFor(state: FakeSlackState, ref: unknown, write: boolean): FakeChannel | Failure {
  const ch = typeof ref === 'string' && ref !== '' ? state.resolveChannel(ref) : undefined;
  if (!ch || (ch.isPrivate && ch.botMember === false)) return fail('channel_not_found');
  if (write && ch.archived) return fail('is_archived');
  if (write && ch.botMember === false) return fail('not_in_channel');
  return ch;
}

/** Slack's thread_ts: "<digits>.<digits>"; anything else is invalid_thread_ts. */
export function badThreadTs(v: unknown): Failure | undefined {
  if (v === undefined || v === '') return undefined;
  return typeof v === 'string' && /^\d+\.\d+$/.test(v) ? undefined : fail('invalid_thread_ts', [`${String(v)} is not a valid thread_ts`]);
}
