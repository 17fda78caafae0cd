import type { UpstreamTarget } from '../parsers/nginx-upstreams.js';
import { describeTarget } from '../parsers/nginx-upstreams.js';
import type { ProcessRow } from '../parsers/processes.js';
import { containerOf, unitOf, type Listener, type ProcDiscovery } from '../parsers/proc-discovery.js';

// Which processes are the application, found the way an SRE finds them: nginx says where it sends
// requests, the kernel says who listens there, and the process tree says who supervises it.
// Where nginx sends requests to another machine, that target is named, never contacted.

export interface ServiceProcess {
  pid: number;
  ppid: number;
  user: string;
  args: string;
  comm: string;
  cwd: string | null;
  unit: string | null;
  /** listener: holds the socket; worker: below it; supervisor: above it; sibling: beside it. */
  role: 'listener' | 'worker' | 'supervisor' | 'sibling';
}

export interface AppService {
  /** `127.0.0.1:9000` or `unix:/run/php/fpm.sock`, or `pid 4242` when found without a socket. */
  entry: string;
  /** How it was found, for the report ("proxy_pass target", "listening, no nginx"). */
  via: string;
  upstream: UpstreamTarget | null;
  listenerPid: number | null;
  members: ServiceProcess[];
  unit: string | null;
  container: string | null;
}

export interface PeerHost { name: string; address: string }

export interface RemoteUpstream {
  target: UpstreamTarget;
  text: string;
  /** The inventory host at that address or name, if any. */
  peer: string | null;
}

export interface ServiceDiscovery {
  services: AppService[];
  remote: RemoteUpstream[];
  /** Loopback or local targets nothing listens on: the app is down. */
  down: UpstreamTarget[];
  /** Some processes' descriptors were not readable (not root): discovery fell back to names. */
  fdBlind: boolean;
  notes: string[];
}

export interface DiscoveryContext {
  hostname: string | null;
  /** The inventory address of this host and the other inventory hosts (for the tier behind). */
  selfAddress: string | null;
  peers: PeerHost[];
}

/** Processes that listen for their own reasons, never the app behind nginx. */
const SYSTEM_COMMS = new Set(['sshd', 'nginx', 'systemd', 'systemd-resolved', 'systemd-journald', 'systemd-networkd', 'chronyd', 'ntpd',
  'rpcbind', 'exim4', 'master', 'dnsmasq', 'cupsd', 'containerd', 'dockerd', 'postgres', 'postmaster', 'redis-server', 'mysqld', 'mariadbd',
  'memcached', 'node_exporter', 'rsyslogd', 'sudo', 'beam.smp', 'epmd', 'mosquitto', 'nats-server', 'unshare', 'sshd-session']);
/** Ancestors that supervise everything, so the service's own tree stops below them. */
const TREE_STOPS = new Set(['systemd', 'init', 'runsvdir', 'containerd', 'containerd-shim', 'containerd-shim-runc-v2', 'dockerd', 'sshd',
  'tmux: server', 'screen', 'login', 'cron', 'unshare', 'sshd-session']);

const APP_PROCESS = /^(?:node|nodejs|python[\d.]*|gunicorn|uwsgi|uvicorn|java|ruby[\d.]*|puma|unicorn|rails|php-fpm[\d.]*|php[\d.]*|dotnet|bundle|deno|bun|beam|erl|perl|[a-z][\w-]*-(?:server|api|app|service|svc|worker))$/;

const INTERPRETERS = /^(?:python[\d.]*|ruby[\d.]*|perl[\d.]*|node|nodejs|bash|sh)$/;
const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** A process's name as people say it: `gunicorn` for `/usr/bin/python3 /usr/bin/gunicorn …`. */
export function commOf(args: string): string {
  const [first = '', second] = args.trim().split(/\s+/);
  const base = baseName(first).replace(/:$/, '');
  // Process titles such as "php-fpm: master process (…)" or "nginx: worker process" keep theirs.
  if (INTERPRETERS.test(base) && second?.startsWith('/') && !/\.(?:c?js|mjs|py|rb|pl|sh)$/.test(second)) return baseName(second);
  return base;
}

