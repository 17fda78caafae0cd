// Block Kit validation as Slack's API applies it, so a message the fake accepts is one Slack would accept.
// Error strings copy Slack's wording and its `[json-pointer:...]` suffix (e.g. "no more than 50 items allowed
// [json-pointer:/blocks]", "must be less than 3001 characters [json-pointer:/blocks/0/text/text]") because
// code under test may log or match them. Limits: docs.slack.dev/reference/block-kit.

export type BlockSurface = 'message' | 'modal';

export const BLOCK_LIMITS = {
  messageBlocks: 50, modalBlocks: 100, blockId: 255, sectionText: 3000, sectionFields: 10, sectionField: 2000,
  headerText: 150, contextElements: 10, actionsElements: 25, buttonText: 75, buttonValue: 2000, buttonUrl: 3000,
  actionId: 255, confirmTitle: 100, confirmText: 300, confirmButton: 30, imageUrl: 3000, altText: 2000,
  imageTitle: 2000, markdownText: 12000, inputLabel: 2000, inputHint: 2000, placeholder: 150, optionText: 75,
  optionValue: 150, selectOptions: 100, overflowOptions: 5,
} as const;
const L = BLOCK_LIMITS;

type Obj = Record<string, unknown>;
type Check = (v: Obj, p: string, out: string[], surface: BlockSurface) => void;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (msg: string, p: string) => `${msg} [json-pointer:${p}]`;

function maxLen(v: unknown, max: number, p: string, out: string[]): void {
  if (typeof v === 'string' && v.length > max) out.push(at(`must be less than ${max + 1} characters`, p));
}

function items(v: unknown, p: string, out: string[], min: number, max: number): unknown[] {
  if (!Array.isArray(v)) { out.push(at('must provide an array', p)); return []; }
  if (v.length < min) out.push(at(`must provide at least ${min} item${min === 1 ? '' : 's'}`, p));
  if (v.length > max) out.push(at(`no more than ${max} items allowed`, p));
  return v;
}

/** A text composition object; `plainOnly` where Slack refuses mrkdwn (header, button, confirm title...). */
function text(v: unknown, p: string, out: string[], max: number, plainOnly = false): void {
  if (!isObj(v)) { out.push(at('must provide an object', p)); return; }
  if (v.type !== 'plain_text' && (plainOnly || v.type !== 'mrkdwn')) {
    out.push(at(plainOnly ? 'must be plain_text' : 'must be one of [plain_text, mrkdwn]', `${p}/type`));
  }
  if (typeof v.text !== 'string') { out.push(at('must provide a string', `${p}/text`)); return; }
  if (v.text.length === 0) out.push(at('must be more than 0 characters', `${p}/text`));
  maxLen(v.text, max, `${p}/text`, out);
}

function required(v: Obj, key: string, p: string, out: string[]): boolean {
  if (v[key] !== undefined) return true;
  out.push(at(`missing required field: ${key}`, p));
  return false;
}

function confirm(v: unknown, p: string, out: string[]): void {
  if (v === undefined) return;
  if (!isObj(v)) { out.push(at('must provide an object', p)); return; }
  for (const [key, max, plain] of [['title', L.confirmTitle, true], ['text', L.confirmText, false],
    ['confirm', L.confirmButton, true], ['deny', L.confirmButton, true]] as const) {
    if (required(v, key, p, out)) text(v[key], `${p}/${key}`, out, max, plain);
  }
}

function options(v: unknown, p: string, out: string[], max: number): void {
  items(v, p, out, 1, max).forEach((o, i) => {
    const op = `${p}/${i}`;
    if (!isObj(o)) { out.push(at('must provide an object', op)); return; }
    if (required(o, 'text', op, out)) text(o.text, `${op}/text`, out, L.optionText);
    if (required(o, 'value', op, out)) maxLen(o.value, L.optionValue, `${op}/value`, out);
  });
}

/** Checks every interactive element shares: action_id, confirm, placeholder. */
function interactive(v: Obj, p: string, out: string[]): void {
  maxLen(v.action_id, L.actionId, `${p}/action_id`, out);
  confirm(v.confirm, `${p}/confirm`, out);
  if (v.placeholder !== undefined) text(v.placeholder, `${p}/placeholder`, out, L.placeholder, true);
}

const ELEMENTS: Record<string, Check> = {
  button: (v, p, out) => {
    interactive(v, p, out);
    if (required(v, 'text', p, out)) text(v.text, `${p}/text`, out, L.buttonText, true);
    maxLen(v.value, L.buttonValue, `${p}/value`, out);
    maxLen(v.url, L.buttonUrl, `${p}/url`, out);
    if (v.style !== undefined && v.style !== 'primary' && v.style !== 'danger') {
      out.push(at('must be one of [primary, danger]', `${p}/style`));
    }
  },
  image: (v, p, out) => {
    if (v.image_url === undefined && v.slack_file === undefined) out.push(at('missing required field: image_url', p));
    maxLen(v.image_url, L.imageUrl, `${p}/image_url`, out);
    if (required(v, 'alt_text', p, out)) maxLen(v.alt_text, L.altText, `${p}/alt_text`, out);
  },
  overflow: (v, p, out) => { interactive(v, p, out); options(v.options, `${p}/options`, out, L.overflowOptions); },
  static_select: (v, p, out) => {
    interactive(v, p, out);
    if (v.option_groups === undefined) options(v.options, `${p}/options`, out, L.selectOptions);
  },
  ...Object.fromEntries(['users_select', 'conversations_select', 'channels_select', 'external_select', 'multi_static_select',
    'multi_users_select', 'multi_conversations_select', 'multi_channels_select', 'multi_external_select', 'datepicker',
    'timepicker', 'datetimepicker', 'checkboxes', 'radio_buttons', 'plain_text_input', 'email_text_input',
    'url_text_input', 'number_input', 'rich_text_input', 'file_input', 'workflow_button']
    .map((t): [string, Check] => [t, (v, p, out) => interactive(v, p, out)])),
};

