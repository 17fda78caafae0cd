import { safeText } from '../../core/report/index.js';
import type { ActionButton } from './blocks.js';
import { clipPlain } from './clip-text.js';
import { codeBlock, escapeMrkdwn, inlineCode, plural, slackDate, userMention } from './mrkdwn.js';

// Remediation offers as people see them under a host's findings: what exactly would happen (the
// preview), a button with a confirm dialog saying it again, and once pressed, who did what, when,
// and how it ended. Pure: views in, mrkdwn and buttons out.

export type ActionViewState = 'proposed' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'unknown' | 'expired';
export type RemediationKindView = 'rollback' | 'kill_idle_connections';

export interface AuditView { at: string; userId: string; outcome: string; detail: string | null; durationMs: number | null }

export interface ActionView {
  id: string;
  kind: RemediationKindView;
  host: string;
  state: ActionViewState;
  params: Record<string, unknown>;
  startedBy: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string;
  /** The outcome in one sentence, once finished. */
  summary: string | null;
  audit: AuditView[];
}

/** Every interactive element diagbot renders; presses of anything else are refused (action-buttons.ts). */
export const ACTION_IDS = {
  rollback: 'diagbot_rollback', kill_idle_connections: 'diagbot_kill_idle_connections', rerun: 'diagbot_rerun',
  feedback_right: 'diagbot_feedback_right', feedback_wrong: 'diagbot_feedback_wrong',
} as const;

