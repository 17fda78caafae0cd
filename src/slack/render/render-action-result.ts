import { context, section, type SlackMessage } from './blocks.js';
import { clipPlain } from './clip-text.js';
import { fitToSlackLimits } from './fit-to-slack-limits.js';
import { escapeMrkdwn, inlineCode } from './mrkdwn.js';
import { actionStatusLine, auditLines, type ActionView } from './render-actions.js';
import { packLines } from './pack-lines.js';

// The thread reply that reports how a remediation ended, with its audit trail: who pressed,
// who was refused, what ran and for how long.

export function renderActionResult(a: ActionView, opts: { incidentId?: number } = {}): SlackMessage {
  const status = actionStatusLine(a);
  const audit = packLines(auditLines(a), { heading: '*Audit*', maxSections: 1, maxLines: 20, more: (n) => `_… ${n} more not shown_` });
  const meta = [inlineCode(a.kind), `action ${inlineCode(a.id)}`, escapeMrkdwn(a.host), ...(opts.incidentId !== undefined ? [`incident #${opts.incidentId}`] : [])];
  const next = a.state === 'unknown'
    ? [section(a.kind === 'rollback'
      ? `*Verify by hand*: \`readlink -f ${escapeMrkdwn(String(a.params.currentLink ?? 'current'))}\` on ${escapeMrkdwn(a.host)}, and whether the app was restarted. diagbot will not run this action again.`
      : '*Verify by hand*: look at `pg_stat_activity` on the database. diagbot will not run this action again.')]
    : [];
  return fitToSlackLimits({
    text: clipPlain(status.replace(/<@([A-Z0-9]+)>/g, '@$1').replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1'), 300),
    blocks: [section(status), ...next, ...audit.map(section), context(meta.join(' · '))],
  });
}
