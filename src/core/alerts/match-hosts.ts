// Which inventory hosts an alert is about, from its labels. Only exact matches count:
// a label value is data from outside and never becomes a host name by itself.

export interface HostIndexEntry {
  name: string;
  address: string;
  labels: Record<string, string>;
}

export interface HostIndex {
  byName: Map<string, string>;
  byAddress: Map<string, string[]>;
  withLabels: HostIndexEntry[];
}

export function buildHostIndex(hosts: HostIndexEntry[]): HostIndex {
  const byName = new Map<string, string>();
  const byAddress = new Map<string, string[]>();
  for (const h of hosts) {
    byName.set(h.name.toLowerCase(), h.name);
    byAddress.set(h.address.toLowerCase(), [...(byAddress.get(h.address.toLowerCase()) ?? []), h.name]);
  }
  return { byName, byAddress, withLabels: hosts.filter((h) => Object.keys(h.labels).length > 0) };
}

const HOST_LABELS = ['instance', 'host', 'hostname', 'nodename'];

/** "web-1:9100" → "web-1", "[::1]:9100" → "::1", "http://web-1:8080/x" → "web-1". */
export function hostPart(value: string): string {
  let v = value.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(v);
  if (scheme) v = v.slice(scheme[0].length).split('/')[0] ?? '';
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed) return bracketed[1]!;
  if ((v.match(/:/g) ?? []).length === 1) return v.replace(/:\d*$/, '');
  return v;
}

export interface HostMatch {
  hosts: string[];
  /** Host-like label values that name no inventory host (shown to people, never run). */
  unmatched: string[];
}

export function matchAlertHosts(labels: Record<string, string>, index: HostIndex): HostMatch {
  const hosts = new Set<string>();
  const unmatched = new Set<string>();
  for (const key of HOST_LABELS) {
    const raw = labels[key];
    if (!raw) continue;
    const candidate = hostPart(raw).toLowerCase();
    const found = index.byName.get(candidate) ?? index.byAddress.get(candidate);
    if (found) for (const n of Array.isArray(found) ? found : [found]) hosts.add(n);
    else unmatched.add(raw.slice(0, 200));
  }
  // Inventory labels: a host matches when every one of its labels is on the alert.
  for (const h of index.withLabels) {
    if (Object.entries(h.labels).every(([k, v]) => labels[k] === v)) hosts.add(h.name);
  }
  if (hosts.size > 0) unmatched.clear();
  return { hosts: [...hosts].sort(), unmatched: [...unmatched] };
}