const s = (v: unknown, max = 200): string => clipPlain(safeText(String(v ?? ''), 1), max);
const base = (path: unknown): string => s(path).replace(/^.*\//, '') || s(path);

interface Conn { pid: number; user: string; application: string; client: string; state: string; stateSeconds: number }
const conns = (a: ActionView): Conn[] => (Array.isArray(a.params.connections) ? a.params.connections as Conn[] : []);

function ago(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** The preview of an open offer, in full: what the confirm dialog can only summarise. */
export function offerPreview(a: ActionView): string {
  const p = a.params;
  if (a.kind === 'rollback') {
    return `:rewind: *Proposed: roll back ${escapeMrkdwn(s(a.host, 80))}* from ${inlineCode(base(p.from))} to ${inlineCode(base(p.to))}: `
      + `point ${inlineCode(s(p.currentLink))} at ${inlineCode(s(p.to))}, then run ${inlineCode(s(p.restartCommand, 300))}.`;
  }
  const list = conns(a);
  const rows = list.slice(0, 15).map((c) => `${String(c.pid).padEnd(8)} ${s(c.user, 20).padEnd(12)} ${s(c.application || '-', 24).padEnd(20)} ${s(c.state, 30).padEnd(20)} ${ago(c.stateSeconds)}`);
  const more = list.length > rows.length ? `\n_… ${plural(list.length - rows.length, 'more connection')} not shown_` : '';
  return `:scissors: *Proposed: end ${plural(list.length, 'idle connection')}* on ${inlineCode(s(p.target))} `
    + `(idle ≥ ${Number(p.idleMinSeconds)} s, or idle in transaction ≥ ${Number(p.idleInTransactionMinSeconds)} s; superusers and diagbot's own sessions are never touched):\n`
    + `${codeBlock(['pid      user         application          state                for', ...rows].join('\n'))}${more}`;
}

function confirmText(a: ActionView): string {
  const p = a.params;
  const recheck = ' It is checked again when you confirm: if anything changed, nothing runs.';
  if (a.kind === 'rollback') {
    return clipPlain(`Point ${s(p.currentLink)} from ${base(p.from)} to ${base(p.to)}, then run: ${s(p.restartCommand, 80)}.`, 300 - recheck.length) + recheck;
  }
  const list = conns(a);
  const pids = list.slice(0, 8).map((c) => `${c.pid} (${s(c.user, 16)}, ${ago(c.stateSeconds)} ${c.state === 'idle' ? 'idle' : 'idle in tx'})`).join(', ');
  return clipPlain(`Terminate ${plural(list.length, 'connection')} on ${s(p.target, 80)}: ${pids}${list.length > 8 ? ', …' : ''}.`, 300 - recheck.length) + recheck;
}

export function offerButton(a: ActionView): ActionButton {
  const rollback = a.kind === 'rollback';
  return {
    actionId: ACTION_IDS[a.kind],
    text: rollback ? `Roll back to ${clipPlain(base(a.params.to), 40)}` : `End ${plural(conns(a).length, 'idle connection')}`,
    value: a.id,
    style: 'danger',
    confirm: {
      title: clipPlain(rollback ? `Roll back ${s(a.host, 60)}?` : `End idle connections on ${s(a.host, 40)}?`, 100),
      text: confirmText(a),
      confirm: rollback ? 'Roll back' : 'End connections',
      deny: 'Cancel',
    },
  };
}

export function rerunButton(diagnosisId: number): ActionButton {
  return { actionId: ACTION_IDS.rerun, text: 'Re-run diagnosis', value: String(diagnosisId) };
}

const NAME: Record<RemediationKindView, string> = { rollback: 'Rollback', kill_idle_connections: 'Ending idle connections' };
const ICON: Record<Exclude<ActionViewState, 'proposed'>, string> = {
  running: ':hourglass_flowing_sand:', succeeded: ':white_check_mark:', failed: ':x:', skipped: ':fast_forward:',
  unknown: ':warning:', expired: ':clock3:',
};

/** One line for an offer that was pressed or expired: the button is gone, this says what became of it. */
export function actionStatusLine(a: ActionView): string {
  if (a.state === 'proposed') return '';
  if (a.state === 'expired') {
    return a.summary
      ? `${ICON.expired} ${NAME[a.kind]} offer: ${escapeMrkdwn(s(a.summary, 300))}`
      : `${ICON.expired} ${NAME[a.kind]} was offered until ${slackDate(a.expiresAt)} and expired unused; press *Re-run diagnosis* for a fresh offer.`;
  }
  const who = a.startedBy ? ` by ${userMention(a.startedBy)}` : '';
  const when = a.startedAt ? ` at ${slackDate(a.startedAt)}` : '';
  if (a.state === 'running') return `${ICON.running} *${NAME[a.kind]}* started${who}${when}: running…`;
  const word = { succeeded: 'succeeded', failed: 'failed', skipped: 'did not run', unknown: 'ended in an unknown state' }[a.state];
  return `${ICON[a.state]} *${NAME[a.kind]}*${who}${when} ${word}${a.summary ? `: ${escapeMrkdwn(s(a.summary, 600))}` : '.'}`;
}

/**
 * The audit trail of one action, oldest first, for its result message. Repeated refusals (a
 * burst of double clicks) collapse into one line that counts them per user, so the press that
 * ran and its outcome are never pushed out of view.
 */
export function auditLines(a: ActionView, max = 20): string[] {
  type Group = { first: AuditView; rows: AuditView[] };
  const groups: Group[] = [];
  const byOutcome = new Map<string, Group>();
  for (const r of a.audit) {
    const g = r.outcome.startsWith('refused_') ? byOutcome.get(r.outcome) : undefined;
    if (g) { g.rows.push(r); continue; }
    const fresh = { first: r, rows: [r] };
    groups.push(fresh);
    if (r.outcome.startsWith('refused_')) byOutcome.set(r.outcome, fresh);
  }
  const lines = groups.map(({ first, rows }) => {
    if (rows.length === 1) {
      const took = first.durationMs ? ` (${first.durationMs} ms)` : '';
      const detail = first.detail ? ` — ${escapeMrkdwn(s(first.detail, 300))}` : '';
      return `• ${slackDate(first.at)} ${userMention(first.userId)} ${inlineCode(first.outcome)}${took}${detail}`;
    }
    const users = new Map<string, number>();
    for (const r of rows) users.set(r.userId, (users.get(r.userId) ?? 0) + 1);
    const who = [...users].map(([u, n]) => `${userMention(u)} ×${n}`).join(', ');
    return `• from ${slackDate(first.at)} ${inlineCode(first.outcome)} ×${rows.length} (${who})${first.detail ? ` — ${escapeMrkdwn(s(first.detail, 200))}` : ''}`;
  });
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max - 1), `_… ${plural(lines.length - max + 1, 'more entry', 'more entries')} not shown_`];
}
