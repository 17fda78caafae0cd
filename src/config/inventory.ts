import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { hostNameSchema, inventoryFileSchema } from './inventory-schema.js';
import { resolvePostgresUrl } from './inventory-secrets.js';

/** Built-in host meaning "this machine, without SSH". */
export const LOCAL_HOST = 'local';


export interface InventoryHost {
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyPath: string;
  knownHostsPath: string;
  connectTimeoutMs: number;
  sudo: boolean;
  /** Offer the keys of the ssh-agent at SSH_AUTH_SOCK (besides privateKeyPath, when that file exists). */
  agent?: boolean;
  /** Where an encrypted privateKeyPath's passphrase comes from (a file, or an env var's name). */
  passphraseFile?: string;
  passphraseEnv?: string;
  labels: Record<string, string>;
  postgres?: { url: string };
  deploy?: { releasesDir: string; currentLink: string; restartCommand?: string };
  appLogGlobs: string[];
  local: boolean;
}

export interface Inventory {
  path: string | null;
  hosts: Map<string, InventoryHost>;
}

const BUILTIN_DEFAULTS = { user: 'triage', port: 22, privateKeyPath: '~/.ssh/diagbot', knownHostsPath: './known_hosts', connectTimeoutMs: 8000, sudo: false };

export function localHost(): InventoryHost {
  return {
    name: LOCAL_HOST, address: '127.0.0.1', port: 0, user: '', privateKeyPath: '', knownHostsPath: '',
    connectTimeoutMs: 0, sudo: false, labels: {}, appLogGlobs: [], local: true,
  };
}

export function emptyInventory(): Inventory {
  return { path: null, hosts: new Map([[LOCAL_HOST, localHost()]]) };
}

function expandPath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

function describeIssues(file: string, prefix: string, issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const field = i.path.map(String).join('.');
    return `${file}: ${prefix}${field ? `field "${field}": ` : ''}${i.message}`;
  });
}

type AuthFields = { agent?: boolean; passphraseFile?: string; passphraseEnv?: string };

/**
 * Agent and passphrase settings of one host, checked against the environment they will need: the
 * process's own, which the transport reads at connect time (not ./.env, which only feeds settings).
 */
function authSettings(name: string, h: AuthFields, defaults: AuthFields, baseDir: string, file: string, problems: string[]): AuthFields {
  const agent = h.agent ?? defaults.agent ?? false;
  // A host's own passphrase source replaces the defaults' one rather than adding to it.
  const own = h.passphraseFile !== undefined || h.passphraseEnv !== undefined;
  const passphraseFile = own ? h.passphraseFile : defaults.passphraseFile;
  const passphraseEnv = own ? h.passphraseEnv : defaults.passphraseEnv;
  const where = `${file}: host "${name}": `;
  if (passphraseFile !== undefined && passphraseEnv !== undefined) problems.push(`${where}set passphraseFile or passphraseEnv, not both`);
  if (passphraseEnv !== undefined && !process.env[passphraseEnv]) problems.push(`${where}passphraseEnv names ${passphraseEnv}, which is not set in the environment`);
  if (agent && !process.env.SSH_AUTH_SOCK) problems.push(`${where}agent: true needs SSH_AUTH_SOCK (the ssh-agent's socket) in the environment`);
  return {
    ...(agent ? { agent } : {}),
    ...(passphraseFile !== undefined ? { passphraseFile: expandPath(passphraseFile, baseDir) } : {}),
    ...(passphraseEnv !== undefined ? { passphraseEnv } : {}),
  };
}

/**
 * Parses and validates an inventory; every problem is collected into one ConfigError. `env`
 * supplies the `${NAME}` references of postgres.url.
 */
export function parseInventory(text: string, path: string, env: Record<string, string | undefined> = process.env): Inventory {
  const file = path;
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    throw new ConfigError([`${file}: not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`], 'inventory');
  }
  const problems: string[] = [];
  const top = inventoryFileSchema.pick({ defaults: true }).safeParse({ defaults: (raw as { defaults?: unknown })?.defaults });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([`${file}: must be a mapping with "defaults" and "hosts"`], 'inventory');
  }
  const unknownKeys = Object.keys(raw).filter((k) => k !== 'defaults' && k !== 'hosts');
  for (const k of unknownKeys) problems.push(`${file}: unknown top-level key "${k}" (expected "defaults" and "hosts")`);
  if (!top.success) problems.push(...describeIssues(file, 'defaults: ', top.error.issues));
  const hostsRaw = (raw as { hosts?: unknown }).hosts;
  if (typeof hostsRaw !== 'object' || hostsRaw === null || Array.isArray(hostsRaw)) {
    problems.push(`${file}: "hosts" must be a mapping of host name to host settings`);
    throw new ConfigError(problems, 'inventory');
  }
  const defaults = { ...BUILTIN_DEFAULTS, ...(top.success ? top.data.defaults : {}) };
  const baseDir = dirname(resolve(path));
  const hosts = new Map<string, InventoryHost>();
  const hostSchema = inventoryFileSchema.shape.hosts.valueType;
  for (const [name, value] of Object.entries(hostsRaw)) {
    const nameCheck = hostNameSchema.safeParse(name);
    if (!nameCheck.success) {
      problems.push(`${file}: host ${JSON.stringify(name)}: name ${nameCheck.error.issues[0]?.message}`);
      continue;
    }
    if (name === LOCAL_HOST) {
      problems.push(`${file}: host "local": the name is reserved for this machine (no SSH); rename the host`);
      continue;
    }
    const parsed = hostSchema.safeParse(value ?? {});
    if (!parsed.success) {
      problems.push(...describeIssues(file, `host "${name}": `, parsed.error.issues));
      continue;
    }
    const h = parsed.data;
    const pg = h.postgres ? resolvePostgresUrl(h.postgres, env, (f) => expandPath(f, baseDir)) : null;
    if (pg && pg.problems.length > 0) {
      problems.push(...pg.problems.map((p) => `${file}: host "${name}": ${p}`));
      continue;
    }
    hosts.set(name, {
      name,
      address: h.address,
      port: h.port ?? defaults.port,
      user: h.user ?? defaults.user,
      privateKeyPath: expandPath(h.privateKeyPath ?? defaults.privateKeyPath, baseDir),
      knownHostsPath: expandPath(h.knownHostsPath ?? defaults.knownHostsPath, baseDir),
      connectTimeoutMs: h.connectTimeoutMs ?? defaults.connectTimeoutMs,
      sudo: h.sudo ?? defaults.sudo,
      ...authSettings(name, h, defaults, baseDir, file, problems),
      labels: h.labels,
      ...(pg?.url ? { postgres: { url: pg.url } } : {}),
      ...(h.deploy ? { deploy: h.deploy } : {}),
      // No logPaths: the app's logs are discovered on the host (src/core/app-discovery).
      appLogGlobs: h.app?.logPaths ?? [],
      local: false,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems, 'inventory');
  hosts.set(LOCAL_HOST, localHost());
  return { path: resolve(path), hosts };
}

export function loadInventory(path: string, env: Record<string, string | undefined> = process.env): Inventory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot read inventory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`], 'inventory');
  }
  return parseInventory(text, path, env);
}

/** Inventory host names closest to what was typed, for "did you mean" messages. */
export function closestHosts(inventory: Inventory, typed: string, max = 3): string[] {
  const names = [...inventory.hosts.keys()];
  return names
    .map((n) => ({ n, d: editDistance(n.toLowerCase(), typed.toLowerCase()) - (n.includes(typed) ? 2 : 0) }))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map((x) => x.n);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
