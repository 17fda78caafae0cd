import { chmod, chown, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scenario } from './lab-types.js';
import type { LabPostgres } from './lab-postgres.js';
import { initScript, restartScript } from './init-script.js';
import { nginxConf, siteConf } from './nginx-configs.js';
import { layOutReleases } from './releases.js';
import { prepareSshd } from './sshd.js';
import { DEAD_DEPENDENCY, LAB_BLOCK } from './scenarios.js';
import { appLogEnv, supervisorFiles } from './app-runtime.js';
import { prepareLeastPrivilege, LAB_USERS } from './least-privilege.js';
import { yesterdaysIncident } from './seed-log.js';

export interface HostDirOptions {
  authorizedKeys: string;
  postgres?: LabPostgres;
  labDir: string;
  /** Address of the host nginx proxies to when it is an LB in front of another lab host. */
  upstreamAddress?: string;
}

/** Where a path inside the host (e.g. /var/log/nginx/access.log) lives on the real disk. */
export function outsidePath(hostDir: string, inside: string): string {
  const map: [string, string][] = [['/var/log/', 'var-log'], ['/srv/app/', 'srv-app'], ['/etc/nginx/', 'etc-nginx'], ['/run/', 'run']];
  for (const [prefix, sub] of map) if (inside.startsWith(prefix)) return join(hostDir, sub, inside.slice(prefix.length));
  throw new Error(`no outside path for ${inside}`);
}

function appEnv(s: Scenario, address: string, o: HostDirOptions): Record<string, string> {
  if (!s.app) return {};
  const env: Record<string, string> = { APP_ADDR: address, APP_PORT: '9000', ...appLogEnv(s) };
  if (s.postgres) {
    env.DATABASE_URL = o.postgres!.appUrl;
    if (s.app.routes === 'routes-pool-kill.cjs') env.OPS_DATABASE_URL = o.postgres!.superuserUrl;
    env.NODE_PATH = new URL('../../node_modules', import.meta.url).pathname;
  }
  if (s.name === 'dependency-down') env.STOCK_URL = `http://${DEAD_DEPENDENCY}`;
  // Nothing listens on the lab block's .99: the Go service's Redis and the Ruby app's gateway.
  if (s.app.stack === 'go') env.REDIS_ADDR = `127.0.${LAB_BLOCK}.99:6379`;
  if (s.app.stack === 'ruby') env.GATEWAY_ADDR = `127.0.${LAB_BLOCK}.99:7001`;
  return env;
}

/** Builds .lab/hosts/<name>/: the private /etc/nginx, /var/log, /srv/app, /run of one host. */
export async function prepareHostDir(labDir: string, s: Scenario, address: string, o: HostDirOptions): Promise<{ hostDir: string; publicKey?: string }> {
  const hostDir = join(labDir, 'hosts', s.name);
  await rm(hostDir, { recursive: true, force: true });
  for (const d of ['etc-nginx/conf.d', 'var-log/nginx', 'srv-app', 'run', 'var-lib-nginx', 'root']) {
    await mkdir(join(hostDir, d), { recursive: true });
  }
  // The app's log directory exists as its package would have made it (owned by its user).
  const logDir = s.app ? s.app.logPath.slice(0, s.app.logPath.lastIndexOf('/')) : null;
  if (logDir?.startsWith('/var/log/') && s.app!.logVia !== 'svlogd') {
    const out = outsidePath(hostDir, `${logDir}/`);
    await mkdir(out, { recursive: true });
    const owner = s.app!.stack === 'php' ? 33 : s.app!.user ? LAB_USERS[s.app!.user as keyof typeof LAB_USERS]?.uid : undefined;
    if (owner !== undefined) await chown(out, owner, 4); // group adm, as Debian packages do
    if (s.app!.user) await chmod(out, 0o2750);
  }
  if (s.app?.logVia === 'svlogd') await mkdir(outsidePath(hostDir, `${logDir}/`), { recursive: true });
  if (s.seedAppLog === 'yesterday') await writeFile(outsidePath(hostDir, s.app!.logPath), yesterdaysIncident());
  if (s.app?.logVia === 'supervisord') await mkdir(outsidePath(hostDir, '/var/log/supervisor/'), { recursive: true });
  // Each host has its own (quiet) kernel log, so triage never reads the real machine's dmesg.
  await writeFile(join(hostDir, 'var-log', 'kern.log'), '');
  await writeFile(join(hostDir, 'root', '.bashrc'), '# lab host: deliberately plain\n');
  await writeFile(join(hostDir, 'root', '.profile'), '[ -f ~/.bashrc ] && . ~/.bashrc\n');
  const sshUser = s.sshUser ? await prepareLeastPrivilege(hostDir, o.authorizedKeys) : undefined;
  const publicKey = s.ssh === 'real' ? await prepareSshd(hostDir, address, sshUser?.authorizedKeys ?? o.authorizedKeys, sshUser?.user ?? 'root') : undefined;
  if (s.nginx) {
    for (const f of ['mime.types', 'fastcgi_params']) await copyFile(`/etc/nginx/${f}`, join(hostDir, 'etc-nginx', f));
    await writeFile(join(hostDir, 'etc-nginx', 'nginx.conf'), nginxConf(s));
    await writeFile(join(hostDir, 'etc-nginx', 'conf.d', 'shop.conf'), siteConf(s, address, o.upstreamAddress));
  }
  if (s.app) {
    await layOutReleases(join(hostDir, 'srv-app'), s, { labDir: o.labDir });
    for (const [path, content, mode] of supervisorFiles(s, address)) {
      const file = join(hostDir, 'srv-app', path);
      await mkdir(file.slice(0, file.lastIndexOf('/')), { recursive: true });
      await writeFile(file, content);
      await chmod(file, mode);
    }
    await mkdir(join(hostDir, 'srv-app', 'bin'), { recursive: true });
    const restart = join(hostDir, 'srv-app', 'bin', 'restart');
    await writeFile(restart, restartScript(address));
    await chmod(restart, 0o755);
  }
  await writeFile(join(hostDir, 'init.sh'), initScript(s, { name: s.name, address, hostDir, appEnv: appEnv(s, address, o) }));
  return { hostDir, publicKey };
}
