import { readFileSync } from 'node:fs';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Resident memory of a process in MB, from /proc/<pid>/status (VmRSS). */
export function rssMb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, utime 14 and stime 15 (1-based) → indexes 11 and 12; ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

export interface RssSampler { peak(): number; last(): number | null; stop(): void }

export function sampleRss(pid: number, everyMs = 200): RssSampler {
  let peak = rssMb(pid) ?? 0;
  let last = peak as number | null;
  const timer = setInterval(() => {
    last = rssMb(pid);
    if (last !== null && last > peak) peak = last;
  }, everyMs);
  timer.unref();
  return { peak: () => peak, last: () => last, stop: () => clearInterval(timer) };
}

/**
 * One line per test, the same shape everywhere, for the table in docs/reliability.md:
 * `RELIABILITY <test> key=value key=value …`
 */
export function report(test: string, figures: Record<string, string | number | boolean>): string {
  const line = `RELIABILITY ${test} ${Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v)}`).join(' ')}`;
  console.log(line);
  return line;
}
