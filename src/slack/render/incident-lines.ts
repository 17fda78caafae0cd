import type { AlertLine, HostLine, IncidentReport, SharedCause } from '../../core/report/index.js';
import { clipPlain } from './clip-text.js';
import { escapeMrkdwn, formatDuration, inlineCode, link, plural, slackDate } from './mrkdwn.js';

// One line per alert and per host in an incident's parent message. Alert text is clipped hard:
// the parent is an overview, the details live in the thread.

const MAX_LABEL_VALUE = 80;
const MAX_ALERT_SUMMARY = 300;
const MAX_HOST_DETAIL = 160;

export function alertLineText(a: AlertLine): string {
  const labels = a.keyLabels.map((l) => inlineCode(`${l.key}=${clipPlain(l.value, MAX_LABEL_VALUE)}`)).join(' ');
  const summary = a.summary ? ` — ${escapeMrkdwn(clipPlain(a.summary.replace(/\s+/g, ' '), MAX_ALERT_SUMMARY))}` : '';
  const when = a.status === 'resolved' && a.endsAt ? `resolved ${slackDate(a.endsAt)}` : `since ${slackDate(a.startsAt)}`;
  const source = a.generatorUrl ? link(a.generatorUrl, 'source') : null;
  const icon = a.status === 'firing' ? ':red_circle:' : ':large_green_circle:';
  return `${icon} *${escapeMrkdwn(clipPlain(a.name, 120))}*${labels ? ` ${labels}` : ''}${summary} · ${when}${source ? ` · ${source}` : ''}`;
}

const HOST_ICON: Record<HostLine['kind'], string> = {
  root_cause: ':red_circle:',
  unreachable: ':no_entry:',
  failed: ':x:',
  running: ':hourglass_flowing_sand:',
  queued: ':hourglass:',
  healthy: ':white_check_mark:',
};

function hostDetail(h: HostLine): string {
  const detail = h.detail ? escapeMrkdwn(clipPlain(h.detail.replace(/\s+/g, ' '), MAX_HOST_DETAIL)) : '';
  switch (h.kind) {
    case 'root_cause': return `root cause ${inlineCode(h.category ?? 'unknown')}${detail ? ` — ${detail}` : ''}`;
    case 'unreachable': return `unreachable${detail ? `: ${detail}` : ''}`;
    case 'failed': return `diagnosis failed${detail ? `: ${detail}` : ''}`;
    case 'running': return 'diagnosing…';
    case 'queued': return 'queued';
    case 'healthy': return 'no problem found';
  }
}

export function hostLineText(h: HostLine): string {
  const took = h.durationMs !== null && (h.kind === 'root_cause' || h.kind === 'healthy') ? ` _(${formatDuration(h.durationMs)})_` : '';
  return `${HOST_ICON[h.kind]} *${escapeMrkdwn(clipPlain(h.host, 80))}*: ${hostDetail(h)}${took}`;
}

/** "3 with a root cause · 1 unreachable · 2 diagnosing…": the shape of a big incident at a glance. */
export function hostCounts(r: IncidentReport): string {
  const c = r.counts;
  const parts = [
    c.root_cause > 0 ? `${c.root_cause} with a root cause` : '',
    c.unreachable > 0 ? `${c.unreachable} unreachable` : '',
    c.failed > 0 ? `${c.failed} failed` : '',
    c.running + c.queued > 0 ? `${c.running + c.queued} diagnosing…` : '',
    c.healthy > 0 ? `${c.healthy} without a problem` : '',
  ].filter(Boolean);
  return parts.join(' · ');
}

export function hostsHeading(r: IncidentReport): string {
  return `*${plural(r.hosts.length, 'host')}*${r.hosts.length > 1 ? `: ${hostCounts(r)}` : ''}`;
}

/** Category ids as inline code, so a channel search for `db_pool_exhaustion` finds the thread. */
export function categoryList(r: IncidentReport): string {
  return r.rootCauseCategories.map((c) => inlineCode(c)).join(', ');
}

/** ":link: *`db_pool_exhaustion` on db-1/orders — 4 of 5 hosts*: web-1, web-2, …": one problem, said once. */
export function sharedCauseLine(s: SharedCause, hostCount: number): string {
  const names = s.hosts.slice(0, 8).map((h) => escapeMrkdwn(clipPlain(h, 60))).join(', ');
  const more = s.hosts.length > 8 ? ` and ${s.hosts.length - 8} more` : '';
  return `:link: *${inlineCode(s.category)} on ${escapeMrkdwn(clipPlain(s.resource, 120))} — ${s.hosts.length} of ${plural(hostCount, 'host')}*: ${names}${more}`;
}

/**
 * Host lines with the shared causes first and, when hosts differ in cause, a heading per cause
 * (hosts come sorted by cause already: buildIncidentReport groups them).
 */
export function groupedHostLines(r: IncidentReport): string[] {
  const shared = r.causes.sharedCauses.map((s) => sharedCauseLine(s, r.hosts.length));
  const grouped = r.causes.groups.length > 1;
  const lines: string[] = [...shared];
  let current: string | null = null;
  for (const h of r.hosts) {
    if (grouped && h.kind === 'root_cause' && h.category !== current) {
      current = h.category;
      const g = r.causes.groups.find((x) => x.category === h.category);
      lines.push(`*${inlineCode(h.category ?? 'unknown')}* (${plural(g?.hosts.length ?? 1, 'host')})`);
    } else if (grouped && h.kind !== 'root_cause' && current !== '') {
      current = '';
      lines.push('*Other hosts*');
    }
    lines.push(hostLineText(h));
  }
  return lines;
}
