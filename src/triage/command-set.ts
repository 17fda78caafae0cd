import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { ConfigError } from '../config/config-error.js';
import { readOnlyProblems } from './read-only-guard.js';
import { packageRoot } from '../util/package-root.js';

const commandSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  phase: z.enum(['facts', 'probe', 'logs']),
  when: z.enum(['always', 'nginx', 'deploy', 'app_logs', 'discover']),
  timeoutMs: z.number().int().min(100).max(60_000),
  maxBytes: z.number().int().min(256).max(16 * 1024 * 1024),
  keep: z.enum(['head', 'tail']).default('head'),
  run: z.string().min(1),
}).strict();

export type TriageCommand = z.infer<typeof commandSchema>;

const PLACEHOLDERS = new Set(['target', 'targets', 'currentLink', 'releasesDir', 'appLogGlobs', 'sudo']);

export function commandsDir(): string {
  return resolve(packageRoot(), 'commands');
}

/** Validates a command set: shape, unique ids, known placeholders, and read-only scripts. */
export function parseCommandSet(text: string, source: string): TriageCommand[] {
  const raw = parseYaml(text) as { commands?: unknown };
  const parsed = z.array(commandSchema).safeParse(raw?.commands);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${source}: commands.${i.path.join('.')}: ${i.message}`), 'triage command set');
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of parsed.data) {
    if (seen.has(c.id)) problems.push(`${source}: command "${c.id}" is defined twice`);
    seen.add(c.id);
    for (const m of c.run.matchAll(/\{\{(\w+)\}\}/g)) {
      if (!PLACEHOLDERS.has(m[1]!)) problems.push(`${source}: command "${c.id}" uses unknown placeholder {{${m[1]}}}`);
    }
    if (c.phase === 'logs' && !c.run.includes('{{target}}')) problems.push(`${source}: logs-phase command "${c.id}" must use {{target}}`);
    if (c.phase === 'probe' && !c.run.includes('{{targets}}')) problems.push(`${source}: probe-phase command "${c.id}" must use {{targets}}`);
    for (const p of readOnlyProblems(c.run)) problems.push(`${source}: command "${c.id}" is not read-only: ${p}`);
  }
  if (problems.length > 0) throw new ConfigError(problems, 'triage command set');
  return parsed.data;
}

// Command files are read and validated once per process, not once per host or per diagnosis.
const commandSets = new Map<string, TriageCommand[]>();
let poolQuery: string | null = null;

/** A command set validated when the CLI was bundled, with the SHA-256 of the text it came from. */
export interface PrebuiltCommandSet { sha256: string; commands: TriageCommand[] }
declare const __DIAGBOT_COMMAND_SET__: PrebuiltCommandSet | undefined;
// Set only in the CLI's bundle (scripts/bundle.ts), by the same code as this file's, so a text
// equal to the one it was made from needs no second parse and guard (~20 ms before the first
// SSH packet); any other text, such as an edited commands/triage.yaml, is validated here.
const prebuilt = typeof __DIAGBOT_COMMAND_SET__ === 'undefined' ? undefined : __DIAGBOT_COMMAND_SET__;

export const commandSetDigest = (text: string): string => createHash('sha256').update(text).digest('hex');

export function loadTriageCommands(path = resolve(commandsDir(), 'triage.yaml')): TriageCommand[] {
  let set = commandSets.get(path);
  if (!set) {
    const text = readFileSync(path, 'utf8');
    set = prebuilt && commandSetDigest(text) === prebuilt.sha256 ? prebuilt.commands : parseCommandSet(text, path);
    commandSets.set(path, set);
  }
  return set;
}

export function loadPostgresPoolQuery(): string {
  poolQuery ??= readFileSync(resolve(commandsDir(), 'postgres-pool.sql'), 'utf8');
  return poolQuery;
}
