// `df -P -k`: filesystems at or above 95 % use. Pseudo filesystems at system paths (/dev, /run,
// /sys, read-only snap images) are ignored, but a small tmpfs mounted where the app writes is not:
// it fills up like any disk.

export interface Mount {
  filesystem: string;
  sizeKb: number;
  usedKb: number;
  availKb: number;
  usePct: number;
  mountedOn: string;
  line: string;
}

export interface DiskEvidence {
  mounts: Mount[];
  /** Real (or app-relevant) mounts at or above 95 %, fullest first. */
  full: Mount[];
}

export const DISK_FULL_PCT = 95;

const SYSTEM_MOUNT = /^\/(dev|run|sys|proc|snap|boot\/efi)(\/|$)/;

/** Is this mount worth judging for "full"? */
export function isRelevantMount(m: Mount): boolean {
  if (m.sizeKb <= 0) return false;
  if (SYSTEM_MOUNT.test(m.mountedOn)) return false;
  // Read-only images (snaps, squashfs) always show 100 % and never take writes.
  return !(/^\/dev\/loop\d+/.test(m.filesystem) && m.availKb === 0);
}

export function parseDisk(text: string): DiskEvidence {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(\/.*)$/.exec(line);
    if (!m) continue;
    mounts.push({ filesystem: m[1]!, sizeKb: +m[2]!, usedKb: +m[3]!, availKb: +m[4]!, usePct: +m[5]!, mountedOn: m[6]!, line });
  }
  const full = mounts
    .filter((m) => m.usePct >= DISK_FULL_PCT && isRelevantMount(m))
    .sort((a, b) => b.usePct - a.usePct);
  return { mounts, full };
}
