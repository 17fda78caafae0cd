import { copyFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Scenario, TrafficStep } from './lab-types.js';
import { outsidePath } from './host-dir.js';
import { breakSiteConf } from './nginx-configs.js';
import { sshExecOk, type SshTarget } from './host-exec.js';

/**
 * Someone "fixes" a timeout on disk and reloads: nginx -s reload refuses the file, the
 * master's own re-read (SIGHUP, what a bare `kill -HUP`/systemd reload does) logs [emerg]
 * and keeps the old configuration running.
 */
export async function breakConfig(hostDir: string, target: SshTarget): Promise<void> {
  const site = join(hostDir, 'etc-nginx', 'conf.d', 'shop.conf');
  await writeFile(site, breakSiteConf(await readFile(site, 'utf8')));
  await sshExecOk(target, 'nginx -s reload 2>/dev/null; kill -HUP "$(cat /run/nginx.pid)"; sleep 0.3; ! nginx -t 2>/dev/null');
}

/** SIGSEGV to every nginx worker, a few rounds while traffic runs; the master respawns them. */
export async function crashWorkers(target: SshTarget, rounds = 3): Promise<void> {
  await sshExecOk(target, `for i in $(seq ${rounds}); do
    for w in $(ps --ppid "$(cat /run/nginx.pid)" -o pid=); do kill -SEGV "$w"; done
    sleep 0.4
  done`);
}

/**
 * logrotate with copytruncate, as many hosts run it for apps that cannot reopen their logs: the
 * access log becomes access.log.1 (delaycompress), the app log production.log.1.gz (compress);
 * both writers keep appending to their now empty files.
 */
export async function rotateLogs(hostDir: string, s: Scenario): Promise<void> {
  const access = outsidePath(hostDir, s.nginx!.accessLog);
  await copyFile(access, `${access}.1`);
  await truncate(access, 0);
  const app = outsidePath(hostDir, s.app!.logPath);
  await writeFile(`${app}.1.gz`, gzipSync(await readFile(app)));
  await truncate(app, 0);
}

/** What reaches a rotated host afterwards: the bad route still fails, the rest still works. */
export const AFTER_ROTATION: TrafficStep[] = [
  { path: '/', count: 3, status: 200 },
  { path: '/api/products', count: 4, status: 500 },
];
