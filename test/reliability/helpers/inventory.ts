import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** The lab's inventory plus `extra` hosts, written to a temp file; returns its path. */
export async function inventoryWith(labInventoryPath: string, extra: Record<string, Record<string, unknown>>): Promise<string> {
  const doc = parse(await readFile(labInventoryPath, 'utf8')) as { defaults: Record<string, unknown>; hosts: Record<string, unknown> };
  doc.hosts = { ...doc.hosts, ...extra };
  const dir = await mkdtemp(join(tmpdir(), 'diagbot-inv-'));
  const path = join(dir, 'inventory.yaml');
  await writeFile(path, stringify(doc));
  return path;
}

/**
 * Which of `pids` holds an established TCP connection to 127.0.0.1:`port` (found through
 * /proc/net/tcp and each process's socket descriptors), or null.
 */
export function connectedTo(pids: number[], port: number): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set(readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[2] === `0100007F:${hexPort}` && f[3] === '01')
    .map((f) => f[9]));
  for (const pid of pids) {
    let fds: string[] = [];
    try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      let link = '';
      try { link = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1])) return pid;
    }
  }
  return null;
}
