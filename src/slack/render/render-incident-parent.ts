import type { KnownBlock } from '@slack/types';
import { buildIncidentReport, sharedCauseText, type IncidentReport, type IncidentView } from '../../core/report/index.js';
import { context, header, section, type SlackMessage } from './blocks.js';
import { clipMrkdwn, clipPlain } from './clip-text.js';
import { fitToSlackLimits } from './fit-to-slack-limits.js';
import { alertLineText, categoryList, groupedHostLines, hostsHeading } from './incident-lines.js';
import { escapeMrkdwn, inlineCode, plural, slackDate, userMention } from './mrkdwn.js';
import { packLines } from './pack-lines.js';

// The channel message an incident's thread hangs from. It is edited as hosts finish, so it
// shows the state of every host at a glance and leaves the evidence to the thread.

const MAX_ALERT_LINES = 10;
const MAX_HOST_LINES = 40;
const MAX_UNMATCHED = 20;
const HEADER_MAX = 150;
const SOURCE_NAMES = { alertmanager: 'Alertmanager', grafana: 'Grafana', slash: '/diagnose' } as const;

function slashHeader(r: IncidentReport): string {
  const pending = r.counts.running + r.counts.queued > 0;
  const names = r.hostNames;
  // Long host lists end with a count rather than a cut name.
  let list = '';
  let shown = 0;
  for (const name of names) {
    const next = shown === 0 ? name : `${list}, ${name}`;
    if (shown > 0 && next.length > HEADER_MAX - 40) break;
    list = next;
    shown += 1;
  }
  if (shown < names.length) list = `${list} and ${names.length - shown} more`;
  return clipPlain(`:mag: ${pending ? 'Diagnosing' : 'Diagnosed'} ${list || 'no hosts'}`, HEADER_MAX);
}

function alertHeader(r: IncidentReport): string {
  const word = r.status === 'firing' ? ':red_circle: FIRING' : ':large_green_circle: RESOLVED';
  return clipPlain(`${word}: ${r.title.replace(/\s+/g, ' ')}`, HEADER_MAX);
}

function alertSections(r: IncidentReport): string[] {
  if (r.alerts.length === 0) return [];
  const firing = r.alerts.filter((a) => a.status === 'firing').length;
  const heading = `*${plural(r.alerts.length, 'alert')}*${firing > 0 && firing < r.alerts.length ? ` (${firing} firing)` : ''}`;
  return packLines(r.alerts.map(alertLineText), {
    heading, maxSections: 2, maxLines: MAX_ALERT_LINES, maxLineChars: 700, more: (n) => `_… ${plural(n, 'more alert')} not shown_`,
  });
}

function hostSections(r: IncidentReport): string[] {
  if (r.hosts.length === 0) {
    return r.unmatchedHosts.length > 0 ? [] : ['_No inventory host is named by these alerts, so nothing was diagnosed._'];
  }
  const lines = groupedHostLines(r);
  // With shared-cause and group lines in the list, what is cut is lines, not only hosts.
  const unit = lines.length === r.hosts.length ? 'more host' : 'more line';
  return packLines(lines, {
    heading: hostsHeading(r), maxSections: 3, maxLines: MAX_HOST_LINES, maxLineChars: 400,
    more: (n) => `_… ${plural(n, unit)} not shown_`,
  });
}

function unmatchedSection(r: IncidentReport): string[] {
  if (r.unmatchedHosts.length === 0) return [];
  const shown = r.unmatchedHosts.slice(0, MAX_UNMATCHED).map((h) => inlineCode(clipPlain(h, 80)));
  const more = r.unmatchedHosts.length > MAX_UNMATCHED ? ` and ${r.unmatchedHosts.length - MAX_UNMATCHED} more` : '';
  return [`:grey_question: Named by the alerts but not in the inventory, so not diagnosed: ${shown.join(', ')}${more}`];
}

function footer(r: IncidentReport): string {
  const who = r.source === 'slash' && r.requestedBy ? [`requested by ${userMention(r.requestedBy)}`] : [];
  const causes = r.rootCauseCategories.length > 0
    ? [`root ${r.rootCauseCategories.length === 1 ? 'cause' : 'causes'}: ${categoryList(r)}`] : [];
  const when = r.status === 'resolved' && r.resolvedAt ? `resolved ${slackDate(r.resolvedAt)}` : `started ${slackDate(r.createdAt)}`;
  const source = r.source === 'slash' ? [] : [SOURCE_NAMES[r.source]];
  return [...who, `incident #${r.id}`, ...source, ...causes, when, 'details in the thread'].join(' · ');
}

/** Title, host states and category ids, so the notification alone says what is known. */
function fallbackText(r: IncidentReport): string {
  const lead = r.source === 'slash' ? slashHeader(r).replace(/^:mag: /, '') : alertHeader(r).replace(/^:[a-z_]+: /, '');
  const hosts = r.hosts.slice(0, 3).map((h) => `${h.host}: ${h.kind === 'root_cause' ? h.category : h.kind === 'running' ? 'diagnosing…' : h.kind}`);
  const more = r.hosts.length > 3 ? [`+${r.hosts.length - 3} more hosts`] : [];
  const shared = r.causes.sharedCauses.slice(0, 1).map((s) => sharedCauseText(s, r.hosts.length));
  return clipPlain(escapeMrkdwn([lead, ...shared, ...hosts, ...more, `incident #${r.id}`].join(' · ')), 300, true);
}

export function renderIncidentParent(view: IncidentView): SlackMessage {
  const r = buildIncidentReport(view);
  const blocks: KnownBlock[] = [header(r.source === 'slash' ? slashHeader(r) : alertHeader(r))];
  blocks.push(...alertSections(r).map(section));
  blocks.push(...hostSections(r).map(section));
  blocks.push(...unmatchedSection(r).map((t) => section(clipMrkdwn(t, 2900))));
  if (r.slackError) blocks.push(section(`:warning: ${clipMrkdwn(escapeMrkdwn(r.slackError), 1000)}`));
  blocks.push(context(footer(r)));
  return fitToSlackLimits({ text: fallbackText(r), blocks });
}
