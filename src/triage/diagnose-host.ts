import { diagnoseOutputs } from '../core/index.js';
import { parseNginxConfig } from '../core/parsers/nginx-config.js';
import { isNoNginx, planFromConfig } from '../core/plan-log-targets.js';
import { usableStdout } from '../core/command-outputs.js';
import { unreachableFinding } from '../core/unreachable.js';
import type { CommandOutput, RawHostOutputs } from '../core/types.js';
import type { InventoryHost } from '../config/inventory.js';
import { LocalTransport } from '../transport/local-transport.js';
import { HostUnreachableError, type UnreachableReason } from '../transport/ssh-errors.js';
import { connectSsh } from '../transport/ssh-transport.js';
import type { Transport } from '../transport/transport.js';
import { loadTriageCommands, type TriageCommand } from './command-set.js';
import { collectAppLogs } from './collect-app-logs.js';
import type { HostResult } from './host-result.js';
import { probePostgresPool } from './postgres-pool-probe.js';
import { applies } from './render-command.js';
import { HostBatcher } from './host-batcher.js';
import { fleetLimits, type FleetLimits } from './fleet-limits.js';

export interface DiagnoseOptions {
  /** Budget for the whole host: connect plus every command. */
  timeoutMs: number;
  commands?: TriageCommand[];
  /** Classification window (default 60 min); fractional to look only at what followed a remediation. */
  windowMinutes?: number;
  connect?: (host: InventoryHost) => Promise<Transport>;
  onPhase?: (host: string, phase: 'connecting' | 'collecting' | 'reading logs' | 'classifying') => void;
  /** Each SSH connect attempt's outcome (not called for `local`): `ok`, or why the host was unreachable. */
  onConnect?: (outcome: 'ok' | UnreachableReason) => void;
  /** The other inventory hosts, so an nginx upstream on one of them is recognised by name. */
  peers?: Array<{ name: string; address: string }>;
  /** Handshakes and channels in flight (default: this process's shared limits). */
  limits?: FleetLimits;
}

export interface HostDiagnosis {
  result: HostResult;
  /** What the commands printed, for --dump-raw and lab fixtures; null when unreachable. */
  raw: RawHostOutputs | null;
}

function defaultConnect(host: InventoryHost, timeoutMs: number, limits: FleetLimits): Promise<Transport> {
  if (host.local) return Promise.resolve(new LocalTransport());
  return connectSsh({ ...host, connectTimeoutMs: Math.min(host.connectTimeoutMs, timeoutMs) }, { global: limits.channels });
}

/**
 * The facts the next steps wait for (log reads on `nginx -T`, the app-log probe on discovery)
 * run in one batch, the rest in another beside it: two channels, two shells.
 */
const FIRST_FACTS = new Set(['nginx_dump', 'app_discovery', 'host_info', 'processes']);
/** Run only when it is needed: `nginx -T` failed to name any log. */
const ON_DEMAND = new Set(['nginx_open_logs']);

/**
 * Diagnoses one host: connect, run the facts commands in parallel, start the log reads as
 * soon as the nginx config has named the logs, then classify. Never throws for host trouble.
 */
