import type { ProcDiscovery } from '../parsers/proc-discovery.js';
import type { AppService, ServiceProcess } from './find-services.js';
import { cmdlineLogHints } from './cmdline-hints.js';

// Where a service's logs may be, each with the reason a person would give, best first:
// files its processes hold open, its stdout/stderr, files its command line or config names, its
// working directory, then the conventional places for its names; the journal when it logs there.

export interface Candidate {
  /** File, directory or config (a `probe` target) — or a systemd unit for the journal. */
  kind: 'file' | 'dir' | 'config' | 'journal' | 'container_ip' | 'conventional_globs';
  value: string;
  how: string;
  /** Lower is better: how directly the evidence ties it to the service. */
  rank: number;
  /** Directory listings from the working directory keep only log-looking names. */
  logNamesOnly?: boolean;
}

export const RANK = { held: 1, stdout: 1, viaLogger: 2, cmdline: 2, config: 3, supervisor: 4, cwd: 5, named: 6, journal: 6, generic: 8, globs: 9 } as const;

const ROOTS = /^\/(?:srv|opt|var\/www|home|app|apps|usr\/local\/(?:lib|share))\/([A-Za-z0-9][A-Za-z0-9._-]*)/;
const GENERIC = new Set(['node', 'nodejs', 'python', 'python3', 'java', 'ruby', 'dotnet', 'php', 'perl', 'bundle', 'sh', 'bash', 'current', 'releases', 'bin', 'app', 'www', 'html']);
const SYSTEM_USERS = new Set(['root', 'nobody', 'daemon', 'www-data', 'nginx', 'systemd-network', 'syslog', 'messagebus', '_apt']);

const who = (p: ServiceProcess) => `${p.comm} pid ${p.pid}`;

/** Names the service goes by: its unit, its install root, its user, its label in the inventory. */
export function serviceNames(s: AppService, labels: Record<string, string>): { specific: string[]; generic: string[] } {
  const specific = new Set<string>();
  const generic = new Set<string>();
  if (s.unit) specific.add(s.unit.replace(/\.service$/, '').replace(/@.*$/, ''));
  for (const v of [labels.service, labels.app, labels.job]) if (v && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v)) specific.add(v);
  for (const m of s.members) {
    for (const path of [m.cwd, ...m.args.split(/\s+/).filter((a) => a.startsWith('/'))]) {
      const r = path ? ROOTS.exec(path) : null;
      if (r && !GENERIC.has(r[1]!)) specific.add(r[1]!);
    }
    if (!SYSTEM_USERS.has(m.user) && /^[a-z_][a-z0-9_-]*$/.test(m.user)) specific.add(m.user);
    if (m.role === 'listener' || m.role === 'worker') generic.add(m.comm);
  }
  for (const n of specific) generic.delete(n);
  return { specific: [...specific], generic: [...generic].filter((n) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n)) };
}

function heldOpen(s: AppService, d: ProcDiscovery, out: Candidate[]): void {
  const members = new Map(s.members.map((m) => [m.pid, m]));
  const own = (m: ServiceProcess) => m.role === 'listener' || m.role === 'worker';
  for (const w of d.writes) {
    const m = members.get(w.pid);
    if (!m) continue;
    const value = w.deleted ? `/proc/${w.pid}/fd/${w.fd}` : w.path;
    const deleted = w.deleted ? ` (deleted on disk: ${w.path} was rotated away but is still being written)` : '';
    out.push({ kind: 'file', value, how: own(m) ? `held open by ${who(m)}${deleted}` : `held open by ${who(m)}, ${m.role === 'supervisor' ? 'which supervises' : 'beside'} pid ${s.listenerPid}${deleted}`, rank: own(m) ? RANK.held : RANK.supervisor });
  }
  // stdout/stderr: a file directly, or a pipe whose reader (a supervisor or log service) writes files.
  for (const m of s.members.filter(own)) {
    const io = d.stdio.get(m.pid);
    for (const fd of [1, 2] as const) {
      const t = io?.[fd];
      if (!t) continue;
      const name = fd === 1 ? 'stdout' : 'stderr';
      if (t.startsWith('/')) {
        const del = / \(deleted\)$/.test(t);
        out.push({ kind: 'file', value: del ? `/proc/${m.pid}/fd/${fd}` : t, how: `${name} of ${who(m)}`, rank: RANK.stdout });
        continue;
      }
      const pipe = /^pipe:\[(\d+)\]$/.exec(t);
      if (!pipe) continue;
      for (const h of d.pipes.get(pipe[1]!) ?? []) {
        if (h.pid === m.pid || members.get(h.pid)?.role === 'worker' || members.get(h.pid)?.role === 'listener') continue;
        const logger = members.get(h.pid);
        const loggerName = logger ? who(logger) : `pid ${h.pid}`;
        for (const w of d.writes.filter((x) => x.pid === h.pid)) {
          // A supervisor's own log (supervisord.log) is not the app's output.
          const own = logger && w.path.slice(w.path.lastIndexOf('/') + 1).startsWith(logger.comm);
          out.push({ kind: 'file', value: w.deleted ? `/proc/${w.pid}/fd/${w.fd}` : w.path, how: own ? `held open by ${loggerName}, which supervises pid ${s.listenerPid}` : `${name} of ${who(m)} via ${loggerName}`, rank: own ? RANK.supervisor : RANK.viaLogger });
        }
      }
    }
  }
}

