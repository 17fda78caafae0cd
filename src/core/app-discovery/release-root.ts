import type { AppLogSearch } from './plan-app-logs.js';

// Capistrano-style layouts (ROOT/releases/ID with ROOT/current pointing at one of them) are how
// most deploy tools lay a host out; an app running from one says where its release history is,
// so a deploy is seen even when the inventory has no `deploy` section.

const RELEASE_PATH = /^(\/[A-Za-z0-9._/@+-]+?)\/releases\/[A-Za-z0-9._@+-]+(?:\/|$)/;

export function releaseRootOf(search: AppLogSearch): { releasesDir: string; currentLink: string } | null {
  for (const s of search.discovery?.services ?? []) {
    for (const m of s.members.filter((x) => x.role === 'listener' || x.role === 'worker')) {
      const paths = [m.cwd, ...m.args.split(/\s+/).filter((a) => a.startsWith('/'))];
      for (const p of paths) {
        const r = p ? RELEASE_PATH.exec(p) : null;
        if (r && !r[1]!.split('/').includes('..')) return { releasesDir: `${r[1]}/releases`, currentLink: `${r[1]}/current` };
      }
    }
  }
  return null;
}
