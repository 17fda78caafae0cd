import type { InventoryHost } from '../config/inventory.js';
import type { ActionId } from '../core/types.js';
import type { HostResult } from '../triage/host-result.js';
import type { RemediationDefinitions } from './definitions.js';
import { previewPoolKill } from './pool-kill.js';
import { planRollback } from './rollback.js';

// Which remediation buttons a finished diagnosis gets: only those its root cause calls for, that
// the inventory enables, and whose preview is non-empty. When one is withheld, the thread says why.

export type RemediationKind = Exclude<ActionId, 'rerun_diagnosis'>;

export interface PlannedOffer {
  kind: RemediationKind;
  params: Record<string, unknown>;
}

export interface OfferPlan {
  offers: PlannedOffer[];
  notes: string[];
}

const NAMES: Record<RemediationKind, string> = { rollback: 'Rollback', kill_idle_connections: 'Killing idle connections' };

export async function planOffers(host: InventoryHost, result: HostResult, defs: RemediationDefinitions): Promise<OfferPlan> {
  const plan: OfferPlan = { offers: [], notes: [] };
  if (!result.reachable || !result.rootCause || host.local) return plan;
  const root = result.findings.find((f) => f.role === 'root_cause' && f.category === result.rootCause!.category);
  const wanted = (root?.actions ?? []).filter((a): a is RemediationKind => a === 'rollback' || a === 'kill_idle_connections');
  for (const kind of wanted) {
    const outcome = kind === 'rollback'
      ? planRollback(host, result.figures)
      : !host.postgres
        ? { reason: 'the inventory has no postgres URL for this host' }
        : await previewPoolKill(host.postgres.url, { ...defs.killIdleConnections, poolKillCandidatesSql: defs.poolKillCandidatesSql })
          .catch((err: Error) => ({ reason: `its connections could not be listed (${err.message})` }));
    if ('params' in outcome) plan.offers.push({ kind, params: { ...outcome.params } });
    else plan.notes.push(`${NAMES[kind]} is not offered: ${outcome.reason}.`);
  }
  return plan;
}
