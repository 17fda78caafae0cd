import type { HostReportInput } from '../core/report/index.js';
import type { DiagnosisState, SyncSnapshot } from '../db/sync-store.js';
import { renderHostFindings, type SlackMessage } from './render/index.js';
import { actionStatusLine, offerButton, offerPreview, rerunButton } from './render/render-actions.js';
import type { FeedbackAnswerView } from './render/render-feedback.js';
import { verificationText } from './render/render-verification.js';
import { offersFor, verificationFor } from './snapshot-view.js';

// The thread reply for one diagnosis, from the stored snapshot alone (pure), so a re-render after
// a press or an expiry shows exactly what Postgres holds.

/**
 * A host's findings with its offers (open ones as preview + button, pressed ones as a status
 * line) and the "right / wrong cause" row with the answers given so far.
 */
export function replyFor(d: DiagnosisState, s: SyncSnapshot, feedback: readonly FeedbackAnswerView[] = []): SlackMessage | null {
  const incidentId = s.incident.id;
  if (d.state === 'done' && d.result) {
    const offers = offersFor(s, d.id);
    const open = offers.filter((a) => a.state === 'proposed');
    const verification = verificationFor(s, d);
    return renderHostFindings(d.result as HostReportInput, {
      incidentId,
      lead: verification ? [verificationText(verification)] : [],
      actionSections: [...open.map(offerPreview), ...offers.filter((a) => a.state !== 'proposed').map(actionStatusLine)],
      buttons: [...open.map(offerButton), rerunButton(d.id)],
      feedback: { diagnosisId: d.id, answers: [...feedback] },
    });
  }
  if (d.state === 'failed') {
    const text = `:warning: ${d.host}: diagnosis could not run: ${d.error ?? 'unknown error'}`;
    return { text, blocks: [{ type: 'section', text: { type: 'plain_text', text: text.slice(0, 2900) } }] };
  }
  return null;
}
