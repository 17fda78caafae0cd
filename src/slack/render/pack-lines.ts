import { clipPlain } from './clip-text.js';

// Lists (alerts, hosts, checks) grow with the incident; these pack them into as few sections as
// fit, and end with a note counting what did not.

export interface PackOptions {
  heading?: string;
  maxSections: number;
  maxLines?: number;
  /** Under Slack's 3000 so the "more" note always has room. */
  maxChars?: number;
  maxLineChars?: number;
  more: (hidden: number) => string;
}

export function packLines(lines: string[], o: PackOptions): string[] {
  const maxChars = o.maxChars ?? 2700;
  const maxLines = o.maxLines ?? Infinity;
  const sections: string[] = [];
  let cur = o.heading ?? '';
  let used = 0;
  for (const raw of lines) {
    if (used >= maxLines) break;
    const line = clipPlain(raw, o.maxLineChars ?? 600, true);
    if (cur !== '' && cur.length + 1 + line.length > maxChars) {
      if (sections.length + 1 >= o.maxSections) break;
      sections.push(cur);
      cur = line;
    } else {
      cur = cur === '' ? line : `${cur}\n${line}`;
    }
    used += 1;
  }
  const hidden = lines.length - used;
  if (hidden > 0) cur = cur === '' ? o.more(hidden) : `${cur}\n${o.more(hidden)}`;
  if (cur !== '') sections.push(cur);
  return sections;
}
