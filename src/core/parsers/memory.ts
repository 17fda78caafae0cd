// /proc/meminfo: how much memory the kernel could hand out without swapping (MemAvailable).

export interface MemoryEvidence {
  totalKb: number;
  availableKb: number;
  availablePct: number;
  swapTotalKb: number | null;
  swapFreeKb: number | null;
  lines: string[];
}

export function parseMemory(text: string): MemoryEvidence | null {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const line = (key: string) => new RegExp(`^${key}:.*$`, 'm').exec(text)?.[0] ?? null;
  const total = kb('MemTotal');
  // Kernels before 3.14 lack MemAvailable; free + cache is the usual estimate there.
  const available = kb('MemAvailable') ?? ((kb('MemFree') ?? 0) + (kb('Cached') ?? 0) + (kb('Buffers') ?? 0));
  if (!total) return null;
  return {
    totalKb: total,
    availableKb: available,
    availablePct: (available / total) * 100,
    swapTotalKb: kb('SwapTotal'),
    swapFreeKb: kb('SwapFree'),
    lines: ['MemTotal', 'MemAvailable'].map(line).filter((l): l is string => l !== null),
  };
}
