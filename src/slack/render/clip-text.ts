// Cutting text to a length without breaking what Slack parses: an entity (`&amp;`), one of our
// own `<…>` tokens (dates, links, mentions), a surrogate pair, or a code fence left open.

const FENCE = '```';
/** Room kept for the closing fence and the "… N more lines not shown" note. */
const NOTE_RESERVE = 64;

/** Drops a trailing partial entity, `<…>` token, surrogate half or lone backticks. */
function safeEnd(text: string, mrkdwn: boolean): string {
  let out = text;
  if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  if (!mrkdwn) return out;
  out = out.replace(/&[a-z#0-9]*$/i, '').replace(/<[^>]*$/, '').replace(/`+$/, '');
  return out;
}

export function countFences(text: string): number {
  return text.split(FENCE).length - 1;
}

/** Short text (headers, buttons, list lines, the fallback): cut and mark with an ellipsis. */
export function clipPlain(text: string, max: number, mrkdwn = false): string {
  if (text.length <= max) return text;
  return `${safeEnd(text.slice(0, Math.max(0, max - 1)), mrkdwn)}…`;
}

/** One line of an excerpt or list, so a single 100 KB log line cannot take a whole block. */
export function clipLine(line: string, max: number): string {
  return line.length <= max ? line : `${safeEnd(line.slice(0, max - 1), false)}…`;
}

/**
 * Mrkdwn cut to `max` characters, at a line end where one is near, with a note saying how much
 * was left out. A fence open at the cut is closed so the rest of the message renders normally.
 */
export function clipMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= NOTE_RESERVE * 2) return clipPlain(text, max, true);
  let head = text.slice(0, max - NOTE_RESERVE);
  const nl = head.lastIndexOf('\n');
  if (nl > head.length / 2) head = head.slice(0, nl);
  head = safeEnd(head, true);
  const rest = text.slice(head.length);
  const hidden = rest.split('\n').filter((l) => l.trim() !== '' && l.trim() !== FENCE).length;
  const close = countFences(head) % 2 === 1 ? `\n${FENCE}` : '';
  const note = hidden > 1 ? `_… ${hidden} more lines not shown_` : `_… ${rest.length} more characters not shown_`;
  return `${head}${close}\n${note}`;
}
