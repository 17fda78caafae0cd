import type { HostReport } from '../../core/report/index.js';
import { escapeMrkdwn, inlineCode } from './mrkdwn.js';
import { packLines } from './pack-lines.js';

// The secondary parts of a host's findings: what was checked, which commands had trouble,
// notes and next steps. Each is one compact list section, or nothing when empty.

const AREA_NAMES: Record<string, string> = {
  nginx: 'nginx', access_logs: 'access logs', error_logs: 'error logs', app_logs: 'app logs', disk: 'disk',
  memory: 'memory', descriptors: 'file descriptors', kernel_log: 'kernel log', releases: 'releases', postgres: 'postgres',
};

export function checksSections(r: HostReport): string[] {
  if (r.checks.length === 0) return [];
  const lines = r.checks.map((c) => `${c.checked ? '✓' : '–'} *${escapeMrkdwn(AREA_NAMES[c.area] ?? c.area)}*: ${escapeMrkdwn(c.detail)}`);
  return packLines(lines, { heading: '*What was checked*', maxSections: 1, maxLines: 20, maxLineChars: 300, more: (n) => `_… ${n} more checks not shown_` });
}

const PROBLEM_WORDS = { timed_out: 'timed out', failed: 'failed', truncated: 'output truncated' } as const;

export function commandProblemSections(r: HostReport): string[] {
  if (r.commandProblems.length === 0) return [];
  const lines = r.commandProblems.map((p) => {
    const target = p.target ? ` ${inlineCode(p.target)}` : '';
    return `• ${inlineCode(p.id)}${target} ${p.kinds.map((k) => PROBLEM_WORDS[k]).join(', ')}: ${escapeMrkdwn(p.detail)}`;
  });
  return packLines(lines, {
    heading: ':warning: *Commands with problems* (findings may be incomplete)',
    maxSections: 1, maxLines: 15, maxLineChars: 300, more: (n) => `_… ${n} more commands with problems not shown_`,
  });
}

export function notesSections(r: HostReport): string[] {
  if (r.notes.length === 0) return [];
  return packLines(r.notes.map((n) => `• ${escapeMrkdwn(n)}`), {
    heading: '*Notes*', maxSections: 1, maxLines: 10, maxLineChars: 400, more: (n) => `_… ${n} more notes not shown_`,
  });
}

export function nextStepsSections(r: HostReport): string[] {
  if (r.suggestedActions.length === 0) return [];
  return packLines(r.suggestedActions.map((a) => `• ${escapeMrkdwn(a.text)}`), {
    heading: '*Suggested next steps*', maxSections: 1, maxLines: 8, maxLineChars: 400, more: (n) => `_… ${n} more not shown_`,
  });
}
