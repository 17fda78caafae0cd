import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { ConfigError } from '../config/config-error.js';
import { commandsDir } from '../triage/command-set.js';
import { shellQuote } from '../util/shell-quote.js';

// commands/remediations.yaml and the pool-kill SQL: what a confirmed button may do, as data,
// validated once per process (start-up reports a broken file with every problem at once).

const PLACEHOLDERS = ['currentLink', 'releasesDir', 'from', 'to'] as const;
export type RemediationPlaceholder = (typeof PLACEHOLDERS)[number];

const step = z.object({ timeoutMs: z.number().int().min(100).max(600_000), run: z.string().min(1) }).strict();

const schema = z.object({
  rollback: z.object({
    precheck: step,
    switch: step,
    restartTimeoutMs: z.number().int().min(1000).max(1_800_000),
    verify: step,
  }).strict(),
  killIdleConnections: z.object({
    idleMinSeconds: z.number().int().min(0).max(86_400),
    idleInTransactionMinSeconds: z.number().int().min(0).max(86_400),
    maxPerAction: z.number().int().min(1).max(1000),
    statementTimeoutMs: z.number().int().min(100).max(60_000),
    settleMs: z.number().int().min(0).max(10_000),
  }).strict(),
}).strict();

export type RemediationDefinitions = z.infer<typeof schema> & { poolKillCandidatesSql: string };
export type ScriptStep = z.infer<typeof step>;

export function parseRemediations(text: string, sql: string, source: string): RemediationDefinitions {
  const parsed = schema.safeParse(parseYaml(text));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${source}: ${i.path.join('.')}: ${i.message}`), 'remediation definitions');
  }
  const problems: string[] = [];
  const { rollback } = parsed.data;
  for (const [name, s] of Object.entries({ precheck: rollback.precheck, switch: rollback.switch, verify: rollback.verify })) {
    for (const m of s.run.matchAll(/\{\{(\w+)\}\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) problems.push(`${source}: rollback.${name} uses unknown placeholder {{${m[1]}}}`);
    }
  }
  if (!/\$1\b/.test(sql) || !/\$2\b/.test(sql) || !/\$3\b/.test(sql)) problems.push('pool-kill-candidates.sql must use $1 (idle s), $2 (idle in transaction s) and $3 (limit)');
  if (problems.length > 0) throw new ConfigError(problems, 'remediation definitions');
  return { ...parsed.data, poolKillCandidatesSql: sql };
}

let cached: RemediationDefinitions | null = null;

export function loadRemediations(dir = commandsDir()): RemediationDefinitions {
  if (cached && dir === commandsDir()) return cached;
  const path = resolve(dir, 'remediations.yaml');
  const defs = parseRemediations(readFileSync(path, 'utf8'), readFileSync(resolve(dir, 'pool-kill-candidates.sql'), 'utf8'), path);
  if (dir === commandsDir()) cached = defs;
  return defs;
}

/** Fills placeholders, each value shell-quoted as one word (values were validated before). */
export function renderScript(s: ScriptStep, values: Record<RemediationPlaceholder, string>): string {
  return s.run.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const v = values[name as RemediationPlaceholder];
    if (v === undefined || /[\n\0]/.test(v)) throw new Error(`remediation placeholder {{${name}}} has no valid value`);
    return shellQuote(v);
  });
}
