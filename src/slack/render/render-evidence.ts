import type { ReportEvidence, ReportFinding } from '../../core/report/index.js';
import { clipLine, clipMrkdwn } from './clip-text.js';
import { codeBlock, escapeMrkdwn, inlineCode, plural } from './mrkdwn.js';

// Evidence as people read it in a thread: where it came from, then the lines verbatim in a code
// block. Budgets keep one finding to one section; cuts are always announced.

export interface EvidenceBudget {
  maxChars: number;
  maxExcerpts: number;
  maxLines: number;
  maxLineChars: number;
}

/**
 * Excerpts already shown in this message, so a stack trace quoted by two findings is printed
 * once and referred to after that.
 */
export type SeenExcerpts = Set<string>;

export function evidenceText(e: ReportEvidence, b: Pick<EvidenceBudget, 'maxLines' | 'maxLineChars'>, seen?: SeenExcerpts): string {
  const key = `${e.source}\u0000${e.excerpt}`;
  if (seen?.has(key)) return `from ${inlineCode(e.source)}: _the same lines as above_`;
  seen?.add(key);
  const lines = e.excerpt.replace(/\n+$/, '').split('\n');
  const shown = lines.slice(0, b.maxLines).map((l) => clipLine(l, b.maxLineChars));
  const hidden = Math.max(e.totalLines, lines.length) - shown.length;
  const more = hidden > 0 ? `\n_… ${plural(hidden, 'more line')} not shown_` : '';
  return `from ${inlineCode(e.source)}:\n${codeBlock(shown.join('\n'))}${more}`;
}

/** Excerpts appended while they fit; those that do not are counted in a note. */
export function appendEvidence(head: string, evidence: ReportEvidence[], b: EvidenceBudget, seen?: SeenExcerpts): string {
  let text = head;
  let shown = 0;
  for (const e of evidence.slice(0, b.maxExcerpts)) {
    // Room is kept for the closing notes; a big excerpt is cut rather than skipped when it is
    // the first one or there is still a useful amount of room.
    const room = b.maxChars - 80 - text.length;
    const piece = `\n${evidenceText(e, b, seen)}`;
    if (piece.length <= room) {
      text += piece;
      shown += 1;
      continue;
    }
    if (room > 300) {
      text += clipMrkdwn(piece, room);
      shown += 1;
    }
    break;
  }
  const hidden = evidence.length - shown;
  if (hidden > 0) text += `\n_… ${plural(hidden, 'more excerpt')} not shown_`;
  return clipMrkdwn(text, b.maxChars);
}

export function formatConfidence(c: number | null): string | null {
  return c === null ? null : `confidence ${Math.round(c * 100) / 100}`;
}

const ROLE_LABEL = { root_cause: 'Also found', symptom: 'Symptom', contributing: 'Contributing' } as const;
const ROLE_EMOJI = { root_cause: ':grey_question:', symptom: ':small_orange_diamond:', contributing: ':small_blue_diamond:' } as const;

/** A non-root finding: label, category id, severity, summary, then its excerpts. */
export function findingText(f: ReportFinding, b: EvidenceBudget & { maxSummary: number }, seen?: SeenExcerpts): string {
  const info = f.severity === 'info';
  const label = info ? 'Note' : ROLE_LABEL[f.role];
  const emoji = info ? ':information_source:' : ROLE_EMOJI[f.role];
  const meta = [inlineCode(f.category), f.severity, formatConfidence(f.confidence)].filter(Boolean).join(' · ');
  const summary = clipMrkdwn(escapeMrkdwn(f.summary), b.maxSummary);
  return appendEvidence(`${emoji} *${label}* · ${meta}\n${summary}`, f.evidence, b, seen);
}
