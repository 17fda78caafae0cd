import type { HostFigures } from '../../core/types.js';
import { escapeMrkdwn, inlineCode, userMention } from './mrkdwn.js';
import type { ActionView } from './render-actions.js';

// The closed loop: after a remediation the host is diagnosed again, looking only at what happened
// since, and the thread shows the figures side by side and whether the root cause is gone.

export interface VerificationView {
  action: ActionView;
  before: { figures: HostFigures | null; rootCategory: string | null };
  after: { figures: HostFigures | null; rootCategory: string | null; reachable: boolean };
}

const NAME = { rollback: 'the rollback', kill_idle_connections: 'ending idle connections' } as const;

function connections(f: HostFigures | null): string {
  const c = f?.connections;
  if (!c) return 'n/a';
  const states = Object.entries(c.byState).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${escapeMrkdwn(k)} ${n}`).join(', ');
  return `${c.total}/${c.maxConnections}${states ? ` (${states})` : ''}`;
}

const release = (f: HostFigures | null) => (f?.release?.current ? inlineCode(f.release.current.replace(/^.*\//, '')) : 'n/a');
const fiveXX = (f: HostFigures | null) => (f ? `${f.fiveXX} of ${f.requests} requests in ${escapeMrkdwn(f.window)}` : 'n/a');

export function verificationText(v: VerificationView): string {
  const { before, after, action } = v;
  const who = action.startedBy ? ` by ${userMention(action.startedBy)}` : '';
  const head = `:mag: *Check after ${NAME[action.kind]}${who}* on ${escapeMrkdwn(action.host)}`;
  let verdict: string;
  if (!after.reachable) verdict = ':no_entry: The host could not be reached for the check.';
  else if (before.rootCategory && after.rootCategory === before.rootCategory) verdict = `:x: Root cause ${inlineCode(before.rootCategory)} is *still present*.`;
  else if (after.rootCategory) verdict = `:warning: ${before.rootCategory ? `${inlineCode(before.rootCategory)} is gone, but ` : ''}the host now shows ${inlineCode(after.rootCategory)}.`;
  else verdict = before.rootCategory ? `:white_check_mark: Root cause ${inlineCode(before.rootCategory)} is *gone*.` : ':white_check_mark: No root cause found.';
  const quiet = after.figures && after.figures.requests === 0
    ? `\n_No request reached nginx in the ${escapeMrkdwn(after.figures.window)} since, so the 5xx figure cannot confirm the fix yet: re-run the diagnosis once traffic has come in._` : '';
  const rows = [
    `• 5xx: ${fiveXX(before.figures)} before → ${fiveXX(after.figures)} since`,
    ...(before.figures?.release || after.figures?.release ? [`• Live release: ${release(before.figures)} → ${release(after.figures)}`] : []),
    ...(before.figures?.connections || after.figures?.connections ? [`• DB connections: ${connections(before.figures)} → ${connections(after.figures)}`] : []),
  ];
  return [head, verdict, ...rows].join('\n') + quiet;
}
