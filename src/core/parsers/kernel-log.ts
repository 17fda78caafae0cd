import { splitLines } from '../command-outputs.js';
import { parseIsoLike, parseSyslogTime } from '../time.js';
import { LineSamples } from './line-samples.js';

// Kernel log (journalctl -k, kern.log or dmesg; the first line names which): OOM-killer activity
// and processes the kernel killed for a fault (segfaults, general-protection faults, traps). Every
// kernel generation's wording is read: the one-line `oom-kill:` summary (4.19+), "Killed process"
// with or without the "Out of memory:" prefix, the pre-4.19 "Kill process … or sacrifice child",
// and the oom_reaper's line when only that survived the tail. dmesg stamps are seconds since boot,
// turned into wall time with the host's now and uptime.

export interface OomKill {
  timeMs: number | null;
  pid: number | null;
  comm: string | null;
  sample: number;
}

/** A process the kernel killed for a fault it took (SIGSEGV, SIGILL, SIGFPE, SIGBUS). */
export interface KernelCrash {
  timeMs: number | null;
  pid: number;
  /** Task name (a thread's name when a thread faulted), at most 15 characters. */
  comm: string;
  /** `segfault`, `general protection fault`, `invalid opcode`, `divide error`… */
  fault: string;
  /** The mapping the faulting instruction was in (`libc.so.6`, `node`), when printed. */
  object: string | null;
  sample: number;
}

export interface KernelLogEvidence {
  source: string;
  totalLines: number;
  oomKills: OomKill[];
  /** `invoked oom-killer` lines: memory pressure, whether or not a kill followed in the tail. */
  oomInvocations: Array<{ timeMs: number | null; comm: string | null; sample: number }>;
  crashes: KernelCrash[];
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

// "Killed process" alone is the second line of the pre-4.19 report; total-vm keeps it specific.
const KILL_RE = /(?:(?:Out of memory(?: \([^)]*\))?|Memory cgroup out of memory): Kill(?:ed)? process|\bKilled process (?=\d+ \([^)]*\) total-vm:))\s*(\d+) \(([^)]*)\)/;
const OOM_KILL_RE = /oom-kill:.*\btask=([^,\s]+),pid=\s*(\d+)/;
const REAPED_RE = /oom_reaper: reaped process (\d+) \(([^)]*)\)/;
const INVOKED_RE = /(?:^|\s)(\S+) invoked oom-killer/;
// The task name sits after the stamp or the "kernel:" tag; it may hold spaces (thread names).
const TASK = '(?:^|\\]\\s|kernel:\\s)(?:traps: )?(\\S(?:[^\\[\\]]{0,14}\\S)?)\\[(\\d+)\\]';
const SEGFAULT_RE = new RegExp(`${TASK}: (segfault) at \\w+ ip \\w+ sp \\w+ error \\w+(?: in ([^\\s[]+))?`);
const TRAP_RE = new RegExp(`${TASK} (?:trap )?([a-z][a-z ]{2,40}?) ip:[0-9a-f]+ sp:[0-9a-f]+ error:[0-9a-f]+(?: in ([^\\s[]+))?`);

function killOf(line: string): { pid: number; comm: string } | null {
  const m = KILL_RE.exec(line) ?? REAPED_RE.exec(line);
  if (m) return { pid: Number(m[1]), comm: m[2]! };
  const summary = OOM_KILL_RE.exec(line);
  return summary ? { pid: Number(summary[2]), comm: summary[1]! } : null;
}

function crashOf(line: string): Omit<KernelCrash, 'timeMs' | 'sample'> | null {
  const m = SEGFAULT_RE.exec(line) ?? TRAP_RE.exec(line);
  if (!m) return null;
  return { comm: m[1]!, pid: Number(m[2]), fault: m[3]!, object: m[4] ?? null };
}

export function parseKernelLog(text: string, clock: KernelClock): KernelLogEvidence {
  const lines = splitLines(text);
  const source = /^source (\S+)/.exec(lines[0] ?? '')?.[1] ?? 'unknown';
  const body = source === 'unknown' ? lines : lines.slice(1);
  const samples = new LineSamples();
  const ev: KernelLogEvidence = { source, totalLines: body.length, oomKills: [], oomInvocations: [], crashes: [], lines: [] };
  // One kill is reported up to four times (summary, kill, legacy second line, reaper).
  const killedPids = new Set<number>();
  const crashedPids = new Set<number>();
  for (const line of body) {
    const kill = killOf(line);
    if (kill) {
      if (killedPids.has(kill.pid)) continue;
      killedPids.add(kill.pid);
      const entry: OomKill = { timeMs: lineTime(line, source, clock), pid: kill.pid, comm: kill.comm, sample: -1 };
      samples.keep('kill', line, entry);
      ev.oomKills.push(entry);
      continue;
    }
    const invoked = INVOKED_RE.exec(line);
    if (invoked) {
      const entry = { timeMs: lineTime(line, source, clock), comm: invoked[1]!, sample: -1 };
      samples.keep('invoked', line, entry);
      ev.oomInvocations.push(entry);
      continue;
    }
    const crash = crashOf(line);
    if (crash && !crashedPids.has(crash.pid)) {
      crashedPids.add(crash.pid);
      const entry: KernelCrash = { ...crash, timeMs: lineTime(line, source, clock), sample: -1 };
      samples.keep('crash', line, entry);
      ev.crashes.push(entry);
    }
  }
  ev.lines = samples.lines;
  return ev;
}
