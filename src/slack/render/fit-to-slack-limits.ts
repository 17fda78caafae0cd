import type { ActionsBlock, Button, ConfirmationDialog, ContextBlock, KnownBlock, SectionBlock, TextObject } from '@slack/types';
import { context, type SlackMessage } from './blocks.js';
import { clipMrkdwn, clipPlain } from './clip-text.js';
import { FALLBACK_TEXT_MAX, SLACK_LIMITS as L } from './limits.js';

// The last line of defence before a post: whatever a renderer produced, the result is within
// every Block Kit limit, because Slack rejects a whole message for one oversized field and a
// finding that is not posted helps nobody. Renderers budget their content so this rarely cuts;
// when it does, it cuts from the end (the root cause comes first) and says so.

export interface FitOptions {
  /** Appended to "… N more sections not shown", e.g. where to read the full result. */
  moreHint?: string;
}

function fitText<T extends TextObject>(t: T, max: number): T {
  const text = t.type === 'mrkdwn' ? clipMrkdwn(t.text, max) : clipPlain(t.text, max, true);
  // Slack rejects empty text objects as well as long ones.
  return { ...t, text: text === '' ? '-' : text };
}

function fitConfirm(c: ConfirmationDialog): ConfirmationDialog {
  return {
    ...c,
    ...(c.title ? { title: fitText(c.title, L.confirmTitle) } : {}),
    text: fitText(c.text, L.confirmText),
    ...(c.confirm ? { confirm: fitText(c.confirm, L.confirmButton) } : {}),
    ...(c.deny ? { deny: fitText(c.deny, L.confirmButton) } : {}),
  };
}

/**
 * A button whose value or action id is too long is dropped, not cut: a truncated payload would
 * reach the action handler as a different, wrong request.
 */
function fitButton(b: Button): Button | null {
  if ((b.value?.length ?? 0) > L.buttonValue || (b.action_id?.length ?? 0) > L.actionId) return null;
  return { ...b, text: fitText(b.text, L.buttonText), ...(b.confirm ? { confirm: fitConfirm(b.confirm) } : {}) };
}

function fitSection(s: SectionBlock): SectionBlock {
  const out: SectionBlock = { ...s };
  if (s.text) out.text = fitText(s.text, L.sectionText);
  if (s.fields) {
    const fields = s.fields.length > L.sectionFields
      ? [...s.fields.slice(0, L.sectionFields - 1), { type: 'mrkdwn' as const, text: `_… ${s.fields.length - L.sectionFields + 1} more not shown_` }]
      : s.fields;
    out.fields = fields.map((f) => fitText(f, L.fieldText));
  }
  if (s.accessory?.type === 'button') {
    const b = fitButton(s.accessory);
    if (b) out.accessory = b;
    else delete out.accessory;
  }
  return out;
}

function fitContext(c: ContextBlock): ContextBlock {
  const elements = c.elements.length > L.contextElements
    ? [...c.elements.slice(0, L.contextElements - 1), { type: 'mrkdwn' as const, text: `_… ${c.elements.length - L.contextElements + 1} more not shown_` }]
    : c.elements;
  return { ...c, elements: elements.map((e) => (e.type === 'mrkdwn' || e.type === 'plain_text' ? fitText(e, L.contextText) : e)) };
}

function fitActions(a: ActionsBlock): ActionsBlock | null {
  const elements = a.elements
    .map((e) => (e.type === 'button' ? fitButton(e) : e))
    .filter((e): e is NonNullable<typeof e> => e !== null)
    .slice(0, L.actionsElements);
  return elements.length === 0 ? null : { ...a, elements };
}

function fitBlock(b: KnownBlock): KnownBlock | null {
  const out: KnownBlock | null = b.type === 'header' ? { ...b, text: fitText(b.text, L.headerText) }
    : b.type === 'section' ? fitSection(b)
      : b.type === 'context' ? fitContext(b)
        : b.type === 'actions' ? fitActions(b)
          : { ...b };
  if (out?.block_id !== undefined && out.block_id.length > L.blockId) out.block_id = out.block_id.slice(0, L.blockId);
  return out;
}

/** Keeps the head (root cause first) and the last block (footer or buttons), notes the rest. */
function fitBlockCount(blocks: KnownBlock[], hint: string | undefined): KnownBlock[] {
  if (blocks.length <= L.blocks) return blocks;
  const head = blocks.slice(0, L.blocks - 2);
  const dropped = blocks.length - head.length - 1;
  const note = context(clipMrkdwn(`_… ${dropped} more sections not shown${hint ? `; ${hint}` : ''}_`, 1000));
  return [...head, note, blocks[blocks.length - 1]!];
}

export function fitToSlackLimits(msg: SlackMessage, opts: FitOptions = {}): SlackMessage {
  const blocks = msg.blocks.map(fitBlock).filter((b): b is KnownBlock => b !== null);
  const text = clipPlain(msg.text.trim(), FALLBACK_TEXT_MAX, true);
  return { text: text === '' ? 'diagbot' : text, blocks: fitBlockCount(blocks, opts.moreHint) };
}
