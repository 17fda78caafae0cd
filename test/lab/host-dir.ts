import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scenario } from './lab-types.js';
import type { LabPostgres } from './lab-postgres.js';
import { initScript, restartScript } from './init-script.js';
import { nginxConf, siteConf } from './nginx-configs.js';
import { layOutReleases } from './releases.js';
import { prepareSshd } from './sshd.js';
import { DEAD_DEPENDENCY } from './scenarios.js';

export interface HostDirOptions {
  authorizedKeys: string;
  postgres?: LabPostgres;
}

/** Where a path inside the host (e.g. /var/log/nginx/access.log) lives on the real disk. */
export function outsidePath(hostDir: string, inside: string): string {
  const map: [string, string][] = [['/var/log/', 'var-log'], ['/srv/app/', 'srv-app'], ['/etc/nginx/', 'etc-nginx'], ['/run/', 'run']];
  for (const [prefix, sub] of map) if (inside.startsWith(prefix)) return join(hostDir, sub, inside.slice(prefix.length));
  throw new Error(`no outside path for ${inside}`);
}

function appEnv(s: Scenario, address: string, o: HostDirOptions): Record<string, string> {
  if (!s.app) return {};
  const env: Record<string, string> = { APP_ADDR: address, APP_PORT: '9000', APP_LOG: s.app.logPath };
  if (s.postgres) {
    env.DATABASE_URL = o.postgres!.appUrl;
    if (s.app.routes === 'routes-pool-kill.cjs') env.OPS_DATABASE_URL = o.postgres!.superuserUrl;
    env.NODE_PATH = new URL('../../node_modules', import.meta.url).pathname;
  }
  if (s.name === 'dependency-down') env.STOCK_URL = `http://${DEAD_DEPENDENCY}`;
  return env;
}

/** Builds .lab/hosts/<name>/: the private /etc/nginx, /var/log, /srv/app, /run of one host. */
export async function prepareHostDir(labDir: string, s: Scenario, address: string, o: HostDirOptions): Promise<{ hostDir: string; publicKey?: string }> {
  const hostDir = join(labDir, 'hosts', s.name);
  await rm(hostDir, { recursive: true, force: true });
  for (const d of ['etc-nginx/conf.d', 'var-log/nginx', 'var-log/app', 'srv-app', 'run', 'var-lib-nginx', 'root']) {
    await mkdir(join(hostDir, d), { recursive: true });
  }
  // Each host has its own (quiet) kernel log, so triage never reads the real machine's dmesg.
  await writeFile(join(hostDir, 'var-log', 'kern.log'), '');
  await writeFile(join(hostDir, 'root', '.bashrc'), '# lab host: deliberately plain\n');
  await writeFile(join(hostDir, 'root', '.profile'), '[ -f ~/.bashrc ] && . ~/.bashrc\n');
  const publicKey = s.ssh === 'real' ? await prepareSshd(hostDir, address, o.authorizedKeys) : undefined;
  if (s.nginx) {
    await copyFile('/etc/nginx/mime.types', join(hostDir, 'etc-nginx', 'mime.types'));
    await writeFile(join(hostDir, 'etc-nginx', 'nginx.conf'), nginxConf(s));
    await writeFile(join(hostDir, 'etc-nginx', 'conf.d', 'shop.conf'), siteConf(s, address));
  }
  if (s.app) {
    await layOutReleases(join(hostDir, 'srv-app'), s);
    await mkdir(join(hostDir, 'srv-app', 'bin'), { recursive: true });
    const restart = join(hostDir, 'srv-app', 'bin', 'restart');
    await writeFile(restart, restartScript(address));
    await chmod(restart, 0o755);
  }
  await writeFile(join(hostDir, 'init.sh'), initScript(s, { name: s.name, address, hostDir, appEnv: appEnv(s, address, o) }));
  return { hostDir, publicKey };
}
