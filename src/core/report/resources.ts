import type { HostFigures } from '../figures.js';
import type { Category } from '../types.js';

// What stands behind a root cause, as a key two hosts can share: the Postgres server and
// database a pool is exhausted on, the release that went bad, the downstream that refuses, the
// host nginx proxies to. Keys carry no credentials and are compared as they are; labels are
// what people read ("db-1/orders"). Pure: adapters pass in what the inventory and the result say.

export type ResourceKind = 'postgres' | 'release' | 'dependency' | 'upstream';

export interface ResourceRef {
  kind: ResourceKind;
  /** Equal keys mean the same resource, across hosts. */
  key: string;
  label: string;
}

export interface HostResourceInput {
  host: string;
  /** The inventory's postgres.url for the host. */
  postgresUrl?: string | null;
  figures?: Pick<HostFigures, 'release' | 'dependencies'> | null;
  /** Inventory hosts nginx proxies to, when the host result names them. */
  /** nginx upstreams on other machines: the inventory host, or the target when it is not in the inventory. */
  upstreams?: readonly (string | { host: string | null; target?: string })[] | null;
}

/** Which resources can be the shared reason behind a category; host-local causes have none. */
export const RESOURCES_BEHIND: Partial<Record<Category, readonly ResourceKind[]>> = {
  db_pool_exhaustion: ['postgres'],
  bad_deploy: ['release'],
  dependency_down: ['dependency', 'upstream'],
  upstream_app_error: ['upstream', 'release'],
  unhandled_exception: ['release'],
};

/** Names that mean "this machine": the same name on two hosts is two different resources. */
const LOCAL = /^(localhost|127\.0\.0\.1|::1|\[::1\]|0\.0\.0\.0|)$/i;

/** `name[:port]`, with `@host` added when the name means the host itself. */
function where(name: string, host: string, port = ''): string {
  const n = name.toLowerCase();
  const id = `${n || 'local socket'}${port ? `:${port}` : ''}`;
  return LOCAL.test(n) ? `${id}@${host}` : id;
}

function postgresResource(url: string, host: string): ResourceRef | null {
  let u: URL;
  try { u = new URL(url); } catch { return null; }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return null;
  // libpq: a socket directory can be given as ?host=/path; the default database is the user's name.
  const port = u.port || '5432';
  const name = decodeURIComponent(u.hostname || u.searchParams.get('host') || '');
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
  return {
    kind: 'postgres', key: `postgres:${where(name, host, port)}/${database}`,
    label: `${where(name, host, port === '5432' ? '' : port)}/${database}`,
  };
}

function splitHostPort(target: string): { name: string; port: string } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(target.trim());
  return m ? { name: m[1]!, port: m[2] ?? '' } : { name: target.trim(), port: '' };
}

function dependencyResource(target: string, host: string): ResourceRef {
  const { name, port } = splitHostPort(target);
  const id = where(name, host, port);
  return { kind: 'dependency', key: `dependency:${id}`, label: id };
}

export function hostResources(i: HostResourceInput): ResourceRef[] {
  const out: ResourceRef[] = [];
  const pg = i.postgresUrl ? postgresResource(i.postgresUrl, i.host) : null;
  if (pg) out.push(pg);
  const current = i.figures?.release?.current;
  if (current) {
    const name = current.replace(/\/+$/, '').replace(/^.*\//, '');
    if (name) out.push({ kind: 'release', key: `release:${name}`, label: `release ${name}` });
  }
  for (const d of i.figures?.dependencies ?? []) out.push(dependencyResource(d, i.host));
  for (const u of i.upstreams ?? []) {
    const name = typeof u === 'string' ? u : u.host ?? u.target;
    if (name) out.push({ kind: 'upstream', key: `upstream:${name}`, label: name });
  }
  const seen = new Set<string>();
  return out.filter((r) => !seen.has(r.key) && seen.add(r.key));
}
