import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** The process environment, plus ./.env for keys the environment does not set. */
export function withDotEnv(path = '.env', env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  if (!existsSync(path)) return env;
  const file = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  return { ...file, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) };
}
