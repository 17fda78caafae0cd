import { chooseFromProbe, planAppLogSearch } from '../core/app-discovery/plan-app-logs.js';
import { releaseRootOf } from '../core/app-discovery/release-root.js';
import type { NginxConfig } from '../core/parsers/nginx-config.js';
import type { CommandOutput, RawHostOutputs } from '../core/types.js';
import type { InventoryHost } from '../config/inventory.js';
import { isSafePath } from '../config/inventory-schema.js';
import type { TriageCommand } from './command-set.js';

// The app-log half of a diagnosis when the inventory names no app logs: from what app_discovery
// and nginx -T said, probe the places the logs may be, then read the ones found — and, where the
// app runs from a releases/ directory the inventory does not describe, read that release history.

export type RunCommand = (cmd: TriageCommand, host: InventoryHost, target?: string | string[]) => Promise<CommandOutput>;

export interface AppLogInputs {
  host: InventoryHost;
  commands: TriageCommand[];
  context: RawHostOutputs['context'];
  config: NginxConfig | null;
  /** nginx's own logs, read elsewhere. */
  nginxLogs: ReadonlySet<string>;
  facts: () => Promise<CommandOutput[]>;
  run: RunCommand;
}

export async function collectAppLogs(i: AppLogInputs): Promise<CommandOutput[]> {
  const byId = (id: string) => i.commands.find((c) => c.id === id);
  const probeCmd = byId('log_probe');
  const facts = await i.facts();
  const search = planAppLogSearch(facts, i.context, i.config);
  const out: CommandOutput[] = [];
  const root = i.host.deploy ? null : releaseRootOf(search);
  const releasesCmd = byId('releases') ?? null;
  const releases = root && releasesCmd && isSafePath(root.releasesDir) && isSafePath(root.currentLink)
    ? i.run(releasesCmd, { ...i.host, deploy: root }, undefined) : null;
  if (probeCmd && search.probes.length > 0 && i.host.appLogGlobs.length === 0) {
    const probe = await i.run(probeCmd, i.host, search.probes);
    out.push(probe);
    const hostNow = /^now (\d+)$/m.exec(facts.find((f) => f.id === 'host_info')?.stdout ?? '');
    const choice = chooseFromProbe(search, [probe], hostNow ? Number(hostNow[1]) * 1000 : 0, i.nginxLogs);
    const reads: Array<Promise<CommandOutput>> = [];
    const appLog = byId('app_log');
    const journal = byId('app_journal');
    for (const f of choice.files) if (appLog) reads.push(i.run(appLog, i.host, f.target));
    for (const j of choice.journals) if (journal && /^[A-Za-z0-9@._\\:-]+\.service$/.test(j.target)) reads.push(i.run(journal, i.host, j.target));
    out.push(...(await Promise.all(reads)));
  }
  if (releases) out.push(await releases);
  return out;
}
