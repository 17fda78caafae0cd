import type { Job } from 'bullmq';
import type pg from 'pg';
import type { Inventory, InventoryHost } from '../src/config/inventory.js';
import { beginExecution, finishAction, heartbeat, type ActionRow, type Finished } from '../src/db/action-store.js';
import { queueVerification } from '../src/db/diagnosis-store.js';
import type { Logger } from '../src/log/logger.js';
import type { JobQueues, RemediateJobData } from '../src/queue/job-queues.js';
import type { RemediationDefinitions } from '../src/remediation/definitions.js';
import type { ActionOutcome } from '../src/remediation/outcome.js';
import { executePoolKill, type PoolKillParams } from '../src/remediation/pool-kill.js';
import { executeRollback, type RollbackParams } from '../src/remediation/rollback.js';
import { HostUnreachableError, type UnreachableReason } from '../src/transport/ssh-errors.js';
import { connectSsh } from '../src/transport/ssh-transport.js';
import { retryFor } from '../src/util/retry-for.js';

export interface RemediateDeps {
  pool: pg.Pool;
  queues: JobQueues;
  inventory: Inventory;
  log: Logger;
  remediations: RemediationDefinitions;
  /** Identifies this worker in executed_by (and so in the audit). */
  owner: string;
  settleMs: number;
  heartbeatMs?: number;
  onOutcome?: (kind: string, state: string) => void;
  /** Counts SSH connect outcomes (metrics): `ok`, or why the host was unreachable. */
  onConnect?: (outcome: 'ok' | UnreachableReason) => void;
}

export const HEARTBEAT_MS = 5000;

/** The inventory is the authority at execution time too: a host whose settings changed is not touched. */
function checkInventory(a: ActionRow, host: InventoryHost | undefined): string | null {
  if (!host || host.local) return `${a.host} is no longer in this worker's inventory`;
  const p = a.params;
  if (a.kind === 'rollback') {
    const d = host.deploy;
    if (!d) return `the inventory no longer enables rollback on ${a.host}`;
    if (d.currentLink !== p.currentLink || d.releasesDir !== p.releasesDir || d.restartCommand !== p.restartCommand) {
      return `the deploy settings of ${a.host} changed in the inventory since the offer`;
    }
  }
  if (a.kind === 'kill_idle_connections' && !host.postgres) return `the inventory no longer has a postgres URL for ${a.host}`;
  return null;
}

async function execute(a: ActionRow, host: InventoryHost, deps: RemediateDeps): Promise<ActionOutcome> {
  if (a.kind === 'kill_idle_connections') {
    const d = { ...deps.remediations.killIdleConnections, poolKillCandidatesSql: deps.remediations.poolKillCandidatesSql };
    return executePoolKill(host.postgres!.url, a.host, a.params as unknown as PoolKillParams, d);
  }
  let transport;
  try {
    transport = await connectSsh(host);
    deps.onConnect?.('ok');
  } catch (err) {
    deps.onConnect?.(err instanceof HostUnreachableError ? err.reason : 'other');
    const why = err instanceof HostUnreachableError ? `${err.reason}: ${err.message}` : (err as Error).message;
    return { state: 'failed', summary: `Could not connect to ${a.host} (${why}); nothing was changed.`, result: {}, output: '' };
  }
  try {
    return await executeRollback(transport, a.host, a.params as unknown as RollbackParams, deps.remediations.rollback);
  } finally {
    transport.close();
  }
}

/**
 * Executes one claimed remediation, at most once: beginExecution lets exactly one worker start
 * it, the queue gives it a single attempt, and a worker that dies mid-way leaves the action
 * running with a stale heartbeat, which the sweeper turns into `unknown` — never a second run.
 * Afterwards the host is diagnosed again, once it has settled, to show before and after.
 */
export function remediateProcessor(deps: RemediateDeps) {
  return async (job: Job<RemediateJobData>): Promise<string> => {
    const { actionId } = job.data;
    const owner = `${deps.owner}:${job.id}`;
    const action = await beginExecution(deps.pool, actionId, owner);
    if (!action) return 'not runnable (already executed, finished or never claimed)';
    const log = deps.log.child({ actionId, incidentId: action.incidentId, host: action.host, kind: action.kind, jobId: job.id });
    log.info({ startedBy: action.startedBy, params: action.params }, 'remediation starting');
    const started = performance.now();
    const beat = setInterval(() => { heartbeat(deps.pool, actionId, owner).catch((err) => log.warn({ err }, 'heartbeat failed')); }, deps.heartbeatMs ?? HEARTBEAT_MS);
    let outcome: ActionOutcome;
    try {
      const refusal = checkInventory(action, deps.inventory.hosts.get(action.host));
      outcome = refusal
        ? { state: 'skipped', summary: `Nothing was done: ${refusal}.`, result: {}, output: '' }
        : await execute(action, deps.inventory.hosts.get(action.host)!, deps);
    } catch (err) {
      // Our own code failed somewhere in the middle: we cannot say what the host went through.
      log.error({ err }, 'remediation threw');
      outcome = { state: 'unknown', summary: `diagbot failed while running this action (${(err as Error).message}): verify the host by hand.`, result: {}, output: '' };
    }
    const durationMs = Math.round(performance.now() - started);
    // The outcome is known here; a Postgres blip must not turn it into `unknown`. The heartbeat
    // keeps beating meanwhile so no sweeper declares this worker dead.
    let finished: Finished | null;
    try {
      finished = await retryFor(RECORD_FOR_MS, 1000, () => finishAction(deps.pool, actionId, outcome.state, outcome.summary,
        { ...outcome.result, ...(outcome.output ? { output: outcome.output.slice(-2000) } : {}) }, { durationMs, output: outcome.output }),
      (err) => log.warn({ err: (err as Error).message }, 'could not record the outcome yet; retrying while Postgres comes back'));
    } finally {
      clearInterval(beat);
    }
    log.info({ state: outcome.state, durationMs, summary: outcome.summary }, 'remediation finished');
    deps.onOutcome?.(action.kind, outcome.state);
    if (finished) await afterFinish(deps, finished);
    return outcome.state;
  };
}

const RECORD_FOR_MS = 60_000;

/** Publishes the outcome and, unless nothing ran, schedules the check after the settle time. */
export async function afterFinish(deps: Pick<RemediateDeps, 'pool' | 'queues' | 'settleMs'>, f: Finished): Promise<void> {
  const { action } = f;
  if (action.state !== 'skipped') {
    const id = await queueVerification(deps.pool, action);
    if (id !== null) await deps.queues.addDiagnoses(action.incidentId, [{ id, host: action.host }], deps.settleMs);
  }
  await deps.queues.addSlackSync(action.incidentId, f.revision);
}
