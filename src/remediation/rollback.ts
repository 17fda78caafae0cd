import { posix } from 'node:path';
import type { InventoryHost } from '../config/inventory.js';
import { isSafePath } from '../config/inventory-schema.js';
import type { HostFigures } from '../core/types.js';
import type { ExecResult, Transport } from '../transport/transport.js';
import { renderScript, type RemediationDefinitions, type ScriptStep } from './definitions.js';
import type { ActionOutcome } from './outcome.js';

// Rollback: point `currentLink` at the previous release and run the inventory's restart command.
// The plan is made from what the host listed at diagnosis time; at execution the live release is
// read again and nothing runs unless it is still the one the approver was shown.

export interface RollbackParams {
  currentLink: string;
  releasesDir: string;
  /** Live release when offered (resolved path). */
  from: string;
  /** Release to go back to: an entry of releasesDir. */
  to: string;
  restartCommand: string;
}

export const releaseName = (path: string): string => posix.basename(path);

/** A rollback plan, or why none can be offered (no deploy settings, no previous release…). */
export function planRollback(host: InventoryHost, figures: HostFigures | null): { params: RollbackParams } | { reason: string } {
  if (!host.deploy) return { reason: 'the inventory has no deploy settings for this host' };
  if (!host.deploy.restartCommand) return { reason: 'the inventory has no deploy.restartCommand for this host' };
  const rel = figures?.release;
  if (!rel?.current) return { reason: 'the live release could not be read' };
  if (!rel.previous) return { reason: 'there is no earlier release to go back to' };
  const { releasesDir, currentLink, restartCommand } = host.deploy;
  // Both paths come from the host's own output: hold them to the inventory's path rules.
  if (!isSafePath(rel.current) || !isSafePath(rel.previous) || posix.dirname(rel.previous) !== releasesDir.replace(/\/+$/, '')) {
    return { reason: `the release paths the host listed are not plain paths inside ${releasesDir}` };
  }
  return { params: { currentLink, releasesDir, from: rel.current, to: rel.previous, restartCommand: restartCommand! } };
}

const field = (out: string, key: string): string | null => new RegExp(`^${key} (.*)$`, 'm').exec(out)?.[1]?.trim() ?? null;

interface Step { step: string; exitCode: number | null; durationMs: number; timedOut: boolean; error?: string }

/** Ran to completion with an exit status: anything else means we cannot know what happened. */
const finished = (r: ExecResult) => r.exitCode !== null && !r.timedOut && !r.error;

function tail(r: ExecResult): string {
  return `${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}`.trim().split('\n').slice(-20).join('\n');
}

export async function executeRollback(t: Transport, host: string, p: RollbackParams, defs: RemediationDefinitions['rollback']): Promise<ActionOutcome> {
  const values = { currentLink: p.currentLink, releasesDir: p.releasesDir, from: p.from, to: p.to };
  const steps: Step[] = [];
  const run = async (name: string, script: string, timeoutMs: number): Promise<ExecResult> => {
    const r = await t.exec(script, { timeoutMs, maxBytes: 64 * 1024, keep: 'tail' });
    steps.push({ step: name, exitCode: r.exitCode, durationMs: r.durationMs, timedOut: r.timedOut, ...(r.error ? { error: r.error } : {}) });
    return r;
  };
  const script = (s: ScriptStep) => renderScript(s, values);
  const A = releaseName(p.from);
  const B = releaseName(p.to);
  const base = { from: p.from, to: p.to, steps };

  const pre = await run('precheck', script(defs.precheck), defs.precheck.timeoutMs);
  if (!finished(pre) || pre.exitCode !== 0) {
    return { state: 'failed', summary: `Could not read the live release on ${host} (${pre.error ?? `exit ${pre.exitCode}`}); nothing was changed.`, result: base, output: tail(pre) };
  }
  const live = field(pre.stdout, 'current');
  const target = field(pre.stdout, 'target');
  if (live !== p.from) {
    const why = live && live === target ? `${host} already runs ${B}: it was rolled back since the offer`
      : `the live release on ${host} is now ${live ? releaseName(live) : 'unreadable'}, not ${A} as offered`;
    return { state: 'skipped', summary: `Nothing was done: ${why}.`, result: { ...base, liveRelease: live }, output: '' };
  }
  if (field(pre.stdout, 'target_dir') !== 'yes') {
    return { state: 'skipped', summary: `Nothing was done: release ${B} no longer exists on ${host}.`, result: base, output: '' };
  }

  const sw = await run('switch', script(defs.switch), defs.switch.timeoutMs);
  if (!finished(sw)) {
    return { state: 'unknown', summary: `The switch to ${B} on ${host} did not report back (${sw.error ?? 'timed out'}): verify by hand which release \`${p.currentLink}\` points to.`, result: base, output: tail(sw) };
  }
  if (sw.exitCode !== 0) {
    return { state: 'failed', summary: `Switching ${p.currentLink} to ${B} failed (exit ${sw.exitCode}); the link was not changed.`, result: base, output: tail(sw) };
  }

  const rs = await run('restart', p.restartCommand, defs.restartTimeoutMs);
  const ver = await run('verify', script(defs.verify), defs.verify.timeoutMs);
  const now = finished(ver) ? field(ver.stdout, 'current') : null;
  const result = { ...base, liveRelease: now, restartExitCode: rs.exitCode };
  const output = tail(rs);
  if (!finished(rs)) {
    return { state: 'unknown', summary: `${p.currentLink} now points to ${B}, but the restart command did not finish (${rs.error ?? `timed out after ${defs.restartTimeoutMs} ms`}): verify by hand that the app runs ${B}.`, result, output };
  }
  if (rs.exitCode !== 0) {
    return { state: 'failed', summary: `${p.currentLink} now points to ${B}, but the restart command exited ${rs.exitCode}: the app may still run ${A}. Restart it by hand.`, result, output };
  }
  if (now !== target) {
    return { state: 'unknown', summary: `Restarted, but the live release now reads ${now ? releaseName(now) : 'unreadable'} instead of ${B}: verify by hand.`, result, output };
  }
  return { state: 'succeeded', summary: `Rolled back ${host} from ${A} to ${B} and restarted the app (\`${p.restartCommand}\` exited 0 in ${rs.durationMs} ms).`, result, output };
}
