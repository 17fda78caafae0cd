import { chooseFromProbe, planAppLogSearch } from './app-discovery/plan-app-logs.js';
import { describeAppSources } from './app-discovery/app-sources.js';
import { appLogText, withoutSectionHeaders } from './app-log-text.js';
import { findOutput, findOutputs, problemNote, usableStdout } from './command-outputs.js';
import { DEFAULT_WINDOW_MINUTES, type CommandStatus, type HostEvidence } from './host-evidence.js';
import { parseAccessLog } from './parsers/access-log.js';
import { parseAppLog } from './parsers/app-log.js';
import { parseDisk } from './parsers/disk.js';
import { parseErrorLog } from './parsers/error-log.js';
import { parseFdUsage } from './parsers/fd-usage.js';
import { parseHostInfo } from './parsers/host-info.js';
import { parseKernelLog } from './parsers/kernel-log.js';
import { parseMemory } from './parsers/memory.js';
import { parseNginxConfig, type NginxConfig } from './parsers/nginx-config.js';
import { parseNginxTest } from './parsers/nginx-test.js';
import { parsePgActivity } from './parsers/pg-activity.js';
import { parseProcesses } from './parsers/processes.js';
import { parseReleases } from './parsers/releases.js';
import { isNoNginx, planFromConfig } from './plan-log-targets.js';
import { redact } from './redact.js';
import { visibleControls } from './visible-controls.js';
import { isoOffsetMinutes, nginxLocalOffsetMinutes } from './time.js';
import { computeTimeline } from './timeline.js';
import type { CommandOutput, RawHostOutputs } from './types.js';

// Turns raw command output into HostEvidence. Each section is parsed by its own parser; a command
// that is missing or failed leaves its section null and a note, never an exception.

/** Zone-less stamps are host-local: take the offset from stamps that carry one. */
function inferTzOffset(outputs: readonly CommandOutput[]): number {
  for (const out of findOutputs(outputs, 'access_log')) {
    const local = /\[?\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2} ([+-]\d{4})/.exec(out.stdout);
    if (local) return nginxLocalOffsetMinutes(local[1]!) ?? 0;
    const iso = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})/.exec(out.stdout);
    if (iso) return isoOffsetMinutes(iso[0]) ?? 0;
  }
  const kernel = findOutput(outputs, 'kernel_log')?.stdout ?? '';
  if (/^source journalctl/.test(kernel)) {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\S*/m.exec(kernel);
    if (iso) return isoOffsetMinutes(iso[0]) ?? 0;
  }
  return 0;
}

function parsed<T>(outputs: readonly CommandOutput[], id: string, parse: (text: string, out: CommandOutput) => T): T | null {
  const out = findOutput(outputs, id);
  const text = usableStdout(out);
  return out && text !== null ? parse(text, out) : null;
}

function formatFor(cfg: NginxConfig | null, path: string) {
  const name = cfg?.accessLogs.find((a) => a.path === path)?.format ?? 'combined';
  return { name, def: cfg?.logFormats[name] };
}

/** Masks secrets in every line the evidence keeps, so a dumped HostEvidence leaks nothing either. */
function redactEvidence(ev: HostEvidence): void {
  const all = (lines: string[]) => redact(lines.join('\n')).split('\n');
  for (const a of ev.accessLogs) {
    a.lines = a.lines.map(redact);
    if (a.first5xx) a.first5xx.line = redact(a.first5xx.line);
    if (a.last5xx) a.last5xx.line = redact(a.last5xx.line);
    if (a.unparsedSample) a.unparsedSample = redact(a.unparsedSample);
  }
  for (const e of ev.errorLogs) e.lines = e.lines.map(redact);
  if (ev.kernel) ev.kernel.lines = ev.kernel.lines.map(redact);
  for (const g of ev.app?.groups ?? []) { g.excerpt = all(g.excerpt); g.headline = redact(g.headline); }
  for (const s of ev.app?.signatures ?? []) { s.firstLine = redact(s.firstLine); s.latestLine = redact(s.latestLine); }
  if (ev.nginx.test) ev.nginx.test.lines = ev.nginx.test.lines.map(redact);
  if (ev.pg) ev.pg.raw = redact(ev.pg.raw);
  ev.notes = ev.notes.map(redact);
}