export async function diagnoseHost(host: InventoryHost, opts: DiagnoseOptions): Promise<HostDiagnosis> {
  const startedAt = new Date();
  const started = performance.now();
  let deadline = Date.now() + opts.timeoutMs;
  const limits = opts.limits ?? fleetLimits();
  const allCommands = opts.commands ?? loadTriageCommands();
  const commands = allCommands.filter((c) => applies(c, host));
  const elapsed = () => Math.round(performance.now() - started);
  const base = { host: host.name, address: host.local ? 'local' : host.address, startedAt: startedAt.toISOString() };

  opts.onPhase?.(host.name, 'connecting');
  let transport: Transport;
  try {
    // The host's budget starts when its handshake does, not while it waits for a slot.
    transport = await limits.connects(() => {
      deadline = Date.now() + opts.timeoutMs;
      return opts.connect ? opts.connect(host) : defaultConnect(host, opts.timeoutMs, limits);
    });
    if (!host.local) opts.onConnect?.('ok');
  } catch (err) {
    const e = err instanceof HostUnreachableError ? err : new HostUnreachableError('other', (err as Error).message, { cause: err });
    if (!host.local) opts.onConnect?.(e.reason);
    return {
      result: { ...base, reachable: false, error: e.message, errorReason: e.reason, durationMs: elapsed(), rootCause: null, findings: [unreachableFinding(e.reason, e.message)], commands: [], checks: [], figures: null, notes: [], upstreams: [], appLogs: [] },
      raw: null,
    };
  }
  const batcher = new HostBatcher(transport, host, deadline);
  try {
    opts.onPhase?.(host.name, 'collecting');
    const facts = commands.filter((c) => c.phase === 'facts');
    const logCmds = commands.filter((c) => c.phase === 'logs');
    const factRuns = new Map(facts.filter((c) => !ON_DEMAND.has(c.id)).map((c) => [c.id, batcher.run(c, undefined, FIRST_FACTS.has(c.id) ? 'facts-first' : 'facts')]));
    // nginx's log reads and the app-log chain (probe, then reads) wait on the facts' output:
    // their channels are opened meanwhile, so each step is one round trip, not two.
    batcher.reserve('logs', 1);
    if (host.appLogGlobs.length === 0 && commands.some((c) => c.id === 'log_probe')) batcher.reserve('app', 2);
    const pgRun = host.postgres ? probePostgresPool(host.postgres.url, Math.min(5000, Math.max(500, deadline - Date.now()))) : null;
    const context: RawHostOutputs['context'] = {
      hasPostgres: host.postgres !== undefined, hasDeploy: host.deploy !== undefined, appLogGlobs: host.appLogGlobs,
      ...(host.local ? {} : { address: host.address }), labels: host.labels,
      peers: (opts.peers ?? []).filter((p) => p.name !== host.name),
    };
    // Log reads depend only on where nginx writes, so they start before the slower facts finish.
    const dump = await factRuns.get('nginx_dump');
    const dumpText = usableStdout(dump);
    const config = dumpText && !isNoNginx(dump) ? parseNginxConfig(dumpText) : null;
    let plan = planFromConfig(dump ? [dump] : [], config);
    // Only a failed `nginx -T` needs the slower open-files fallback.
    const openLogsCmd = facts.find((c) => c.id === 'nginx_open_logs');
    if (plan.nginxPresent && plan.accessLogs.length + plan.errorLogs.length === 0 && openLogsCmd) {
      const run = batcher.run(openLogsCmd, undefined, 'open-logs');
      factRuns.set(openLogsCmd.id, run);
      const openLogs = await run;
      plan = planFromConfig([...(dump ? [dump] : []), ...(openLogs ? [openLogs] : [])], config);
    }
    opts.onPhase?.(host.name, 'reading logs');
    const logRuns: Promise<CommandOutput>[] = [];
    for (const cmd of logCmds.filter((c) => c.id === 'access_log' || c.id === 'error_log')) {
      const targets = cmd.id === 'access_log' ? plan.accessLogs : plan.errorLogs;
      for (const target of targets) logRuns.push(batcher.run(cmd, target, 'logs'));
    }
    // The app's logs: found from nginx's upstreams and /proc unless the inventory names them.
    const needed = ['app_discovery', 'processes', 'host_info'];
    const appRun = collectAppLogs({
      host, commands: allCommands, context, config,
      nginxLogs: new Set([...plan.accessLogs, ...plan.errorLogs]),
      facts: async () => [...(dump ? [dump] : []), ...(await Promise.all(needed.flatMap((id) => factRuns.get(id) ?? [])))],
      run: (cmd, h, target) => batcher.run(cmd, target, 'app', h),
    });
    const outputs = [...(await Promise.all([...factRuns.values(), ...logRuns])), ...(await appRun), ...(pgRun ? [await pgRun] : [])];
    if (outputs.some((o) => o.id === 'releases')) context.hasDeploy = true;
    opts.onPhase?.(host.name, 'classifying');
    const raw: RawHostOutputs = { host: host.name, context, commands: outputs };
    const diagnosis = diagnoseOutputs(raw, opts.windowMinutes !== undefined ? { windowMinutes: opts.windowMinutes } : {});
    return {
      result: {
        ...base, reachable: true, error: null, errorReason: null, durationMs: elapsed(),
        rootCause: diagnosis.rootCause, findings: diagnosis.findings,
        commands: outputs.map(({ id, target, exitCode, durationMs, truncated, timedOut, error }) => ({
          id, ...(target !== undefined ? { target } : {}), exitCode, durationMs, truncated, timedOut, ...(error ? { error } : {}),
        })),
        checks: diagnosis.checks ?? [],
        figures: diagnosis.figures ?? null,
        notes: [...new Set([...plan.notes, ...(diagnosis.notes ?? [])])],
        upstreams: diagnosis.upstreams ?? [],
        appLogs: diagnosis.appLogs ?? [],
      },
      raw,
    };
  } finally {
    batcher.releaseUnused();
    transport.close();
  }
}
