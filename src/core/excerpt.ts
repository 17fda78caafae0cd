import { redact } from './redact.js';
import type { EvidenceExcerpt } from './types.js';

// Excerpts quote the source line-exact so people can grep for them; only length is bounded
// (Slack blocks are small) and secrets are masked.
export const MAX_EXCERPT_LINES = 6;
export const MAX_LINE_CHARS = 300;

/** Masks secrets first: a cut through `user:password@host` or a token would leave a part no pattern knows. */
export function clipLine(line: string): string {
  const clean = redact(line.replace(/\r$/, ''));
  return clean.length > MAX_LINE_CHARS ? `${clean.slice(0, MAX_LINE_CHARS)}…` : clean;
}

/** Keeps the head and tail of a long block with an ellipsis line between them. */
export function excerptLines(lines: readonly string[], max = MAX_EXCERPT_LINES): string {
  const picked = lines.length <= max
    ? lines
    : [...lines.slice(0, max - 3), '…', ...lines.slice(lines.length - 2)];
  return redact(picked.map(clipLine).join('\n'));
}

export function excerpt(source: string, lines: readonly string[] | string): EvidenceExcerpt {
  return { source, excerpt: excerptLines(typeof lines === 'string' ? [lines] : lines) };
}
