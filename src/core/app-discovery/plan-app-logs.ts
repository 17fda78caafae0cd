import { findOutput, usableStdout } from '../command-outputs.js';
import type { NginxConfig } from '../parsers/nginx-config.js';
import { parseHostInfo } from '../parsers/host-info.js';
import { parseProcDiscovery } from '../parsers/proc-discovery.js';
import { parseProcesses } from '../parsers/processes.js';
import type { CommandOutput, RawHostOutputs } from '../types.js';
import { hasControls } from '../visible-controls.js';
import { chooseAppLogs, type AppLogChoice } from './choose-logs.js';
import { findServices, type ServiceDiscovery } from './find-services.js';
import { logCandidates, RANK, type Candidate } from './log-candidates.js';

// The two steps of finding the app logs, both pure so the evidence builder can redo them from the
// raw outputs: (1) from /proc and the nginx config, what to look at on the host (the `log_probe`
// targets); (2) from what the probe saw, which files and journals to read.

export interface AppLogSearch {
  discovery: ServiceDiscovery | null;
  candidates: Candidate[];
  /** `log_probe` targets: f:FILE, d:DIR, c:CONFIG, x:CONTAINER_IP, g: (conventional globs). */
  probes: string[];
  notes: string[];
}

const MAX_PROBES = 160;
const PREFIX: Partial<Record<Candidate['kind'], string>> = { file: 'f', dir: 'd', config: 'c', container_ip: 'x', conventional_globs: 'g' };
const safeValue = (v: string) => v.length < 1024 && !/\n/.test(v) && !hasControls(v) && (v.startsWith('/') || /^[0-9a-fA-F.:]+$/.test(v) || v === '');

export function planAppLogSearch(outputs: readonly CommandOutput[], context: RawHostOutputs['context'], config: NginxConfig | null): AppLogSearch {
  const discText = usableStdout(findOutput(outputs, 'app_discovery'));
  const psText = usableStdout(findOutput(outputs, 'processes'));
  const notes: string[] = [];
  if (!discText || !psText) {
    notes.push(`app log discovery had no ${!discText ? 'app_discovery' : 'processes'} output; only conventional places were searched`);
    const candidates: Candidate[] = [{ kind: 'conventional_globs', value: '', how: 'conventional app log place', rank: RANK.globs }];
    return { discovery: null, candidates, probes: ['g:'], notes };
  }
  const d = parseProcDiscovery(discText);
  const rows = parseProcesses(psText).rows;
  const info = usableStdout(findOutput(outputs, 'host_info'));
  const hostname = info ? parseHostInfo(info).hostname ?? null : null;
  const discovery = findServices(d, rows, config ? config.upstreams : null, { hostname, selfAddress: context.address ?? null, peers: context.peers ?? [] });
  notes.push(...discovery.notes);
  const candidates = discovery.services.flatMap((s) => logCandidates(s, d, context.labels ?? {}));
  const direct = candidates.some((c) => c.kind === 'file' && c.rank <= RANK.viaLogger);
  if (!direct && (discovery.services.length > 0 || discovery.fdBlind || !config)) {
    candidates.push({ kind: 'conventional_globs', value: '', how: 'conventional app log place', rank: RANK.globs });
  }
  if (discovery.fdBlind) notes.push("diagbot's user cannot read other users' descriptors (/proc/PID/fd), so app logs were searched by name and config; run triage as root or as the app's user for held-open files");
  const probes: string[] = [];
  for (const c of candidates) {
    const p = PREFIX[c.kind];
    const t = p ? `${p}:${c.value}` : null;
    if (t && safeValue(c.value) && !probes.includes(t)) probes.push(t);
  }
  if (probes.length > MAX_PROBES) notes.push(`app log search capped at ${MAX_PROBES} places (of ${probes.length})`);
  return { discovery, candidates, probes: probes.slice(0, MAX_PROBES), notes };
}

export function chooseFromProbe(search: AppLogSearch, outputs: readonly CommandOutput[], nowMs: number, exclude: ReadonlySet<string>): AppLogChoice {
  const probe = usableStdout(findOutput(outputs, 'log_probe')) ?? '';
  return chooseAppLogs(search.candidates, probe, nowMs, exclude);
}
