import type { CommandOutput, RawHostOutputs } from '../../../src/core/types.js';
import { fixture, hostInfo, lines, mainLine, MAIN_FORMAT_CONF, nginxWith, normalHostFacts, out, raw } from './raw.js';

// Hosts in the shape of the lab scenarios (test/lab/scenarios.ts), built from captured command
// output plus log lines in the formats the lab's nginx and apps write. The host clock is fixed.

export const NOW = '2026-11-21T01:00:00Z';
const at = (minutesAgo: number, plusS = 0) => new Date(Date.parse(NOW) - minutesAgo * 60_000 + plusS * 1000).toISOString();
const appTs = (minutesAgo: number, plusS = 0) => at(minutesAgo, plusS);

export const browse = (minutesAgo = 20) => lines(30, (i) => {
  if (i >= 28) return mainLine(at(minutesAgo, i), 'GET /api/products/9999', 404, '404');
  return mainLine(at(minutesAgo, i), i % 2 ? 'GET /api/products' : 'GET /', 200, '200');
});

export const releasesOld = out('releases', `current /srv/app/releases/20261112010000
link_mtime ${Math.floor(Date.parse('2026-11-12T01:00:00Z') / 1000)}
release ${Math.floor(Date.parse('2026-11-12T01:00:00Z') / 1000)} /srv/app/releases/20261112010000
`);

export function appLog(body: string, path = '/srv/app/shared/log/app.log'): CommandOutput {
  return out('app_log', `==> ${path} <==\n${appTs(60 * 9)} INFO [shop] release 20261112010000 listening on 127.0.10.13:9000 (pid 311)\n${body}`);
}

export function nodeTrace(minutesAgo: number, i: number, route: string, headline: string, frames = ['    at /srv/app/releases/20261112010000/routes.cjs:6:50', '    at Server.<anonymous> (/srv/app/releases/20261112010000/server.cjs:37:38)']): string {
  return [`${appTs(minutesAgo, i)} ERROR [shop] ${route} failed: ${headline}`, ...frames, `${appTs(minutesAgo, i)} WARN [shop] ${route} 500 2ms`].join('\n');
}

export function host(parts: {
  conf?: string;
  access?: string;
  accessPath?: string;
  error?: string;
  app?: CommandOutput | null;
  extra?: CommandOutput[];
  replace?: Record<string, CommandOutput>;
  context?: Partial<RawHostOutputs['context']>;
}): RawHostOutputs {
  const base: CommandOutput[] = [
    hostInfo(NOW),
    ...nginxWith(parts.conf ?? MAIN_FORMAT_CONF),
    ...normalHostFacts(),
    releasesOld,
    out('access_log', parts.access ?? browse(), { target: parts.accessPath ?? '/var/log/nginx/access.log' }),
    out('error_log', parts.error ?? `${at(60 * 9).slice(0, 19).replace('T', ' ').replace(/-/g, '/')} [notice] 1#1: start worker processes\n`, { target: '/var/log/nginx/error.log' }),
    ...(parts.app === null ? [] : [parts.app ?? appLog('')]),
    ...(parts.extra ?? []),
  ];
  const commands = base.map((c) => parts.replace?.[c.id] ?? c);
  return raw(commands, { hasDeploy: true, appLogGlobs: ['/srv/app/shared/log/*.log'], ...parts.context });
}

/** nginx error-log stamp for `minutesAgo` (host runs UTC). */
export function ngxTs(minutesAgo: number, plusS = 0): string {
  return at(minutesAgo, plusS).slice(0, 19).replace('T', ' ').replace(/-/g, '/');
}

export { at, fixture };
