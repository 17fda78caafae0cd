import { safeText } from '../../core/report/index.js';
import { context, section, type SlackMessage } from './blocks.js';
import { clipPlain } from './clip-text.js';
import { fitToSlackLimits } from './fit-to-slack-limits.js';
import { escapeMrkdwn, inlineCode, plural } from './mrkdwn.js';

// Ephemeral answers to `/diagnose`: only the person who typed it sees them, so they can be
// direct about what went wrong and what to type instead.

const MAX_UNKNOWN = 10;
const MAX_KNOWN = 30;
const MAX_NAME = 60;

export function renderDiagnoseHelp(): SlackMessage {
  const text = [
    '*`/diagnose HOST…`* runs diagbot\'s read-only triage on inventory hosts over SSH and posts the findings in a thread here.',
    '• `/diagnose web-1`: diagnose one host',
    '• `/diagnose web-1 web-2`: several hosts in parallel, one thread reply each',
    '• `/diagnose accuracy [30d]`: how often each root cause was confirmed or corrected here',
    '• `/diagnose help`: this message',
    'Findings start with the root cause (its category id, e.g. `db_pool_exhaustion`, is searchable), then symptoms with their log excerpts. '
      + 'Remediation buttons appear only when the evidence calls for them, and ask for confirmation. '
      + 'Tell diagbot whether it was right with *Right cause* / *Wrong cause → …* under each finding.',
  ].join('\n');
  return fitToSlackLimits({
    text: 'Usage: /diagnose HOST… (inventory host names), or /diagnose help',
    blocks: [section(text), context('Only host names from the inventory are accepted; nothing you type reaches a shell.')],
  });
}

const code = (name: string) => inlineCode(clipPlain(name, MAX_NAME));

/** `unknown` is what the user typed: someone pasting a token by mistake should not see it echoed. */
export function renderUnknownHosts(typed: string[], suggestions: Record<string, string[]>, known: string[]): SlackMessage {
  const unknown = typed.map((t) => safeText(t, 1));
  const lines = typed.slice(0, MAX_UNKNOWN).map((name) => {
    const close = (suggestions[name] ?? []).slice(0, 3);
    return `• ${code(safeText(name, 1))}${close.length > 0 ? `: did you mean ${close.map(code).join(' or ')}?` : ': no similar host in the inventory'}`;
  });
  if (unknown.length > MAX_UNKNOWN) lines.push(`_… ${plural(unknown.length - MAX_UNKNOWN, 'more unknown host')} not shown_`);
  const heading = `:warning: ${unknown.length === 1 ? 'This host is' : 'These hosts are'} not in the inventory, so nothing was diagnosed:`;
  const knownList = known.length === 0
    ? 'The inventory has no hosts.'
    : `Known hosts (${known.length}): ${known.slice(0, MAX_KNOWN).map(code).join(', ')}${known.length > MAX_KNOWN ? ` and ${known.length - MAX_KNOWN} more` : ''}`;
  const fallback = `Unknown host${unknown.length === 1 ? '' : 's'}: ${unknown.slice(0, 5).map((n) => clipPlain(n, MAX_NAME)).join(', ')}`;
  return fitToSlackLimits({
    text: clipPlain(escapeMrkdwn(fallback), 300, true),
    blocks: [section([heading, ...lines].join('\n')), context(knownList)],
  });
}
