import pLimit from 'p-limit';
import type { InventoryHost } from '../config/inventory.js';
import { diagnoseHost, type DiagnoseOptions, type HostDiagnosis } from './diagnose-host.js';

/** How many hosts are diagnosed at once: bounds sockets and memory for large fleets. */
export const DEFAULT_HOST_CONCURRENCY = 32;
/** Hosts added because an nginx upstream points at them, per call (a fleet-wide LB must not fan out without end). */
export const MAX_TIER_BEHIND = 16;

export interface DiagnoseHostsOptions extends DiagnoseOptions {
  concurrency?: number;
  /** Every inventory host: upstreams on them are recognised by name and diagnosed too. */
  inventory?: ReadonlyMap<string, InventoryHost>;
}

/** The inventory hosts an nginx upstream names, not yet diagnosed (never `local`, never outside the inventory). */
export function tierBehind(results: readonly HostDiagnosis[], inventory: ReadonlyMap<string, InventoryHost>, done: ReadonlySet<string>): Array<{ host: InventoryHost; via: { host: string; target: string } }> {
  const out: Array<{ host: InventoryHost; via: { host: string; target: string } }> = [];
  for (const d of results) {
    for (const u of d.result.upstreams) {
      const h = u.host ? inventory.get(u.host) : undefined;
      if (!h || h.local || done.has(h.name) || out.some((o) => o.host.name === h.name)) continue;
      out.push({ host: h, via: { host: d.result.host, target: u.target } });
    }
  }
  return out;
}

/**
 * Diagnoses the hosts in parallel; then the inventory hosts their nginx sends requests to, so the
 * root cause is named on the host that has it (two tiers deep at most: LB → web → app).
 */
export async function diagnoseHosts(hosts: InventoryHost[], opts: DiagnoseHostsOptions): Promise<HostDiagnosis[]> {
  const limit = pLimit(opts.concurrency ?? DEFAULT_HOST_CONCURRENCY);
  const peers = opts.peers ?? [...(opts.inventory?.values() ?? [])].filter((h) => !h.local).map((h) => ({ name: h.name, address: h.address }));
  const run = (h: InventoryHost) => limit(() => diagnoseHost(h, { ...opts, peers }));
  const all = await Promise.all(hosts.map(run));
  if (!opts.inventory) return all;
  const done = new Set(all.map((d) => d.result.host));
  let frontier = all;
  for (let depth = 0; depth < 2 && done.size - hosts.length < MAX_TIER_BEHIND; depth++) {
    const next = tierBehind(frontier, opts.inventory, done).slice(0, MAX_TIER_BEHIND - (done.size - hosts.length));
    if (next.length === 0) break;
    for (const n of next) done.add(n.host.name);
    frontier = await Promise.all(next.map(async (n) => {
      const d = await run(n.host);
      d.result.via = n.via;
      return d;
    }));
    all.push(...frontier);
  }
  return all;
}
