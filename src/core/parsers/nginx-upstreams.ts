import { walkDirectives, type Directive } from './nginx-tokenize.js';

// Where nginx sends requests: every *_pass target, with `upstream` blocks expanded to their
// servers. This is how triage finds the application behind nginx without being told: the
// target's port or socket leads to the listening process, and that process to its logs.

export interface UpstreamTarget {
  /** proxy_pass, fastcgi_pass, uwsgi_pass, scgi_pass or grpc_pass. */
  directive: string;
  /** The argument as written (`http://backend`, `unix:/run/php/php-fpm.sock`, …). */
  raw: string;
  /** The `upstream` block it came from, when the target names one. */
  upstream: string | null;
  kind: 'tcp' | 'unix';
  /** Host name or address for tcp targets (brackets removed from IPv6). */
  host: string | null;
  port: number | null;
  socketPath: string | null;
  where: string;
}

const PASS_DIRECTIVES = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass']);
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, grpc: 80, grpcs: 443 };

function where(parents: readonly Directive[]): string {
  const loc = [...parents].reverse().find((p) => p.name === 'location');
  const server = [...parents].reverse().find((p) => p.name === 'server');
  const listen = server?.block?.find((d) => d.name === 'listen')?.args[0];
  const name = server?.block?.find((d) => d.name === 'server_name')?.args[0];
  return [server ? `server ${name ?? listen ?? ''}`.trim() : null, loc ? `location ${loc.args.join(' ')}` : null].filter(Boolean).join(' > ') || 'http';
}

/** `host:port`, `[v6]:port`, `unix:/path` or a bare name, without scheme and URI. */
export function parseAddress(text: string, defaultPort: number | null): Pick<UpstreamTarget, 'kind' | 'host' | 'port' | 'socketPath'> | null {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length).replace(/:$/, '').split(':')[0]!;
    return path.startsWith('/') ? { kind: 'unix', host: null, port: null, socketPath: path } : null;
  }
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { kind: 'tcp', host: v6[1]!, port: v6[2] ? Number(v6[2]) : defaultPort, socketPath: null };
  const m = /^([A-Za-z0-9._-]+)(?::(\d+))?$/.exec(text);
  if (!m) return null;
  return { kind: 'tcp', host: m[1]!, port: m[2] ? Number(m[2]) : defaultPort, socketPath: null };
}

function splitPassArg(directive: string, arg: string): { scheme: string | null; address: string } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)/i.exec(arg);
  if (m) return { scheme: m[1]!.toLowerCase(), address: m[2]! };
  // fastcgi_pass/uwsgi_pass take a bare address; proxy_pass unix sockets are http://unix:/p:/uri.
  return { scheme: directive === 'proxy_pass' ? 'http' : null, address: arg };
}

export interface UpstreamCollection {
  targets: UpstreamTarget[];
  notes: string[];
}

export function collectUpstreams(tree: readonly Directive[]): UpstreamCollection {
  const blocks = new Map<string, Array<{ address: string }>>();
  walkDirectives(tree, (d) => {
    if (d.name !== 'upstream' || !d.args[0]) return;
    const servers = (d.block ?? []).filter((s) => s.name === 'server' && s.args[0]).map((s) => ({ address: s.args[0]! }));
    blocks.set(d.args[0], servers);
  });
  const targets: UpstreamTarget[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  const add = (t: UpstreamTarget) => {
    const key = `${t.directive}|${t.kind}|${t.host}|${t.port}|${t.socketPath}`;
    if (!seen.has(key)) { seen.add(key); targets.push(t); }
  };
  walkDirectives(tree, (d, parents) => {
    if (!PASS_DIRECTIVES.has(d.name) || !d.args[0]) return;
    const raw = d.args[0];
    const at = where(parents);
    if (raw.includes('$')) {
      notes.push(`${d.name} ${raw} (${at}) uses variables: its target is only known at request time`);
      return;
    }
    // unix sockets: `unix:/run/php.sock` or proxy_pass `http://unix:/run/app.sock:/uri`.
    const sock = /(?:^|:\/\/)unix:(\/[^:]+)/.exec(raw);
    if (sock) {
      add({ directive: d.name, raw, upstream: null, kind: 'unix', host: null, port: null, socketPath: sock[1]!, where: at });
      return;
    }
    const { scheme, address } = splitPassArg(d.name, raw);
    const defaultPort = scheme ? (DEFAULT_PORTS[scheme] ?? null) : null;
    const block = address.includes(':') ? undefined : blocks.get(address);
    if (block) {
      for (const s of block) {
        const p = parseAddress(s.address, 80);
        if (p) add({ directive: d.name, raw, upstream: address, ...p, where: at });
      }
      if (block.length === 0) notes.push(`upstream ${address} (${at}) has no static servers`);
      return;
    }
    const p = parseAddress(address, defaultPort);
    if (p) add({ directive: d.name, raw, upstream: null, ...p, where: at });
    else notes.push(`${d.name} ${raw} (${at}): target not understood`);
  });
  return { targets, notes };
}

/** `10.0.3.13:8080`, `[::1]:9000` or `unix:/run/app.sock`: how a target is shown to people. */
export function describeTarget(t: Pick<UpstreamTarget, 'kind' | 'host' | 'port' | 'socketPath'>): string {
  if (t.kind === 'unix') return `unix:${t.socketPath}`;
  const host = t.host?.includes(':') ? `[${t.host}]` : t.host;
  return t.port !== null ? `${host}:${t.port}` : `${host}`;
}
