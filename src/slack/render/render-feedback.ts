import type { ActionsBlock, Button, PlainTextOption, StaticSelect } from '@slack/types';
import { CATEGORY_TITLES, NO_PROBLEM } from '../../core/report/index.js';
import { CATEGORIES, type Category } from '../../core/types.js';
import { clipPlain } from './clip-text.js';
import { escapePlain, inlineCode, userMention } from './mrkdwn.js';
import { ACTION_IDS } from './render-actions.js';

// The feedback row under a findings reply: "Right cause", or "Wrong cause → …" with what it
// really was. Values name the diagnosis and the choice only; the handler looks the rest up.

export { NO_PROBLEM };
export const SOMETHING_ELSE = 'something_else';
/** What a diagnosis can be corrected to. host_unreachable is left out: the host was reached. */
export const FEEDBACK_CHOICES = [...CATEGORIES.filter((c) => c !== 'host_unreachable'), NO_PROBLEM, SOMETHING_ELSE] as const;
export type FeedbackChoice = (typeof FEEDBACK_CHOICES)[number];

export interface FeedbackAnswerView {
  userId: string;
  verdict: 'confirmed' | 'corrected';
  correctedTo: string | null;
  at: string;
}

export interface FeedbackView {
  diagnosisId: number;
  answers: FeedbackAnswerView[];
}

const MAX_NAMED = 5;

const CHOICE_TITLES: Record<string, string> = { [NO_PROBLEM]: 'nothing was wrong', [SOMETHING_ELSE]: 'not in this list' };

function plain(text: string) {
  return { type: 'plain_text' as const, text: escapePlain(text), emoji: true };
}

function option(diagnosisId: number, choice: FeedbackChoice): PlainTextOption {
  const title = CATEGORY_TITLES[choice as Category] ?? CHOICE_TITLES[choice] ?? '';
  return { text: plain(clipPlain(`${choice} (${title})`, 75)), value: `${diagnosisId}:${choice}` };
}

/** `category` is what the reply says: its root cause, or null for "no cause for 500s found". */
export function feedbackRow(diagnosisId: number, category: Category | null): ActionsBlock {
  const said = category ?? NO_PROBLEM;
  const right: Button = {
    type: 'button', action_id: ACTION_IDS.feedback_right, value: String(diagnosisId),
    text: plain(category ? 'Right cause' : 'Right: nothing wrong'),
  };
  const wrong: StaticSelect = {
    type: 'static_select', action_id: ACTION_IDS.feedback_wrong,
    placeholder: plain(category ? 'Wrong cause → …' : 'Missed a cause → …'),
    options: FEEDBACK_CHOICES.filter((c) => c !== said).map((c) => option(diagnosisId, c)),
  };
  return { type: 'actions', block_id: `diagbot_feedback_${diagnosisId}`, elements: [right, wrong] };
}

function named(users: string[]): string {
  const shown = users.slice(0, MAX_NAMED).map(userMention).join(', ');
  return users.length > MAX_NAMED ? `${shown} and ${users.length - MAX_NAMED} more` : shown;
}

/** "confirmed by @alice · corrected by @bob (→ `dependency_down`)", or null without answers. */
export function feedbackTally(answers: readonly FeedbackAnswerView[]): string | null {
  const confirmed = answers.filter((a) => a.verdict === 'confirmed').map((a) => a.userId);
  const corrected = answers.filter((a) => a.verdict === 'corrected');
  const parts: string[] = [];
  if (confirmed.length > 0) parts.push(`confirmed by ${named(confirmed)}`);
  if (corrected.length > 0) {
    const to = [...new Set(corrected.map((a) => a.correctedTo ?? SOMETHING_ELSE))].slice(0, 3).map((c) => inlineCode(c)).join(', ');
    parts.push(`corrected by ${named(corrected.map((a) => a.userId))} (→ ${to})`);
  }
  return parts.length > 0 ? parts.join(' · ') : null;
}
