import { describeAppLogCoverage } from './app-discovery/app-sources.js';
import type { HostEvidence } from './host-evidence.js';
import { makeWindow, countInWindow } from './rules/window.js';

/**
 * What was looked at, in one line per area: silence is only worth something when the reader
 * can see what was checked, and what could not be.
 */
export interface Check {
  area: 'nginx' | 'access_logs' | 'error_logs' | 'app_logs' | 'disk' | 'memory' | 'descriptors' | 'kernel_log' | 'releases' | 'postgres';
  checked: boolean;
  detail: string;
}

const pct = (x: number) => `${Math.round(x)}%`;

function nginxCheck(ev: HostEvidence): Check {
  if (!ev.nginx.present) return { area: 'nginx', checked: false, detail: 'no running nginx on this host' };
  const test = ev.nginx.test ? `nginx -t ${ev.nginx.test.verdict}` : 'nginx -t not run';
  const workers = ev.processes ? `, ${ev.processes.nginxWorkers.length} worker(s)` : '';
  return { area: 'nginx', checked: true, detail: `${test}${workers}` };
}

function accessCheck(ev: HostEvidence, windowMinutes: number): Check {
  if (ev.accessLogs.length === 0) return { area: 'access_logs', checked: false, detail: 'no access log read' };
  const win = makeWindow(ev, windowMinutes);
  let requests = 0;
  let errors = 0;
  for (const log of ev.accessLogs) {
    for (const [second, n] of Object.entries(log.requestsPerSecond)) if (Number(second) + 1000 > win.startMs) requests += n;
    errors += countInWindow(win, log.errors.map((e) => e.timeMs));
  }
  return { area: 'access_logs', checked: true, detail: `${ev.accessLogs.length} file(s): ${errors} 5xx of ${requests} requests in the last ${win.label}` };
}

function errorLogCheck(ev: HostEvidence): Check {
  if (ev.errorLogs.length === 0) return { area: 'error_logs', checked: false, detail: 'no error log read' };
  const counts: Record<string, number> = {};
  for (const log of ev.errorLogs) for (const [lvl, n] of Object.entries(log.severityCounts)) counts[lvl] = (counts[lvl] ?? 0) + n;
  const shown = Object.entries(counts).filter(([, n]) => n > 0).map(([l, n]) => `${n} [${l}]`).join(', ');
  return { area: 'error_logs', checked: true, detail: `${ev.errorLogs.length} file(s): ${shown || 'empty'}` };
}

function appCheck(ev: HostEvidence): Check {
  const lines = ev.app && ev.app.files.length > 0 ? ev.app.totalLines : null;
  return { area: 'app_logs', ...describeAppLogCoverage(ev.appSources, lines) };
}

export function summarizeChecks(ev: HostEvidence, windowMinutes: number): Check[] {
  const checks: Check[] = [nginxCheck(ev), accessCheck(ev, windowMinutes), errorLogCheck(ev), appCheck(ev)];
  const fullest = ev.disk ? [...ev.disk.mounts].sort((a, b) => b.usePct - a.usePct)[0] : undefined;
  checks.push(fullest
    ? { area: 'disk', checked: true, detail: `fullest ${fullest.mountedOn} at ${pct(fullest.usePct)} of ${ev.disk!.mounts.length} filesystem(s)` }
    : { area: 'disk', checked: false, detail: 'df gave nothing usable' });
  checks.push(ev.memory
    ? { area: 'memory', checked: true, detail: `${pct(ev.memory.availablePct)} available (${Math.round(ev.memory.availableKb / 1024)} of ${Math.round(ev.memory.totalKb / 1024)} MiB)` }
    : { area: 'memory', checked: false, detail: 'meminfo gave nothing usable' });
  const worst = ev.fds ? [...ev.fds.processes].filter((p) => p.ratio !== null).sort((a, b) => b.ratio! - a.ratio!)[0] : undefined;
  checks.push(worst
    ? { area: 'descriptors', checked: true, detail: `highest ${worst.comm} (pid ${worst.pid}) at ${worst.count}/${worst.softLimit}` }
    : { area: 'descriptors', checked: false, detail: 'descriptor use not readable (needs root or the same user)' });
  checks.push(ev.kernel
    ? { area: 'kernel_log', checked: true, detail: `${ev.kernel.oomKills.length} OOM kill(s), ${ev.kernel.crashes.length} crash(es) in ${ev.kernel.totalLines} lines (${ev.kernel.source})` }
    : { area: 'kernel_log', checked: false, detail: 'no kernel log readable' });
  if (ev.context.hasDeploy) {
    checks.push(ev.releases?.current
      ? { area: 'releases', checked: true, detail: `current ${ev.releases.current} of ${ev.releases.releases.length} release(s)` }
      : { area: 'releases', checked: false, detail: 'release directory not readable' });
  }
  if (ev.context.hasPostgres) {
    checks.push(ev.pg
      ? { area: 'postgres', checked: true, detail: `${ev.pg.total}/${ev.pg.usable} usable connections in use` }
      : { area: 'postgres', checked: false, detail: 'pg_stat_activity not readable' });
  }
  return checks;
}