export function buildEvidence(raw: RawHostOutputs): HostEvidence {
  // Parsers see the text a reader will: colour codes gone, other controls visible (visible-controls.ts).
  const outputs = (raw.commands ?? []).map((o) => ({ ...o, stdout: visibleControls(o.stdout ?? ''), stderr: visibleControls(o.stderr ?? '') }));
  const notes: string[] = [];
  const commands: CommandStatus[] = outputs.map((o) => {
    const note = problemNote(o);
    if (note) notes.push(note);
    return { id: o.id, ...(o.target !== undefined ? { target: o.target } : {}), ok: note === null, note };
  });

  const hostInfo = parsed(outputs, 'host_info', parseHostInfo);
  const tz = inferTzOffset(outputs);
  const dump = findOutput(outputs, 'nginx_dump');
  const dumpText = usableStdout(dump);
  const config = dumpText && !isNoNginx(dump) ? parseNginxConfig(dumpText) : null;
  const logPlan = planFromConfig(outputs, config);
  notes.push(...logPlan.notes, ...(config?.notes ?? []));
  const testOut = findOutput(outputs, 'nginx_test');
  const test = testOut && !isNoNginx(testOut) && usableStdout(testOut) ? parseNginxTest(testOut.stdout, testOut.exitCode) : null;

  const formats = Object.values(config?.logFormats ?? {});
  const accessLogs = findOutputs(outputs, 'access_log').flatMap((out) => {
    const text = usableStdout(out);
    if (!text || !out.target) return [];
    const { name, def } = formatFor(config, out.target);
    if (!def && config) notes.push(`${out.target}: log_format ${name} is not defined in the config; trying the known formats`);
    return [parseAccessLog(out.target, withoutSectionHeaders(text), def, formats)];
  });
  for (const a of accessLogs) notes.push(...a.notes);
  const errorLogs = findOutputs(outputs, 'error_log').flatMap((out) => {
    const text = usableStdout(out);
    return text && out.target ? [parseErrorLog(out.target, withoutSectionHeaders(text), tz)] : [];
  });

  const appText = appLogText(outputs);
  const app = appText ? parseAppLog(appText, tz) : null;
  // Redo the (pure) log search from the raw outputs, so the report can say how each log was found.
  const search = planAppLogSearch(outputs, raw.context, config);
  const choice = chooseFromProbe(search, outputs, hostInfo?.nowMs ?? 0, new Set([...logPlan.accessLogs, ...logPlan.errorLogs]));
  const appSources = describeAppSources(search, choice, raw.context.appLogGlobs, findOutput(outputs, 'log_probe') !== undefined);
  notes.push(...appSources.notes);
  const logTimes = [
    ...accessLogs.flatMap((a) => Object.keys(a.requestsPerSecond).map(Number)),
    ...errorLogs.flatMap((e) => e.entries.map((x) => x.timeMs ?? 0)),
    ...(app?.groups ?? []).map((g) => g.lastMs ?? 0),
  ];
  const latestLog = logTimes.length > 0 ? Math.max(...logTimes) : 0;
  const clock: HostEvidence['clock'] = hostInfo?.nowMs
    ? { nowMs: hostInfo.nowMs, source: 'host_info', tzOffsetMinutes: tz }
    : { nowMs: latestLog, source: latestLog > 0 ? 'latest_log' : 'none', tzOffsetMinutes: tz };
  if (clock.source !== 'host_info') notes.push('host clock unknown (host_info missing); "recent" is measured from the latest log line');

  const ev: HostEvidence = {
    host: raw.host,
    context: raw.context,
    clock,
    hostInfo,
    nginx: { present: false, config, test, logPlan },
    accessLogs,
    errorLogs,
    processes: parsed(outputs, 'processes', parseProcesses),
    fds: parsed(outputs, 'fd_usage', parseFdUsage),
    disk: parsed(outputs, 'disk', parseDisk),
    memory: parsed(outputs, 'memory', parseMemory),
    kernel: parsed(outputs, 'kernel_log', (t) => parseKernelLog(t, { nowMs: hostInfo?.nowMs ?? null, uptimeS: hostInfo?.uptimeS ?? null, tzOffsetMinutes: tz })),
    app,
    appSources,
    releases: parsed(outputs, 'releases', parseReleases),
    pg: parsed(outputs, 'pg_activity', parsePgActivity),
    timeline: { windowStartMs: 0, first5xx: null, firstNewError: null, lastDeploy: null },
    commands,
    notes,
  };
  // nginx fronts the app when something shows it (config, master, logs) and, where ps ran, its
  // master is actually running: an installed but stopped nginx answers no request.
  const masters = ev.processes?.nginxMasters.length;
  const shown = config !== null || (masters ?? 0) > 0 || accessLogs.length + errorLogs.length > 0
    || logPlan.accessLogs.length + logPlan.errorLogs.length > 0;
  ev.nginx.present = logPlan.nginxPresent && shown && masters !== 0;
  if (logPlan.nginxPresent && shown && masters === 0) notes.push('nginx is installed but no nginx master process is running');
  if (findOutput(outputs, 'pg_activity') && !ev.pg) notes.push('pg_activity gave no usable JSON document');
  if (ev.pg && !ev.pg.seesAll) {
    notes.push("diagbot's Postgres role cannot see other roles' sessions (grant it pg_monitor): connection states and counts are incomplete");
  }
  redactEvidence(ev);
  ev.timeline = computeTimeline(ev, clock.nowMs - DEFAULT_WINDOW_MINUTES * 60_000);
  return ev;
}
