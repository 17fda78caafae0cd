import { splitLines } from '../command-outputs.js';
import { RANK, type Candidate } from './log-candidates.js';

// From what the probe found on the host, the app logs worth reading: regular text files tied to
// the service, freshest and most directly tied first, a bounded number of them.

export interface ChosenLog {
  kind: 'file' | 'journal';
  /** File path (or /proc/PID/fd/N for a deleted one), or a systemd unit for the journal. */
  target: string;
  how: string;
  mtimeMs: number | null;
  sizeBytes: number | null;
}

export interface AppLogChoice {
  files: ChosenLog[];
  journals: ChosenLog[];
  /** Log files found but left unread (over the cap, stale), for the report. */
  skipped: string[];
  notes: string[];
}

export const MAX_APP_LOG_FILES = 6;
export const MAX_JOURNALS = 2;
const STALE_MS = 7 * 24 * 3600_000;

/** Rotated generations are read by the log reader beside their current file, never on their own. */
export const ROTATED = /\.\d+(?:\.(?:gz|xz|bz2|zst))?$|\.(?:gz|xz|bz2|zst|zip)$|-\d{8}(?:\d{2})?(?:\.(?:gz|xz|bz2))?$|\.(?:old|bak)$/;
const NOT_TEXT = /\.(?:pid|lock|sock|journal|db|sqlite3?|wal|shm|idx|bin|dat|mdb|ldb|so|jar|class|pyc|png|jpe?g|gif|pdf|tar)$|(?:^|\/)LATEST\.LOG$/i;
/** Names that say "log" (a working directory also holds code and data, which are not read). */
const LOG_NAME = /\.(?:log|out|err)$|(?:^|\/)(?:current|nohup\.out|std(?:out|err)(?:\.txt)?|[\w.-]*[._-](?:log|error|access)(?:\.txt|\.jsonl?)?|(?:error|access)[._-]?log)$/i;

export interface ProbeFile { path: string; mtimeMs: number; sizeBytes: number; id: string }

export function parseProbe(text: string): { files: Map<string, ProbeFile>; configNamed: Array<{ config: string; file: string; path: string }>; containers: Array<{ ip: string; dir: string }> } {
  const files = new Map<string, ProbeFile>();
  const configNamed: Array<{ config: string; file: string; path: string }> = [];
  const containers: Array<{ ip: string; dir: string }> = [];
  for (const line of splitLines(text)) {
    const f = /^F (\d+) (\d+) ([0-9a-f]+) (\d+:\d+) (\/.*)$/.exec(line);
    // Regular files only (S_IFREG in stat's %f).
    if (f && (parseInt(f[3]!, 16) & 0xf000) === 0x8000) files.set(f[5]!, { path: f[5]!, mtimeMs: Number(f[1]) * 1000, sizeBytes: Number(f[2]), id: f[4]! });
    const l = /^L (\/\S+) (\/\S+) (\/.*)$/.exec(line);
    if (l) configNamed.push({ config: l[1]!, file: l[2]!, path: l[3]! });
    const x = /^X (\S+) (\/.*)$/.exec(line);
    if (x) containers.push({ ip: x[1]!, dir: x[2]! });
  }
  return { files, configNamed, containers };
}

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';

export function chooseAppLogs(candidates: readonly Candidate[], probeText: string, nowMs: number, exclude: ReadonlySet<string>): AppLogChoice {
  const probe = parseProbe(probeText);
  const best = new Map<string, { how: string; rank: number }>();
  const offer = (path: string, how: string, rank: number) => {
    const cur = best.get(path);
    if (!cur || rank < cur.rank) best.set(path, { how, rank });
  };
  const dirs = new Map<string, Candidate>();
  for (const c of candidates) {
    if (c.kind === 'file') offer(c.value, c.how, c.rank);
    else if (c.kind === 'dir') { const cur = dirs.get(c.value); if (!cur || c.rank < cur.rank) dirs.set(c.value, c); }
  }
  for (const n of probe.configNamed) {
    const conf = candidates.find((c) => c.kind === 'config' && c.value === n.config);
    const how = `named in ${n.file}${conf ? ` (${conf.how.replace(/^named by /, 'config named by ')})` : ''}`;
    dirs.set(n.path, dirs.get(n.path) ?? { kind: 'dir', value: n.path, how, rank: RANK.config });
    offer(n.path, how, RANK.config);
  }
  for (const x of probe.containers) {
    const c = candidates.find((k) => k.kind === 'container_ip' && k.value === x.ip);
    const id = x.dir.slice(x.dir.lastIndexOf('/') + 1);
    offer(`${x.dir}/${id}-json.log`, c?.how ?? `json-file log of the container at ${x.ip}`, RANK.stdout);
  }

  const found: ChosenLog[] = [];
  for (const f of probe.files.values()) {
    if (exclude.has(f.path) || ROTATED.test(f.path) || NOT_TEXT.test(f.path) || f.sizeBytes === 0) continue;
    let src = best.get(f.path);
    const dir = dirs.get(dirOf(f.path));
    if (dir && (!dir.logNamesOnly || LOG_NAME.test(f.path)) && (!src || dir.rank < src.rank)) src = { how: `in ${dirOf(f.path)}/ (${dir.how})`, rank: dir.rank };
    if (!src && candidates.some((c) => c.kind === 'conventional_globs') && LOG_NAME.test(f.path)) src = { how: 'conventional app log place', rank: RANK.globs };
    if (!src) continue;
    found.push({ kind: 'file', target: f.path, how: src.how, mtimeMs: f.mtimeMs, sizeBytes: f.sizeBytes, rank: src.rank } as ChosenLog & { rank: number });
  }
  // One file reached by two paths (a link, a release's log/ -> shared/log) is read once, by its best reason.
  const byId = new Map<string, ChosenLog & { rank: number }>();
  for (const f of found as Array<ChosenLog & { rank: number; id?: string }>) {
    const id = probe.files.get(f.target)!.id;
    const cur = byId.get(id);
    if (!cur || f.rank < cur.rank) byId.set(id, f);
  }
  found.splice(0, found.length, ...byId.values());
  const fresh = found.filter((f) => f.mtimeMs !== null && nowMs - f.mtimeMs < STALE_MS);
  const pool = (fresh.length > 0 ? fresh : found) as Array<ChosenLog & { rank: number }>;
  pool.sort((a, b) => a.rank - b.rank || (b.mtimeMs ?? 0) - (a.mtimeMs ?? 0));
  const files = pool.slice(0, MAX_APP_LOG_FILES).map(({ rank: _rank, ...f }) => f);
  const skipped = [...pool.slice(MAX_APP_LOG_FILES).map((f) => `${f.target} (over the cap of ${MAX_APP_LOG_FILES})`),
    ...found.filter((f) => !pool.includes(f as ChosenLog & { rank: number })).map((f) => `${f.target} (not written for over 7 days)`)];

  const units = candidates.filter((c) => c.kind === 'journal').sort((a, b) => a.rank - b.rank);
  const journals = units
    .filter((u, i) => units.findIndex((v) => v.value === u.value) === i)
    .filter((u) => u.rank <= RANK.stdout || files.length === 0)
    .slice(0, MAX_JOURNALS)
    .map((u) => ({ kind: 'journal' as const, target: u.value, how: u.how, mtimeMs: null, sizeBytes: null }));
  return { files, journals, skipped, notes: [] };
}
