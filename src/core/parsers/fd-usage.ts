// fd_usage lines: `fd PID COUNT COMM`, `limit PID SOFT HARD`, `file-nr ALLOC FREE MAX`.
// Descriptor use per process against its soft limit is what runs out first.

export interface FdProcess {
  pid: number;
  comm: string;
  count: number;
  softLimit: number | null;
  /** count / softLimit, or null when the limit is unknown or unlimited. */
  ratio: number | null;
}

export interface FdEvidence {
  processes: FdProcess[];
  /** Processes at or above 90 % of their soft limit, highest first. */
  nearLimit: FdProcess[];
  system: { allocated: number; max: number } | null;
}

export const FD_NEAR_LIMIT = 0.9;
/** Below this many descriptors, a high ratio is a tiny limit, not exhaustion worth a page. */
const MIN_COUNT = 16;

export function parseFdUsage(text: string): FdEvidence {
  const counts = new Map<number, { count: number; comm: string }>();
  const limits = new Map<number, number | null>();
  let system: FdEvidence['system'] = null;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'fd' && parts.length >= 3) {
      counts.set(Number(parts[1]), { count: Number(parts[2]), comm: parts.slice(3).join(' ') || '?' });
    } else if (parts[0] === 'limit' && parts.length >= 3) {
      const soft = parts[2] === 'unlimited' ? null : Number(parts[2]);
      limits.set(Number(parts[1]), soft !== null && Number.isFinite(soft) ? soft : null);
    } else if (parts[0] === 'file-nr' && parts.length >= 4) {
      system = { allocated: Number(parts[1]), max: Number(parts[3]) };
    }
  }
  const processes: FdProcess[] = [];
  for (const [pid, { count, comm }] of counts) {
    if (!Number.isFinite(pid) || !Number.isFinite(count)) continue;
    const softLimit = limits.get(pid) ?? null;
    const ratio = softLimit ? count / softLimit : null;
    processes.push({ pid, comm, count, softLimit, ratio });
  }
  const nearLimit = processes
    .filter((p) => p.ratio !== null && p.ratio >= FD_NEAR_LIMIT && p.count >= MIN_COUNT)
    .sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0));
  return { processes, nearLimit, system };
}
