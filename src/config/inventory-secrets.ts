import { readFileSync } from 'node:fs';

/** `${NAME}`: an environment variable's value, as in docker-compose files and systemd units. */
const ENV_REF = /\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const POSTGRES_URL = /^postgres(ql)?:\/\/\S+$/;

export type PostgresSetting = { url?: string; urlFile?: string };

/**
 * The host's Postgres URL, with `${NAME}` parts taken from `env` or read from `urlFile` (trimmed).
 * Problems name the variable or the file, never the value: it holds a password.
 */
export function resolvePostgresUrl(p: PostgresSetting, env: Record<string, string | undefined>, resolvePath: (file: string) => string):
  { url?: string; problems: string[] } {
  const problems: string[] = [];
  let url: string;
  if (p.urlFile !== undefined) {
    const file = resolvePath(p.urlFile);
    try {
      url = readFileSync(file, 'utf8').trim();
    } catch (err) {
      return { problems: [`field "postgres.urlFile": cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`] };
    }
    if (url === '') return { problems: [`field "postgres.urlFile": ${file} is empty`] };
  } else {
    url = (p.url ?? '').replace(ENV_REF, (ref, name: string) => {
      if (!ENV_NAME.test(name)) { problems.push(`field "postgres.url": "${ref}" is not an environment variable reference like \${PG_URL}`); return ''; }
      const v = env[name];
      if (v === undefined || v.trim() === '') { problems.push(`field "postgres.url": environment variable ${name} is not set`); return ''; }
      return v.trim();
    });
    if (problems.length > 0) return { problems };
  }
  const from = p.urlFile !== undefined ? `the contents of ${resolvePath(p.urlFile)}` : p.url!.includes('${') ? 'the expanded value' : 'the value';
  if (!POSTGRES_URL.test(url)) return { problems: [`field "postgres.${p.urlFile !== undefined ? 'urlFile' : 'url'}": ${from} must be a postgres:// URL`] };
  return { url, problems };
}
