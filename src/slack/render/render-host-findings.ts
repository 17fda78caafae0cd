import type { KnownBlock } from '@slack/types';
import { buildHostReport, type HostReport, type HostReportInput, type ReportFinding, type Sparkline } from '../../core/report/index.js';
import { actions, context, divider, section, type ActionButton, type SlackMessage } from './blocks.js';
import { clipMrkdwn, clipPlain } from './clip-text.js';
import { fitToSlackLimits } from './fit-to-slack-limits.js';
import { checksSections, commandProblemSections, nextStepsSections, notesSections } from './host-sections.js';
import { escapeMrkdwn, formatDuration, inlineCode, plural } from './mrkdwn.js';
import { evidenceText, findingText, formatConfidence, type SeenExcerpts } from './render-evidence.js';
import { feedbackRow, feedbackTally, type FeedbackView } from './render-feedback.js';

// The thread reply for one host. Order is what an on-call engineer needs: the root cause and
// its evidence, what to do, then symptoms and contributing causes, then coverage.

export interface HostFindingsOptions {
  incidentId?: number;
  buttons?: ActionButton[];
  /** Sections shown before the findings, e.g. the before/after check of a remediation. */
  lead?: string[];
  /** Remediation previews and outcomes, shown right above the buttons. */
  actionSections?: string[];
  /** The "right / wrong cause" row and its tally (not for unreachable hosts: nothing to judge). */
  feedback?: FeedbackView;
}

const MAX_ROOT_EXCERPTS = 4;
const MAX_OTHER_FINDINGS = 10;
const ROOT_EVIDENCE = { maxChars: 3000, maxExcerpts: 1, maxLines: 15, maxLineChars: 300 };
const OTHER_EVIDENCE = { maxChars: 3000, maxExcerpts: 2, maxLines: 6, maxLineChars: 300, maxSummary: 800 };
const MAX_SUMMARY = 1500;

function jsonHint(host: string): string {
  return `see ${inlineCode(`diagbot diagnose ${host} --format json`)}`;
}

/** Who, where, how long: the searchable line under the headline. */
function metaLine(r: HostReport, opts: HostFindingsOptions, lead: string[]): string {
  const where = r.address && r.address !== r.host ? `${escapeMrkdwn(r.host)} (${escapeMrkdwn(r.address)})` : escapeMrkdwn(r.host);
  const incident = opts.incidentId !== undefined ? [`incident #${opts.incidentId}`] : [];
  const via = r.via ? [`behind ${escapeMrkdwn(r.via.host)}, whose nginx sends requests to ${escapeMrkdwn(r.via.target)}`] : [];
  const tally = opts.feedback && r.outcome !== 'unreachable' ? feedbackTally(opts.feedback.answers) : null;
  return [...lead, where, ...via, formatDuration(r.durationMs), ...incident, ...(tally ? [tally] : [])].join(' · ');
}

/** The shown confidence, and where it came from when this installation's feedback moved it. */
function confidenceText(f: ReportFinding): string | null {
  const shown = formatConfidence(f.confidence);
  if (!shown || !f.calibration) return shown;
  if (f.accuracyNote) return `${shown} (${escapeMrkdwn(f.accuracyNote)})`;
  const answers = f.calibration.confirmed + f.calibration.corrected;
  return `${shown} (built-in ${f.calibration.builtIn}, ${plural(answers, 'answer')} here)`;
}

/** The 5xx curve: bars in inline code (monospace, so the marks line up), then what they mark. */
function curveText(s: Sparkline): string {
  const unit = s.minutesPerBar === 1 ? 'per minute' : `per ${s.minutesPerBar} min`;
  return `:chart_with_upwards_trend: 5xx ${unit} ${inlineCode(s.line)} ${s.span}, peak ${s.peak}${s.legend ? `\n${escapeMrkdwn(s.legend)}` : ''}`;
}

