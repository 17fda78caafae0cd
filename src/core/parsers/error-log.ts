import { splitLines } from '../command-outputs.js';
import { parseNginxErrorTime } from '../time.js';
import { LineSamples } from './line-samples.js';

// Reads an nginx error-log tail: severity counts and the known signatures that tell which side
// produced a 500 and why (rewrite cycles, permissions, descriptors, crashed workers, upstreams).

export const NGINX_LEVELS = ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'] as const;
export type NginxLevel = (typeof NGINX_LEVELS)[number];

export type ErrorSignature =
  | 'rewrite_cycle' | 'permission_denied' | 'too_many_open_files' | 'worker_exited' | 'no_space'
  | 'upstream_refused' | 'upstream_timeout' | 'upstream_closed' | 'no_live_upstreams' | 'lua_error'
  | 'out_of_memory';

const SIGNATURES: Array<[ErrorSignature, RegExp]> = [
  ['rewrite_cycle', /rewrite or internal redirection cycle/],
  ['too_many_open_files', /\(24: Too many open files\)|Too many open files/],
  ['worker_exited', /worker process \d+ exited on signal \d+/],
  ['no_space', /\(28: No space left on device\)|No space left on device/],
  ['permission_denied', /\(13: Permission denied\)/],
  ['upstream_refused', /connect\(\) failed \((?:111: Connection refused|113: No route to host)\) while connecting to upstream/],
  ['upstream_timeout', /upstream timed out/],
  ['upstream_closed', /upstream prematurely closed connection/],
  ['no_live_upstreams', /no live upstreams while connecting to upstream/],
  ['lua_error', /\blua\b.*(?:error|failed|aborted)|runtime error:|_by_lua/i],
  ['out_of_memory', /\(12: Cannot allocate memory\)|ngx_alloc\(\) failed|malloc\(\) .* failed/],
];

export interface ErrorLogEntry {
  timeMs: number | null;
  level: NginxLevel;
  signature: ErrorSignature | null;
  /** `host:port` of the upstream or `request` path when the line names one. */
  upstream: string | null;
  request: string | null;
  /** Index into `lines` when kept as a sample, else -1. */
  sample: number;
  /** Signal number for worker_exited. */
  signal?: number;
}

export interface ErrorLogEvidence {
  path: string;
  totalLines: number;
  unparsedLines: number;
  severityCounts: Record<string, number>;
  /** Entries at [error] or above, and any line with a known signature. */
  entries: ErrorLogEntry[];
  lines: string[];
}

const LINE_RE = /^(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}) \[(\w+)\] (.*)$/;
const SEVERE = new Set<NginxLevel>(['error', 'crit', 'alert', 'emerg']);

export function parseErrorLog(path: string, text: string, tzOffsetMinutes = 0): ErrorLogEvidence {
  const ev: ErrorLogEvidence = { path, totalLines: 0, unparsedLines: 0, severityCounts: {}, entries: [], lines: [] };
  const samples = new LineSamples();
  for (const line of splitLines(text)) {
    if (line.trim() === '') continue;
    ev.totalLines++;
    const m = LINE_RE.exec(line);
    const level = m?.[2] as NginxLevel | undefined;
    if (!m || !level || !NGINX_LEVELS.includes(level)) { ev.unparsedLines++; continue; }
    ev.severityCounts[level] = (ev.severityCounts[level] ?? 0) + 1;
    const msg = m[3]!;
    const signature = SIGNATURES.find(([, re]) => re.test(msg))?.[0] ?? null;
    if (!signature && !SEVERE.has(level)) continue;
    const entry: ErrorLogEntry = {
      timeMs: parseNginxErrorTime(m[1]!, tzOffsetMinutes),
      level,
      signature,
      upstream: /upstream: "[a-z]+:\/\/([^/"]+)/.exec(msg)?.[1] ?? null,
      request: /request: "([^"]*)"/.exec(msg)?.[1] ?? null,
      sample: -1,
    };
    const sig = /exited on signal (\d+)/.exec(msg);
    if (sig) entry.signal = Number(sig[1]);
    samples.keep(signature ?? level, line, entry);
    ev.entries.push(entry);
  }
  ev.lines = samples.lines;
  return ev;
}