const isLoopback = (h: string) => h === 'localhost' || h === '::1' || /^127\./.test(h) || h === 'ip6-localhost';
const isWildcard = (a: string | null) => a === '0.0.0.0' || a === '::';
const normSock = (p: string) => p.replace(/^\/var\/run\//, '/run/');

function buildTree(rows: readonly ProcessRow[]) {
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const children = new Map<number, ProcessRow[]>();
  for (const r of rows) children.set(r.ppid, [...(children.get(r.ppid) ?? []), r]);
  return { byPid, children };
}

function holdersOf(d: ProcDiscovery, l: Listener, rows: Map<number, ProcessRow>): number[] {
  return (d.socketHolders.get(l.inode) ?? []).map((h) => h.pid).filter((pid) => {
    const r = rows.get(pid);
    return !r || !SYSTEM_COMMS.has(commOf(r.args));
  });
}

function serviceFor(pid: number, d: ProcDiscovery, tree: ReturnType<typeof buildTree>): ServiceProcess[] {
  const proc = (r: ProcessRow, role: ServiceProcess['role']): ServiceProcess => ({
    pid: r.pid, ppid: r.ppid, user: r.user, args: r.args, comm: commOf(r.args), cwd: d.cwd.get(r.pid) ?? null, unit: unitOf(d.cgroup.get(r.pid)), role,
  });
  const self = tree.byPid.get(pid);
  if (!self) return [];
  const members: ServiceProcess[] = [proc(self, 'listener')];
  const seen = new Set([pid]);
  // Workers (and their children) of the listener.
  const walkDown = (p: number, role: ServiceProcess['role']) => {
    for (const c of tree.children.get(p) ?? []) {
      if (seen.has(c.pid)) continue;
      seen.add(c.pid);
      members.push(proc(c, role));
      walkDown(c.pid, role);
    }
  };
  walkDown(pid, 'worker');
  // Supervisors above it, up to the first process that supervises the whole machine.
  let cur = self;
  let top = self;
  for (let depth = 0; depth < 8; depth++) {
    const parent = tree.byPid.get(cur.ppid);
    if (!parent || parent.pid <= 1 || TREE_STOPS.has(commOf(parent.args))) break;
    seen.add(parent.pid);
    members.push(proc(parent, 'supervisor'));
    top = parent;
    cur = parent;
  }
  // Beside it: a supervisor's other children, such as runit's log service (svlogd).
  if (top !== self) walkDown(top.pid, 'sibling');
  return members;
}

function localTcpMatch(t: UpstreamTarget, d: ProcDiscovery, ctx: DiscoveryContext): Listener[] {
  const host = t.host ?? '';
  const self = host === ctx.selfAddress || (ctx.hostname !== null && (host === ctx.hostname || host === ctx.hostname.split('.')[0]));
  const targets = host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
  return d.listeners.filter((l) => l.proto === 'tcp' && l.port === t.port
    && (targets.includes(l.address ?? '') || (isWildcard(l.address) && (self || isLoopback(host)))));
}

export function findServices(d: ProcDiscovery, rows: readonly ProcessRow[], upstreams: readonly UpstreamTarget[] | null, ctx: DiscoveryContext): ServiceDiscovery {
  const tree = buildTree(rows);
  const out: ServiceDiscovery = { services: [], remote: [], down: [], fdBlind: false, notes: [] };
  const visible = rows.filter((r) => d.fdVisible.has(r.pid)).length;
  out.fdBlind = d.uid !== 0 && visible < rows.length;
  const byListener = new Map<number, AppService>();
  const addService = (pid: number, entry: string, via: string, upstream: UpstreamTarget | null) => {
    if (byListener.has(pid)) return;
    const members = serviceFor(pid, d, tree);
    if (members.length === 0) return;
    const s: AppService = { entry, via, upstream, listenerPid: pid, members, unit: members.find((m) => m.unit)?.unit ?? null,
      container: members.map((m) => containerOf(d.cgroup.get(m.pid))).find(Boolean) ?? null };
    byListener.set(pid, s);
    out.services.push(s);
  };

  for (const t of upstreams ?? []) {
    const text = describeTarget(t);
    const peer = t.kind === 'tcp' ? ctx.peers.find((p) => p.address === t.host || p.name === t.host) : undefined;
    if (peer && peer.address !== ctx.selfAddress) { out.remote.push({ target: t, text, peer: peer.name }); continue; }
    const listeners = t.kind === 'unix'
      ? d.listeners.filter((l) => l.proto === 'unix' && l.path !== null && normSock(l.path) === normSock(t.socketPath!))
      : localTcpMatch(t, d, ctx);
    const holders = [...new Set(listeners.flatMap((l) => holdersOf(d, l, tree.byPid)))];
    if (holders.length > 0) {
      // The lowest pid is the master; its workers share the socket and are found below it.
      const master = holders.filter((p) => !holders.includes(tree.byPid.get(p)?.ppid ?? -1)).sort((a, b) => a - b)[0]!;
      addService(master, text, `${t.directive} target (${t.where})`, t);
    } else if (listeners.length > 0 && !out.fdBlind) {
      // Listening, but by no process of this host (another namespace or container network).
      out.remote.push({ target: t, text, peer: null });
    } else if (listeners.length > 0) {
      out.notes.push(`${text} is listening, but its process is not visible to diagbot's user (not root)`);
    } else if (t.kind === 'unix' || isLoopback(t.host ?? '') || t.host === ctx.selfAddress) {
      out.down.push(t);
    } else {
      out.remote.push({ target: t, text, peer: null });
    }
  }

  if (!upstreams || upstreams.length === 0) {
    // No nginx in front (or it proxies nowhere): every listening application process is a candidate.
    for (const l of d.listeners) {
      for (const pid of holdersOf(d, l, tree.byPid)) {
        const r = tree.byPid.get(pid);
        if (!r || tree.byPid.get(r.ppid) && holdersOf(d, l, tree.byPid).includes(r.ppid)) continue;
        addService(pid, l.proto === 'unix' ? `unix:${l.path}` : `${l.address}:${l.port}`, 'listening (no nginx upstream to follow)', null);
      }
    }
  }
  if (out.services.length === 0 && out.fdBlind) {
    // Without other users' descriptors the socket cannot be tied to a process: take the
    // application-looking processes (top of each tree) and find their logs by name.
    const apps = rows.filter((r) => APP_PROCESS.test(commOf(r.args)) && !SYSTEM_COMMS.has(commOf(r.args)));
    const appPids = new Set(apps.map((r) => r.pid));
    for (const r of apps) {
      if (appPids.has(r.ppid)) continue;
      addService(r.pid, `pid ${r.pid}`, 'application process (its sockets are not readable by diagbot\'s user)', null);
    }
  }
  return out;
}
