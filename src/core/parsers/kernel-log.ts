import { splitLines } from '../command-outputs.js';
import { parseIsoLike, parseSyslogTime } from '../time.js';
import { LineSamples } from './line-samples.js';

// Kernel log (journalctl -k, kern.log or dmesg; the first line names which): OOM-killer activity.
// dmesg stamps are seconds since boot, turned into wall time with the host's now and uptime.

export interface OomKill {
  timeMs: number | null;
  pid: number | null;
  comm: string | null;
  sample: number;
}

export interface KernelLogEvidence {
  source: string;
  totalLines: number;
  oomKills: OomKill[];
  /** `invoked oom-killer` lines: memory pressure, whether or not a kill followed in the tail. */
  oomInvocations: Array<{ timeMs: number | null; sample: number }>;
  lines: string[];
}

export interface KernelClock {
  nowMs: number | null;
  uptimeS: number | null;
  tzOffsetMinutes: number;
}

function lineTime(line: string, source: string, clock: KernelClock): number | null {
  const boot = /^\[\s*(\d+\.\d+)\]/.exec(line);
  if (boot) {
    if (clock.nowMs === null || clock.uptimeS === null) return null;
    return Math.round(clock.nowMs - clock.uptimeS * 1000 + Number(boot[1]) * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(line)) return parseIsoLike(line.slice(0, 40), clock.tzOffsetMinutes);
  if (source !== 'dmesg' && clock.nowMs !== null) return parseSyslogTime(line, clock.nowMs, clock.tzOffsetMinutes);
  return null;
}

const KILL_RE = /(?:Out of memory|Memory cgroup out of memory): Kill(?:ed)? process (\d+) \(([^)]*)\)/;
const OOM_KILL_RE = /oom-kill:.*\btask=([^,\s]+),pid=(\d+)/;

export function parseKernelLog(text: string, clock: KernelClock): KernelLogEvidence {
  const lines = splitLines(text);
  const source = /^source (\S+)/.exec(lines[0] ?? '')?.[1] ?? 'unknown';
  const body = source === 'unknown' ? lines : lines.slice(1);
  const samples = new LineSamples();
  const ev: KernelLogEvidence = { source, totalLines: body.length, oomKills: [], oomInvocations: [], lines: [] };
  const killedPids = new Set<number>();
  for (const line of body) {
    const kill = KILL_RE.exec(line) ?? null;
    const oomKill = kill ? null : OOM_KILL_RE.exec(line);
    if (kill || oomKill) {
      const pid = Number(kill ? kill[1] : oomKill![2]);
      if (killedPids.has(pid)) continue;
      killedPids.add(pid);
      const entry: OomKill = { timeMs: lineTime(line, source, clock), pid, comm: kill ? kill[2]! : oomKill![1]!, sample: -1 };
      samples.keep('kill', line, entry);
      ev.oomKills.push(entry);
    } else if (/invoked oom-killer/.test(line)) {
      const entry = { timeMs: lineTime(line, source, clock), sample: -1 };
      samples.keep('invoked', line, entry);
      ev.oomInvocations.push(entry);
    }
  }
  ev.lines = samples.lines;
  return ev;
}
