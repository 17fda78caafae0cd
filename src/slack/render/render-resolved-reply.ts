import type { Category } from '../../core/types.js';
import { buildIncidentReport, type IncidentView } from '../../core/report/index.js';
import { context, section, type SlackMessage } from './blocks.js';
import { clipMrkdwn, clipPlain } from './clip-text.js';
import { fitToSlackLimits } from './fit-to-slack-limits.js';
import { escapeMrkdwn, formatDuration, inlineCode, plural, slackDate } from './mrkdwn.js';

// The short reply posted in the thread when the alert group resolves: how long it lasted and
// what diagbot found, so the thread reads as a complete story for the post-mortem.

const MAX_HOSTS_PER_CAUSE = 5;

function hostList(hosts: string[]): string {
  const shown = hosts.slice(0, MAX_HOSTS_PER_CAUSE).map((h) => escapeMrkdwn(clipPlain(h, 80))).join(', ');
  return `${shown}${hosts.length > MAX_HOSTS_PER_CAUSE ? ` and ${hosts.length - MAX_HOSTS_PER_CAUSE} more` : ''}`;
}

function causeLines(hostsByCause: Map<Category, string[]>): string[] {
  return [...hostsByCause].map(([cat, hosts]) => `• ${inlineCode(cat)} on ${hostList(hosts)}`);
}

export function renderResolvedReply(view: IncidentView): SlackMessage {
  const r = buildIncidentReport(view);
  const started = Date.parse(r.createdAt);
  const ended = r.resolvedAt ? Date.parse(r.resolvedAt) : NaN;
  const lasted = Number.isNaN(started) || Number.isNaN(ended) || ended < started ? '' : ` after ${formatDuration(ended - started)}`;
  const when = r.resolvedAt ? ` (${slackDate(r.resolvedAt)})` : '';
  const hostsByCause = new Map<Category, string[]>();
  for (const h of r.hosts) {
    if (h.kind === 'root_cause' && h.category) hostsByCause.set(h.category, [...(hostsByCause.get(h.category) ?? []), h.host]);
  }
  const lines = [`:large_green_circle: *Resolved*${lasted}${when}: ${escapeMrkdwn(clipPlain(r.title, 200))}`];
  if (hostsByCause.size > 0) lines.push(`Root ${hostsByCause.size === 1 ? 'cause' : 'causes'} found while it fired:`, ...causeLines(hostsByCause));
  else if (r.hosts.length > 0) lines.push('No root cause was found on the diagnosed hosts.');
  const unreachable = r.hosts.filter((h) => h.kind === 'unreachable').map((h) => h.host);
  if (unreachable.length > 0) lines.push(`Could not be reached: ${hostList(unreachable)}.`);
  const pending = r.counts.running + r.counts.queued;
  if (pending > 0) lines.push(`${plural(pending, 'host')} still being diagnosed; findings will follow here.`);
  const text = clipPlain(escapeMrkdwn(`RESOLVED: ${r.title} · incident #${r.id}`), 300, true);
  return fitToSlackLimits({ text, blocks: [section(clipMrkdwn(lines.join('\n'), 2900)), context(`incident #${r.id}`)] });
}
