import { splitLines } from '../command-outputs.js';

// `app_discovery` output: what /proc says about who listens where and what each process writes.
// Lines (see commands/triage.yaml): `uid N`; `listen tcp|tcp6 HEXADDR:HEXPORT INODE`;
// `listen unix PATH INODE`; `S PID FD INODE` (a process holds a listening socket);
// `O PID FD TARGET` (fd 1/2); `W PID FD PATH` (a log-like file open for writing);
// `P INODE PID:FD…` (every holder of a pipe that is someone's stdout/stderr);
// `C PID PATH` (cwd); `E PID PATH` (exe); `G PID CGROUP`.

export interface Listener {
  proto: 'tcp' | 'unix';
  /** Dotted IPv4 or expanded IPv6 for tcp; null for unix. */
  address: string | null;
  port: number | null;
  path: string | null;
  inode: string;
}

export interface OpenFile {
  pid: number;
  fd: number;
  path: string;
  /** The file was unlinked (rotated away) while the process kept writing to it. */
  deleted: boolean;
}

export interface ProcDiscovery {
  uid: number | null;
  listeners: Listener[];
  /** Socket inode → processes holding it. */
  socketHolders: Map<string, Array<{ pid: number; fd: number }>>;
  /** pid → fd 1/2 targets (a path, `pipe:[N]`, `socket:[N]`). */
  stdio: Map<number, { 1?: string; 2?: string }>;
  writes: OpenFile[];
  /** Pipe inode → every pid:fd holding it. */
  pipes: Map<string, Array<{ pid: number; fd: number }>>;
  cwd: Map<number, string>;
  exe: Map<number, string>;
  cgroup: Map<number, string>;
  /** pids whose descriptors we saw at all (others were not readable). */
  fdVisible: Set<number>;
}

function ipv4(hex: string): string {
  const n = hex.match(/../g)!.map((b) => parseInt(b, 16)).reverse();
  return n.join('.');
}

/** /proc/net/tcp6 holds four little-endian 32-bit words. */
function ipv6(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
  const groups = words.join('').match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, '').toLowerCase());
  const v4mapped = groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff';
  if (v4mapped) return ipv4(words[3]!.match(/../g)!.reverse().join(''));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:::+/, '::');
}

export function decodeSocketAddress(proto: string, hex: string): { address: string; port: number } | null {
  const m = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(hex);
  if (!m) return null;
  const port = parseInt(m[2]!, 16);
  if (proto === 'tcp' && m[1]!.length === 8) return { address: ipv4(m[1]!), port };
  if (proto === 'tcp6' && m[1]!.length === 32) return { address: ipv6(m[1]!), port };
  return null;
}

const stripDeleted = (p: string) => ({ path: p.replace(/ \(deleted\)$/, ''), deleted: / \(deleted\)$/.test(p) });

export function parseProcDiscovery(text: string): ProcDiscovery {
  const d: ProcDiscovery = {
    uid: null, listeners: [], socketHolders: new Map(), stdio: new Map(), writes: [], pipes: new Map(),
    cwd: new Map(), exe: new Map(), cgroup: new Map(), fdVisible: new Set(),
  };
  for (const line of splitLines(text)) {
    const [tag, a = '', b = '', ...rest] = line.split(' ');
    const tail = [b, ...rest].join(' ');
    switch (tag) {
      case 'uid': d.uid = Number(a); break;
      case 'listen': {
        if (a === 'unix') {
          const inode = rest.join(' ');
          if (b.startsWith('/') && inode) d.listeners.push({ proto: 'unix', address: null, port: null, path: b, inode });
          break;
        }
        const addr = decodeSocketAddress(a, b);
        if (addr && rest[0]) d.listeners.push({ proto: 'tcp', ...addr, path: null, inode: rest[0] });
        break;
      }
      case 'S': {
        const inode = rest[0];
        if (!inode) break;
        const holders = d.socketHolders.get(inode) ?? [];
        holders.push({ pid: Number(a), fd: Number(b) });
        d.socketHolders.set(inode, holders);
        d.fdVisible.add(Number(a));
        break;
      }
      case 'O': {
        const pid = Number(a);
        const fd = Number(b);
        if (fd !== 1 && fd !== 2) break;
        const cur = d.stdio.get(pid) ?? {};
        cur[fd] = rest.join(' ');
        d.stdio.set(pid, cur);
        d.fdVisible.add(pid);
        break;
      }
      case 'W': {
        const p = stripDeleted(rest.join(' '));
        if (p.path.startsWith('/')) d.writes.push({ pid: Number(a), fd: Number(b), ...p });
        d.fdVisible.add(Number(a));
        break;
      }
      case 'P': {
        const holders = [b, ...rest].filter(Boolean).map((h) => h.split(':')).map(([pid, fd]) => ({ pid: Number(pid), fd: Number(fd) }));
        d.pipes.set(a, holders.filter((h) => Number.isInteger(h.pid) && Number.isInteger(h.fd)));
        break;
      }
      case 'C': if (tail.startsWith('/')) { d.cwd.set(Number(a), tail); d.fdVisible.add(Number(a)); } break;
      case 'E': if (tail.startsWith('/')) d.exe.set(Number(a), stripDeleted(tail).path); break;
      case 'G': d.cgroup.set(Number(a), tail); break;
      default: break;
    }
  }
  return d;
}

/** The systemd unit a cgroup path names (`/system.slice/orders.service` → `orders.service`). */
export function unitOf(cgroup: string | undefined): string | null {
  if (!cgroup) return null;
  const m = /([A-Za-z0-9@._\\:-]+\.service)(?:\/|$)/.exec(cgroup);
  return m ? m[1]! : null;
}

/** A Docker container id in a cgroup path, if the process runs in one. */
export function containerOf(cgroup: string | undefined): string | null {
  const m = cgroup ? /(?:docker[-/]|\/docker\/)([0-9a-f]{64})/.exec(cgroup) : null;
  return m ? m[1]! : null;
}