function rootBlocks(r: HostReport, root: ReportFinding, opts: HostFindingsOptions, seen: SeenExcerpts): KnownBlock[] {
  const title = `:red_circle: *Root cause on ${escapeMrkdwn(r.host)}: ${escapeMrkdwn(r.title)}*`;
  const blocks: KnownBlock[] = [
    section(`${title}\n${clipMrkdwn(escapeMrkdwn(root.summary), MAX_SUMMARY)}`),
    context(metaLine(r, opts, [`root cause: ${inlineCode(root.category)}`, root.severity, confidenceText(root)].filter((x): x is string => x !== null))),
  ];
  if (r.curve) blocks.push(section(clipMrkdwn(curveText(r.curve), 3000)));
  // One section per excerpt: the root cause's evidence is the part worth the most room.
  for (const e of root.evidence.slice(0, MAX_ROOT_EXCERPTS)) blocks.push(section(clipMrkdwn(evidenceText(e, ROOT_EVIDENCE, seen), ROOT_EVIDENCE.maxChars)));
  if (root.evidence.length > MAX_ROOT_EXCERPTS) {
    blocks.push(context(`_… ${plural(root.evidence.length - MAX_ROOT_EXCERPTS, 'more excerpt')} not shown; ${jsonHint(r.host)}_`));
  }
  return blocks;
}

function unreachableBlocks(r: HostReport, opts: HostFindingsOptions): KnownBlock[] {
  const reason = r.unreachableReason ? `${inlineCode(r.unreachableReason)}: ` : '';
  return [
    section(`:no_entry: *${escapeMrkdwn(r.host)} could not be diagnosed: host unreachable*\n${reason}${clipMrkdwn(escapeMrkdwn(r.error ?? 'no reason given'), MAX_SUMMARY)}`),
    context(metaLine(r, opts, [inlineCode('host_unreachable'), ...(r.unreachableReason ? [escapeMrkdwn(r.unreachableReason)] : [])])),
  ];
}

function healthyBlocks(r: HostReport, opts: HostFindingsOptions): KnownBlock[] {
  return [
    section(`:large_green_circle: *${escapeMrkdwn(r.host)}: no cause for 500s found*\n`
      + 'No warning or critical signal in nginx, the application logs or the host\'s resources. '
      + 'If users still see 500s, they come from somewhere else: another host, or a layer in front of this one.'),
    context(metaLine(r, opts, ['no root cause'])),
  ];
}

function otherFindingBlocks(r: HostReport, seen: SeenExcerpts): KnownBlock[] {
  const all = [...r.symptoms, ...r.contributing, ...r.other];
  const blocks: KnownBlock[] = all.slice(0, MAX_OTHER_FINDINGS).map((f) => section(findingText(f, OTHER_EVIDENCE, seen)));
  const hidden = all.length - MAX_OTHER_FINDINGS + r.omittedFindings;
  if (hidden > 0) blocks.push(context(`_… ${plural(hidden, 'more finding')} not shown; ${jsonHint(r.host)}_`));
  return blocks;
}

function fallbackText(r: HostReport): string {
  const detail = r.outcome === 'root_cause' ? ` ${r.rootCause!.summary}` : r.outcome === 'unreachable' && r.error ? ` ${r.error}` : '';
  return clipPlain(escapeMrkdwn(`${r.headline}${detail}`), 300, true);
}

export function renderHostFindings(result: HostReportInput, opts: HostFindingsOptions = {}): SlackMessage {
  const r = buildHostReport(result);
  const seen: SeenExcerpts = new Set();
  const blocks: KnownBlock[] = (opts.lead ?? []).map((t) => section(clipMrkdwn(t, 3000)));
  if (blocks.length > 0) blocks.push(divider());
  blocks.push(...(r.outcome === 'root_cause' ? rootBlocks(r, r.rootCause!, opts, seen)
    : r.outcome === 'unreachable' ? unreachableBlocks(r, opts) : healthyBlocks(r, opts)));
  // A healthy host's coverage is its finding, so it comes right after the headline.
  if (r.outcome === 'healthy') blocks.push(...checksSections(r).map(section));
  blocks.push(...nextStepsSections(r).map(section));
  blocks.push(...(opts.actionSections ?? []).filter(Boolean).map((t) => section(clipMrkdwn(t, 3000))));
  if (opts.buttons && opts.buttons.length > 0) blocks.push(actions(opts.buttons));
  if (opts.feedback && r.outcome !== 'unreachable') blocks.push(feedbackRow(opts.feedback.diagnosisId, r.rootCause?.category ?? null));
  const others = otherFindingBlocks(r, seen);
  if (others.length > 0) blocks.push(divider(), ...others);
  const tail = [
    ...(r.outcome === 'root_cause' ? checksSections(r) : []),
    ...commandProblemSections(r),
    ...notesSections(r),
  ];
  if (tail.length > 0) blocks.push(divider(), ...tail.map(section));
  return fitToSlackLimits({ text: fallbackText(r), blocks }, { moreHint: jsonHint(r.host) });
}
