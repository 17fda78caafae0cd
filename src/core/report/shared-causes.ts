import type { Category } from '../types.js';
import { RESOURCES_BEHIND, type ResourceKind, type ResourceRef } from './resources.js';

// One incident, many hosts: when several share a root cause *and* the resource behind it (the
// same database, release, downstream or upstream host), that is one problem to fix once, not N.
// Hosts are grouped by root cause; inside a group, the resource most hosts share is taken
// first, then the next among those left, so each host is counted in one shared cause at most.

export interface CauseHost {
  host: string;
  /** The host's root cause; null for hosts without one (healthy, unreachable, pending). */
  category: Category | null;
  resources: readonly ResourceRef[];
}

export interface SharedCause {
  category: Category;
  /** What people read, e.g. "db-1/orders". */
  resource: string;
  resourceKind: ResourceKind;
  resourceKey: string;
  hosts: string[];
}

export interface CauseGroup {
  category: Category;
  hosts: string[];
  shared: SharedCause[];
}

export interface IncidentCauses {
  /** Every shared cause, biggest first; JSON's `incident.sharedCauses`. */
  sharedCauses: SharedCause[];
  /** Hosts by root cause, biggest group first. */
  groups: CauseGroup[];
}

function shareIn(category: Category, members: CauseHost[]): SharedCause[] {
  const kinds = RESOURCES_BEHIND[category] ?? [];
  const left = new Set(members.map((m) => m.host));
  const out: SharedCause[] = [];
  for (;;) {
    const byKey = new Map<string, { ref: ResourceRef; hosts: string[] }>();
    for (const m of members) {
      if (!left.has(m.host)) continue;
      for (const r of m.resources) {
        if (!kinds.includes(r.kind)) continue;
        const entry = byKey.get(r.key) ?? { ref: r, hosts: [] };
        if (!entry.hosts.includes(m.host)) entry.hosts.push(m.host);
        byKey.set(r.key, entry);
      }
    }
    // Most hosts first; then the kind the category names first (a pool is about its database).
    const best = [...byKey.values()].filter((e) => e.hosts.length >= 2)
      .sort((a, b) => b.hosts.length - a.hosts.length || kinds.indexOf(a.ref.kind) - kinds.indexOf(b.ref.kind)
        || a.ref.key.localeCompare(b.ref.key))[0];
    if (!best) return out;
    out.push({ category, resource: best.ref.label, resourceKind: best.ref.kind, resourceKey: best.ref.key, hosts: best.hosts });
    for (const h of best.hosts) left.delete(h);
  }
}

export function incidentCauses(hosts: readonly CauseHost[]): IncidentCauses {
  const byCategory = new Map<Category, CauseHost[]>();
  for (const h of hosts) {
    if (!h.category) continue;
    const list = byCategory.get(h.category) ?? [];
    if (!list.some((x) => x.host === h.host)) list.push(h);
    byCategory.set(h.category, list);
  }
  // Map order is first appearance, so equal-sized groups keep the hosts' order.
  const groups = [...byCategory.entries()]
    .map(([category, members]) => ({ category, hosts: members.map((m) => m.host), shared: shareIn(category, members) }))
    .sort((a, b) => b.hosts.length - a.hosts.length);
  const sharedCauses = groups.flatMap((g) => g.shared).sort((a, b) => b.hosts.length - a.hosts.length);
  return { sharedCauses, groups };
}

/** "db_pool_exhaustion on db-1/orders — 4 of 5 hosts" */
export function sharedCauseText(s: SharedCause, hostCount: number): string {
  return `${s.category} on ${s.resource} — ${s.hosts.length} of ${hostCount} hosts`;
}
