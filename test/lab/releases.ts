import { copyFile, lutimes, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from './lab-types.js';

const APPS = fileURLToPath(new URL('./apps/', import.meta.url));
const HOUR = 3600_000;

/** Release directory names as deploy tools make them: UTC YYYYMMDDHHMMSS. */
export function releaseName(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function writeRelease(srvApp: string, s: Scenario, routes: string, at: Date): Promise<string> {
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
  } else {
    for (const f of ['server.py', 'catalog.py']) await copyFile(join(APPS, 'python', f), join(dir, f));
    await copyFile(join(APPS, 'python', routes), join(dir, 'routes.py'));
  }
  await utimes(dir, at, at);
  return name;
}

/**
 * Lays out /srv/app as a deploy tool would: releases/<ts>/, current -> releases/<ts>, shared/log.
 * Healthy-looking hosts get a release from days ago so no deploy signal appears; bad-deploy
 * gets a good release from hours ago plus the broken one, made current just now.
 */
export async function layOutReleases(srvApp: string, s: Scenario, now = new Date()): Promise<void> {
  await mkdir(join(srvApp, 'shared', 'log'), { recursive: true });
  let current: string;
  let switchedAt: Date;
  if (s.badDeploy) {
    const old = new Date(now.getTime() - 6 * HOUR);
    const oldName = await writeRelease(srvApp, s, 'routes-healthy.cjs', old);
    current = await writeRelease(srvApp, s, s.app!.routes, now);
    switchedAt = now;
    await writeFile(join(srvApp, 'shared', 'log', 'deploy.log'),
      `${old.toISOString().slice(0, 19)}Z deployed release ${oldName}\n${now.toISOString().slice(0, 19)}Z deployed release ${current}\n`);
  } else {
    switchedAt = new Date(now.getTime() - 9 * 24 * HOUR);
    current = await writeRelease(srvApp, s, s.app!.routes, switchedAt);
  }
  const link = join(srvApp, 'current');
  await symlink(join('releases', current), link);
  await lutimes(link, switchedAt, switchedAt);
}
