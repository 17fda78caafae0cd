import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, UsageError } from '../config/config-error.js';
import { closestHosts, emptyInventory, LOCAL_HOST, loadInventory, type Inventory, type InventoryHost } from '../config/inventory.js';
import { hostResources, incidentCauses } from '../core/report/index.js';
import { loadTriageCommands } from '../triage/command-set.js';
import { diagnoseHosts } from '../triage/diagnose-hosts.js';
import { Progress } from './progress.js';
import { renderText } from './render-text.js';
import { EXIT_OK, EXIT_UNREACHABLE } from './exit-codes.js';
import { redactDeep } from '../util/redact-deep.js';

export interface DiagnoseCliOptions {
  inventory?: string;
  format: string;
  timeoutMs: string;
  dumpRaw?: string;
}

export { EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE } from './exit-codes.js';

function pickInventory(explicit: string | undefined, hosts: string[], env: NodeJS.ProcessEnv): Inventory {
  const path = explicit ?? env.DIAGBOT_INVENTORY ?? './inventory.yaml';
  const onlyLocal = hosts.every((h) => h === LOCAL_HOST);
  // "local" needs no inventory, so the first run on a fresh machine works without setup.
  if (!explicit && onlyLocal && !existsSync(path)) return emptyInventory();
  if (!existsSync(path)) {
    throw new ConfigError([`${path}: inventory file not found (pass --inventory FILE or set DIAGBOT_INVENTORY)`], 'inventory');
  }
  return loadInventory(path, env);
}

function resolveHosts(inventory: Inventory, names: string[]): InventoryHost[] {
  const problems: string[] = [];
  const hosts: InventoryHost[] = [];
  for (const name of new Set(names)) {
    const h = inventory.hosts.get(name);
    if (h) { hosts.push(h); continue; }
    const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
    problems.push(`unknown host ${shown}; closest inventory hosts: ${closestHosts(inventory, name).join(', ') || '(none)'}`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return hosts;
}

export async function runDiagnose(hostNames: string[], opts: DiagnoseCliOptions, io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  if (!['text', 'json'].includes(opts.format)) throw new UsageError(`--format must be "text" or "json" (got ${JSON.stringify(opts.format)})`);
  const timeoutMs = Number(opts.timeoutMs);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 500 || timeoutMs > 600_000) throw new UsageError('--timeout-ms must be an integer between 500 and 600000');
  if (hostNames.length === 0) throw new UsageError('name at least one host (or "local" for this machine)');
  const inventory = pickInventory(opts.inventory, hostNames, io.env);
  const hosts = resolveHosts(inventory, hostNames);
  const commands = loadTriageCommands();

  const showProgress = opts.format === 'text' && io.stderr.isTTY === true;
  const progress = showProgress ? new Progress(io.stderr, hosts.map((h) => h.name)) : null;
  const diagnoses = await diagnoseHosts(hosts, { timeoutMs, commands, inventory: inventory.hosts, ...(progress ? { onPhase: (h, p) => progress.update(h, p) } : {}) });
  progress?.clear();

  if (opts.dumpRaw) {
    const dir = resolve(opts.dumpRaw);
    mkdirSync(dir, { recursive: true });
    for (const d of diagnoses) if (d.raw) writeFileSync(join(dir, `${d.result.host}.json`), `${JSON.stringify(d.raw, null, 1)}\n`);
  }
  // Secrets masked and control characters made visible in every string, whatever path it took.
  const results = diagnoses.map((d) => redactDeep(d.result));
  // Several hosts with one root cause and the resource behind it (database, release, downstream) are one problem.
  const pgUrl = new Map(hosts.map((h) => [h.name, h.postgres?.url ?? null]));
  const causes = incidentCauses(results.map((r) => ({
    host: r.host, category: r.reachable ? r.rootCause?.category ?? null : null,
    resources: hostResources({ ...r, postgresUrl: pgUrl.get(r.host) ?? null }),
  })));
  const sharedCauses = causes.sharedCauses.map(({ category, resource, resourceKind, hosts: names }) => ({ category, resource, resourceKind, hosts: names }));
  if (opts.format === 'json') io.stdout.write(`${JSON.stringify({ results, incident: { sharedCauses } }, null, 2)}\n`);
  else io.stdout.write(renderText(results, io.stdout.isTTY === true && !io.env.NO_COLOR, causes));
  return results.every((r) => r.reachable) ? EXIT_OK : EXIT_UNREACHABLE;
}
