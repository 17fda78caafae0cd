// `releases`: `current TARGET`, `link_mtime EPOCH`, `release EPOCH PATH`. When the `current` link
// last moved is the deploy time; the release before the current one is the rollback target.

export interface Release {
  path: string;
  mtimeMs: number;
}

export interface ReleasesEvidence {
  current: string | null;
  /** When the `current` symlink last changed: the deploy time. */
  linkMtimeMs: number | null;
  releases: Release[];
  /** The newest release older than the current one, if any. */
  previous: Release | null;
  lines: string[];
}

export function parseReleases(text: string): ReleasesEvidence {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const current = /^current (.+)$/m.exec(text)?.[1]?.trim() || null;
  const mtime = /^link_mtime (\d+)\s*$/m.exec(text)?.[1];
  const releases: Release[] = [];
  for (const l of lines) {
    const m = /^release (\d+) (.+)$/.exec(l);
    if (m) releases.push({ mtimeMs: Number(m[1]) * 1000, path: m[2]!.replace(/\/+$/, '') });
  }
  // Release dirs are usually named by time or version; mtime first, name as the tie-break.
  releases.sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path, undefined, { numeric: true }));
  const cur = current?.replace(/\/+$/, '') ?? null;
  const idx = releases.findIndex((r) => r.path === cur);
  const older = idx >= 0 ? releases.slice(0, idx) : releases.filter((r) => r.path !== cur);
  return {
    current: cur,
    linkMtimeMs: mtime ? Number(mtime) * 1000 : null,
    releases,
    previous: older[older.length - 1] ?? null,
    lines: lines.slice(0, 6),
  };
}
