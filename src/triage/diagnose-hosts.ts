import pLimit from 'p-limit';
import type { InventoryHost } from '../config/inventory.js';
import { diagnoseHost, type DiagnoseOptions, type HostDiagnosis } from './diagnose-host.js';

/** How many hosts are diagnosed at once: bounds sockets and memory for large fleets. */
export const DEFAULT_HOST_CONCURRENCY = 32;

export async function diagnoseHosts(hosts: InventoryHost[], opts: DiagnoseOptions & { concurrency?: number }): Promise<HostDiagnosis[]> {
  const limit = pLimit(opts.concurrency ?? DEFAULT_HOST_CONCURRENCY);
  return Promise.all(hosts.map((h) => limit(() => diagnoseHost(h, opts))));
}