export function logCandidates(s: AppService, d: ProcDiscovery, labels: Record<string, string>): Candidate[] {
  const out: Candidate[] = [];
  heldOpen(s, d, out);
  for (const m of s.members) {
    for (const h of cmdlineLogHints(m.args, m.cwd)) out.push({ ...h, how: `${h.how} in the command line of ${who(m)}`, rank: h.kind === 'config' ? RANK.config : RANK.cmdline });
    if (m.cwd && m.cwd !== '/' && (m.role === 'listener' || m.role === 'worker')) {
      for (const sub of ['log', 'logs', 'storage/logs', 'var/log']) out.push({ kind: 'dir', value: `${m.cwd}/${sub}`, how: `${sub}/ in the working directory of ${who(m)}`, rank: RANK.cwd });
      out.push({ kind: 'dir', value: m.cwd, how: `the working directory of ${who(m)}`, rank: RANK.cwd, logNamesOnly: true });
    }
    if (m.comm === 'supervisord') out.push({ kind: 'dir', value: '/var/log/supervisor', how: `supervisord's log directory (supervises pid ${s.listenerPid})`, rank: RANK.supervisor });
  }
  if (s.container) out.push({ kind: 'file', value: `/var/lib/docker/containers/${s.container}/${s.container}-json.log`, how: `json-file log of container ${s.container.slice(0, 12)}`, rank: RANK.stdout });
  const proxy = s.members.find((m) => m.comm === 'docker-proxy');
  const ip = proxy ? /-container-ip\s+([0-9a-fA-F.:]+)/.exec(proxy.args)?.[1] : undefined;
  if (ip) out.push({ kind: 'container_ip', value: ip, how: `json-file log of the container behind docker-proxy pid ${proxy!.pid} (${ip})`, rank: RANK.stdout });
  const { specific, generic } = serviceNames(s, labels);
  for (const n of specific) {
    const because = `conventional place for "${n}"`;
    out.push({ kind: 'dir', value: `/var/log/${n}`, how: because, rank: RANK.named }, { kind: 'file', value: `/var/log/${n}.log`, how: because, rank: RANK.named });
    for (const dir of [`/srv/${n}/shared/log`, `/srv/${n}/log`, `/opt/${n}/log`, `/opt/${n}/logs`, `/var/www/${n}/storage/logs`, `/var/www/${n}/log`, `/home/${n}/log`]) {
      out.push({ kind: 'dir', value: dir, how: because, rank: RANK.named });
    }
  }
  for (const n of generic) {
    const because = `conventional place for ${n} processes`;
    out.push({ kind: 'dir', value: `/var/log/${n}`, how: because, rank: RANK.generic }, { kind: 'file', value: `/var/log/${n}.log`, how: because, rank: RANK.generic });
    // Debian names php-fpm's log after the package (php8.2-fpm.log), not the binary.
    const fpm = /^php-fpm([\d.]+)$/.exec(n);
    if (fpm) out.push({ kind: 'file', value: `/var/log/php${fpm[1]}-fpm.log`, how: because, rank: RANK.generic });
  }
  const stdoutToJournal = s.members.some((m) => (m.role === 'listener' || m.role === 'worker') && /^socket:/.test(d.stdio.get(m.pid)?.[1] ?? ''));
  if (s.unit) out.push({ kind: 'journal', value: s.unit, how: `journal of ${s.unit}${stdoutToJournal ? ' (its stdout goes to the journal)' : ''}`, rank: stdoutToJournal ? RANK.stdout : RANK.journal });
  return out;
}
