/**
 * Which Redis deployment diagbot talks to: one server (`redis://`), a Sentinel-managed primary
 * (`redis+sentinel://` or REDIS_SENTINELS + REDIS_SENTINEL_NAME) or a Cluster (`redis+cluster://`
 * or REDIS_CLUSTER_NODES). Parsed once from the environment; every problem is reported.
 */
export interface RedisNode { host: string; port: number }

export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'sentinel'; sentinels: RedisNode[]; name: string; username?: string; password?: string; sentinelPassword?: string; db: number; tls: boolean }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean };

export interface RedisEnv {
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_CLUSTER_NODES?: string;
  REDIS_PASSWORD?: string;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** `host:port,host:port` (IPv6 as `[::1]:26379`); the port defaults to `defaultPort`. */
export function parseNodes(list: string, defaultPort: number, what: string): { nodes: RedisNode[]; problems: string[] } {
  const nodes: RedisNode[] = [];
  const problems: string[] = [];
  for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9_.-]+))(?::(\d{1,5}))?$/.exec(raw);
    const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
    if (!m || port < 1 || port > 65535) problems.push(`${what}: "${raw}" is not host:port`);
    else nodes.push({ host: m[1] ?? m[2]!, port });
  }
  if (nodes.length === 0 && problems.length === 0) problems.push(`${what}: names no host:port`);
  return { nodes, problems };
}

function credentials(userinfo: string | undefined): { username?: string; password?: string } {
  if (!userinfo) return {};
  const i = userinfo.indexOf(':');
  const user = decodeURIComponent(i < 0 ? userinfo : userinfo.slice(0, i));
  const pass = i < 0 ? undefined : decodeURIComponent(userinfo.slice(i + 1));
  // `redis://secret@host` is the password alone, as redis-cli and ioredis read it.
  if (pass === undefined) return user ? { password: user } : {};
  return { ...(user ? { username: user } : {}), ...(pass ? { password: pass } : {}) };
}

/** `scheme://[user][:password@]host1:port,host2:port[/path]`: WHATWG URL cannot hold several hosts. */
function splitMultiHost(url: string): { scheme: string; userinfo?: string; hosts: string; path: string } | null {
  const m = /^([a-z+]+):\/\/(?:([^@/]*)@)?([^/]*)(\/.*)?$/i.exec(url);
  if (!m) return null;
  return { scheme: m[1]!.toLowerCase(), ...(m[2] !== undefined ? { userinfo: m[2] } : {}), hosts: m[3]!, path: m[4] ?? '' };
}

const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

