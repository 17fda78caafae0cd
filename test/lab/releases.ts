import { copyFile, lutimes, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from './lab-types.js';
import { runOk } from './run-process.js';

const APPS = fileURLToPath(new URL('./apps/', import.meta.url));
const HOUR = 3600_000;

/** Release directory names as deploy tools make them: UTC YYYYMMDDHHMMSS. */
export function releaseName(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function writeRelease(srvApp: string, s: Scenario, routes: string, at: Date, opts: ReleaseOptions): Promise<string> {
  const app = s.app!;
  const name = releaseName(at);
  const dir = join(srvApp, 'releases', name);
  await mkdir(dir, { recursive: true });
  if (app.stack === 'node') {
    const extra: Record<string, string[]> = { 'routes-oom.cjs': ['recommender.cjs'], 'routes-pool-kill.cjs': ['routes-pool-exhausted.cjs'] };
    for (const f of ['server.cjs', 'catalog.cjs', ...(extra[routes] ?? [])]) {
      await copyFile(join(APPS, 'node', f), join(dir, f));
    }
    await copyFile(join(APPS, 'node', routes), join(dir, 'routes.cjs'));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'shop', version: name, private: true, type: 'commonjs' }, null, 2));
  } else if (app.stack === 'python') {
    for (const f of ['server.py', 'catalog.py']) await copyFile(join(APPS, 'python', f), join(dir, f));
    await copyFile(join(APPS, 'python', routes), join(dir, 'routes.py'));
  } else if (app.stack === 'go') {
    // A real binary, built once per lab from the standard library only (no module downloads).
    await runOk('go', ['build', '-o', join(dir, 'inventory-svc'), join(APPS, 'go', routes)], {
      env: { ...process.env, GOCACHE: join(opts.labDir, 'go-cache'), GOPATH: join(opts.labDir, 'go'), GO111MODULE: 'off', GOFLAGS: '', CGO_ENABLED: '0' },
      timeoutMs: 180_000,
    });
  } else {
    await copyFile(join(APPS, app.stack, routes), join(dir, routes));
  }
  // As Capistrano links them: the release's log/ and logs/ are the shared ones.
  await symlink('../../shared/log', join(dir, 'log'));
  await symlink('../../shared/logs', join(dir, 'logs'));
  await utimes(dir, at, at);
  return name;
}

interface ReleaseOptions { labDir: string }

/**
 * Lays out /srv/app as a deploy tool would: releases/<ts>/, current -> releases/<ts>, shared/log.
 * Healthy-looking hosts get a release from days ago so no deploy signal appears; bad-deploy
 * gets a good release from hours ago plus the broken one, made current just now.
 */
export async function layOutReleases(srvApp: string, s: Scenario, opts: ReleaseOptions, now = new Date()): Promise<void> {
  await mkdir(join(srvApp, 'shared', 'log'), { recursive: true });
  await mkdir(join(srvApp, 'shared', 'logs'), { recursive: true });
  let current: string;
  let switchedAt: Date;
  if (s.badDeploy) {
    const old = new Date(now.getTime() - 6 * HOUR);
    const oldName = await writeRelease(srvApp, s, 'routes-healthy.cjs', old, opts);
    current = await writeRelease(srvApp, s, s.app!.routes, now, opts);
    switchedAt = now;
    await writeFile(join(srvApp, 'shared', 'log', 'deploy.log'),
      `${old.toISOString().slice(0, 19)}Z deployed release ${oldName}\n${now.toISOString().slice(0, 19)}Z deployed release ${current}\n`);
  } else {
    switchedAt = new Date(now.getTime() - 9 * 24 * HOUR);
    current = await writeRelease(srvApp, s, s.app!.routes, switchedAt, opts);
  }
  const link = join(srvApp, 'current');
  await symlink(join('releases', current), link);
  await lutimes(link, switchedAt, switchedAt);
}