function element(v: unknown, p: string, out: string[], surface: BlockSurface, allowed?: readonly string[]): void {
  if (!isObj(v)) { out.push(at('must provide an object', p)); return; }
  const check = typeof v.type === 'string' ? ELEMENTS[v.type] : undefined;
  if (!check || (allowed && !allowed.includes(v.type as string))) {
    out.push(at(`unsupported type: ${String(v.type)}`, `${p}/type`));
    return;
  }
  check(v, p, out, surface);
}

/** Slack refuses two elements with one action_id inside the same block. */
function uniqueActionIds(els: unknown[], p: string, out: string[]): void {
  const seen = new Set<string>();
  els.forEach((e, i) => {
    const id = isObj(e) ? e.action_id : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id)) out.push(at(`action_id already exists: ${id}`, `${p}/${i}/action_id`));
    seen.add(id);
  });
}

const CONTEXT_ELEMENTS = ['image'] as const;
const ACTIONS_ELEMENTS = Object.keys(ELEMENTS).filter((t) => t !== 'image' && !t.endsWith('_input'));

const BLOCKS: Record<string, Check> = {
  section: (v, p, out, s) => {
    if (v.text === undefined && v.fields === undefined) out.push(at('must provide either text or fields', p));
    if (v.text !== undefined) text(v.text, `${p}/text`, out, L.sectionText);
    if (v.fields !== undefined) {
      items(v.fields, `${p}/fields`, out, 1, L.sectionFields).forEach((f, i) => text(f, `${p}/fields/${i}`, out, L.sectionField));
    }
    if (v.accessory !== undefined) element(v.accessory, `${p}/accessory`, out, s);
  },
  header: (v, p, out) => { if (required(v, 'text', p, out)) text(v.text, `${p}/text`, out, L.headerText, true); },
  divider: () => undefined,
  context: (v, p, out, s) => {
    items(v.elements, `${p}/elements`, out, 1, L.contextElements).forEach((e, i) => {
      const ep = `${p}/elements/${i}`;
      if (isObj(e) && e.type === 'image') element(e, ep, out, s, CONTEXT_ELEMENTS);
      else text(e, ep, out, L.sectionText);
    });
  },
  actions: (v, p, out, s) => {
    const els = items(v.elements, `${p}/elements`, out, 1, L.actionsElements);
    els.forEach((e, i) => element(e, `${p}/elements/${i}`, out, s, ACTIONS_ELEMENTS));
    uniqueActionIds(els, `${p}/elements`, out);
  },
  image: (v, p, out, s) => {
    ELEMENTS.image?.(v, p, out, s);
    if (v.title !== undefined) text(v.title, `${p}/title`, out, L.imageTitle, true);
  },
  markdown: (v, p, out) => {
    if (typeof v.text !== 'string') out.push(at('must provide a string', `${p}/text`));
    maxLen(v.text, L.markdownText, `${p}/text`, out);
  },
  rich_text: (v, p, out) => { items(v.elements, `${p}/elements`, out, 1, Number.MAX_SAFE_INTEGER); },
  input: (v, p, out, s) => {
    if (s !== 'modal') { out.push(at('unsupported type: input', `${p}/type`)); return; }
    if (required(v, 'label', p, out)) text(v.label, `${p}/label`, out, L.inputLabel, true);
    if (v.hint !== undefined) text(v.hint, `${p}/hint`, out, L.inputHint, true);
    if (required(v, 'element', p, out)) element(v.element, `${p}/element`, out, s);
  },
  file: (v, p, out) => { required(v, 'external_id', p, out); },
  video: (v, p, out) => { for (const k of ['alt_text', 'title', 'thumbnail_url', 'video_url']) required(v, k, p, out); },
};

/**
 * Returns Slack-style error strings for `blocks` (empty when Slack would accept them). `pointer` is where the
 * array sits in the request: '/blocks' for messages, '/view/blocks' for views.open.
 */
export function validateBlocks(blocks: unknown, surface: BlockSurface = 'message', pointer = '/blocks'): string[] {
  const out: string[] = [];
  const max = surface === 'modal' ? L.modalBlocks : L.messageBlocks;
  const list = items(blocks, pointer, out, 0, max);
  const blockIds = new Set<string>();
  list.forEach((b, i) => {
    const p = `${pointer}/${i}`;
    if (!isObj(b)) { out.push(at('must provide an object', p)); return; }
    const check = typeof b.type === 'string' ? BLOCKS[b.type] : undefined;
    if (!check) { out.push(at(`unsupported type: ${String(b.type)}`, `${p}/type`)); return; }
    if (b.block_id !== undefined) {
      if (typeof b.block_id !== 'string') out.push(at('must provide a string', `${p}/block_id`));
      else {
        maxLen(b.block_id, L.blockId, `${p}/block_id`, out);
        if (blockIds.has(b.block_id)) out.push(at(`duplicate block_id: ${b.block_id}`, `${p}/block_id`));
        blockIds.add(b.block_id);
      }
    }
    check(b, p, out, surface);
  });
  return out;
}