export function parseRedisTarget(env: RedisEnv): { target?: RedisTarget; problems: string[] } {
  const given = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter((k) => isSet(env[k]));
  if (given.length > 1) return { problems: [`${given.join(' and ')} are both set: name the Redis deployment one way only`] };
  const problems: string[] = [];
  if (isSet(env.REDIS_SENTINEL_NAME) && !isSet(env.REDIS_SENTINELS) && !/\+sentinel:/i.test(env.REDIS_URL ?? '')) {
    problems.push('REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not (list the sentinels as host:port,...)');
  }
  const envPassword = isSet(env.REDIS_PASSWORD) ? env.REDIS_PASSWORD : undefined;
  const sentinelPassword = isSet(env.REDIS_SENTINEL_PASSWORD) ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {};
  if (isSet(env.REDIS_SENTINELS)) {
    const { nodes, problems: p } = parseNodes(env.REDIS_SENTINELS, 26379, 'REDIS_SENTINELS');
    problems.push(...p);
    if (!isSet(env.REDIS_SENTINEL_NAME)) problems.push('REDIS_SENTINEL_NAME is not set (required with REDIS_SENTINELS: the master name the sentinels monitor)');
    if (problems.length > 0) return { problems };
    return { problems, target: { kind: 'sentinel', sentinels: nodes, name: env.REDIS_SENTINEL_NAME!.trim(), db: 0, tls: false,
      ...(envPassword ? { password: envPassword } : {}), ...sentinelPassword } };
  }
  if (isSet(env.REDIS_CLUSTER_NODES)) {
    const { nodes, problems: p } = parseNodes(env.REDIS_CLUSTER_NODES, 6379, 'REDIS_CLUSTER_NODES');
    problems.push(...p);
    if (problems.length > 0) return { problems };
    return { problems, target: { kind: 'cluster', nodes, tls: false, ...(envPassword ? { password: envPassword } : {}) } };
  }
  const url = isSet(env.REDIS_URL) ? env.REDIS_URL.trim() : DEFAULT_REDIS_URL;
  const parts = splitMultiHost(url);
  const scheme = parts?.scheme ?? '';
  if (scheme === 'redis' || scheme === 'rediss') {
    try { new URL(url); } catch { return { problems: [...problems, 'REDIS_URL: not a valid URL'] }; }
    return problems.length > 0 ? { problems } : { problems, target: { kind: 'single', url } };
  }
  const tls = scheme.startsWith('rediss+');
  if (parts && (scheme === 'redis+sentinel' || scheme === 'rediss+sentinel')) {
    const { nodes, problems: p } = parseNodes(parts.hosts, 26379, 'REDIS_URL sentinels');
    problems.push(...p);
    const [, name, db, ...rest] = parts.path.split('/');
    if (!name) problems.push('REDIS_URL: redis+sentinel:// needs the master name after the hosts (redis+sentinel://host:26379,host:26379/mymaster)');
    if (db !== undefined && db !== '' && !/^\d{1,2}$/.test(db)) problems.push(`REDIS_URL: database "${db}" after the master name must be a number`);
    if (rest.length > 0) problems.push('REDIS_URL: redis+sentinel:// takes /mastername[/db] and nothing more');
    if (problems.length > 0) return { problems };
    return { problems, target: { kind: 'sentinel', sentinels: nodes, name: decodeURIComponent(name!), db: db ? Number(db) : 0, tls,
      ...credentials(parts.userinfo), ...(envPassword && !parts.userinfo ? { password: envPassword } : {}), ...sentinelPassword } };
  }
  if (parts && (scheme === 'redis+cluster' || scheme === 'rediss+cluster')) {
    const { nodes, problems: p } = parseNodes(parts.hosts, 6379, 'REDIS_URL cluster nodes');
    problems.push(...p);
    if (parts.path !== '' && parts.path !== '/') problems.push('REDIS_URL: a Redis Cluster has only database 0; drop the path after the hosts');
    if (problems.length > 0) return { problems };
    return { problems, target: { kind: 'cluster', nodes, tls, ...credentials(parts.userinfo), ...(envPassword && !parts.userinfo ? { password: envPassword } : {}) } };
  }
  return { problems: [...problems, 'REDIS_URL: must start with redis://, rediss://, redis+sentinel:// or redis+cluster://'] };
}

/** BullMQ on a Cluster needs every key of a queue in one slot: the prefix must hold a `{hash tag}`. */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1;
}

/** The REDIS_URL as it may be logged: passwords masked, hosts kept. */
export function describeRedisTarget(t: RedisTarget): string {
  const auth = (u?: string, p?: string) => (u || p ? `${u ?? ''}${p ? ':****' : ''}@` : '');
  const list = (nodes: RedisNode[]) => nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',');
  if (t.kind === 'single') return t.url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:****@').replace(/\/\/([^:/@]+)@/, '//****@');
  if (t.kind === 'sentinel') return `${t.tls ? 'rediss' : 'redis'}+sentinel://${auth(t.username, t.password)}${list(t.sentinels)}/${t.name}/${t.db}`;
  return `${t.tls ? 'rediss' : 'redis'}+cluster://${auth(t.username, t.password)}${list(t.nodes)}`;
}
