import { clipLine } from '../excerpt.js';
import { splitLines } from '../command-outputs.js';
import { LineSamples } from './line-samples.js';
import { compileLogFormat, type AccessRecord, type CompiledFormat } from './log-format.js';
import { COMBINED_FORMAT, type LogFormatDef } from './nginx-config.js';

// Reads an access-log tail into the facts the HTTP layer gives: how many 5xx, since when, on which
// endpoints, and which side of nginx produced them ($status against $upstream_status).

/** passthrough: the upstream answered the same 5xx; internal: no upstream answered (`-`/empty);
 *  intercepted: the upstream answered another code that nginx turned into this 5xx. */
export type ErrorSide = 'passthrough' | 'internal' | 'intercepted' | 'unknown';

export interface AccessError {
  timeMs: number | null;
  status: number;
  /** Last upstream's status (`500`, `404`…) or null when none answered or it is not logged. */
  upstreamFinal: string | null;
  side: ErrorSide;
  endpoint: string | null;
  /** $request_time when the format logs it: 5xx that all took about as long point at a timeout. */
  requestTimeS: number | null;
  /** Index into `lines` when the line is kept as a sample, else -1. */
  sample: number;
}

export interface AccessLogEvidence {
  path: string;
  format: string;
  hasUpstreamStatus: boolean;
  hasTime: boolean;
  totalLines: number;
  parsedLines: number;
  unparsedLines: number;
  unparsedSample: string | null;
  /** Parsed requests per second (epoch ms of the second), for counts over any window, even one
   *  that starts mid-minute (say, at a rollback). */
  requestsPerSecond: Record<string, number>;
  untimedRequests: number;
  errors: AccessError[];
  /** The first and the last 5xx in the tail, with their lines. */
  first5xx: { timeMs: number | null; line: string } | null;
  last5xx: { timeMs: number | null; line: string } | null;
  /** Line-exact samples referenced by `errors[].sample` (first and latest of each side). */
  lines: string[];
  notes: string[];
}

export function splitUpstreamStatus(raw: string | null): string[] {
  if (raw === null) return [];
  return raw.split(/\s*[,:]\s*/).map((s) => s.trim()).filter((s) => s !== '' && s !== '-');
}

/** TRIAGE.md's table: same code from the upstream → passed through; none → nginx's own; another
 *  code → nginx intercepted the upstream's answer and its error handling failed. */
export function errorSide(rec: AccessRecord): { side: ErrorSide; upstreamFinal: string | null } {
  if (rec.upstreamStatus === null) return { side: 'unknown', upstreamFinal: null };
  const values = splitUpstreamStatus(rec.upstreamStatus);
  const final = values[values.length - 1];
  if (final === undefined) return { side: 'internal', upstreamFinal: null };
  return { side: final === String(rec.status) ? 'passthrough' : 'intercepted', upstreamFinal: final };
}

const MINUTE = 60_000;
/** A pause this long between 5xx starts a new burst. */
const BURST_GAP_MS = 10 * MINUTE;

export function parseAccessLog(
  path: string,
  text: string,
  primary: LogFormatDef | undefined,
  others: readonly LogFormatDef[] = [],
): AccessLogEvidence {
  const formats: CompiledFormat[] = [];
  const seen = new Set<string>();
  for (const def of [primary, ...others, COMBINED_FORMAT]) {
    if (def && !seen.has(def.name)) { seen.add(def.name); formats.push(compileLogFormat(def)); }
  }
  const ev: AccessLogEvidence = {
    path, format: primary?.name ?? 'unknown', hasUpstreamStatus: false, hasTime: false,
    totalLines: 0, parsedLines: 0, unparsedLines: 0, unparsedSample: null,
    requestsPerSecond: {}, untimedRequests: 0, errors: [], first5xx: null, last5xx: null, lines: [], notes: [],
  };
  const used = new Map<string, number>();
  const samples = new LineSamples();
  let prevErrorMs: number | null = null;
  for (const line of splitLines(text)) {
    if (line.trim() === '') continue;
    ev.totalLines++;
    let rec: AccessRecord | null = null;
    let fmt: CompiledFormat | undefined;
    for (const f of formats) {
      rec = f.parse(line);
      if (rec) { fmt = f; break; }
    }
    if (!rec || !fmt) {
      ev.unparsedLines++;
      ev.unparsedSample ??= clipLine(line);
      continue;
    }
    ev.parsedLines++;
    used.set(fmt.name, (used.get(fmt.name) ?? 0) + 1);
    if (rec.timeMs === null) ev.untimedRequests++;
    else {
      const second = String(Math.floor(rec.timeMs / 1000) * 1000);
      ev.requestsPerSecond[second] = (ev.requestsPerSecond[second] ?? 0) + 1;
    }
    if (rec.status < 500 || rec.status > 599) continue;
    const { side, upstreamFinal } = errorSide(rec);
    const err: AccessError = { timeMs: rec.timeMs, status: rec.status, upstreamFinal, side, endpoint: rec.endpoint, requestTimeS: rec.requestTimeS, sample: -1 };
    // Kept line-exact: the first error of each burst (so "since when" has its line whatever the
    // window), and the first and latest error of each side.
    const burstStart = rec.timeMs !== null && (prevErrorMs === null || rec.timeMs - prevErrorMs > BURST_GAP_MS);
    samples.keep(burstStart ? `burst:${ev.errors.length}` : side, line, err);
    if (rec.timeMs !== null) prevErrorMs = rec.timeMs;
    ev.errors.push(err);
    ev.first5xx ??= { timeMs: rec.timeMs, line: clipLine(line) };
    ev.last5xx = { timeMs: rec.timeMs, line: clipLine(line) };
  }
  ev.lines = samples.lines;
  const main = [...used.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const chosen = formats.find((f) => f.name === main) ?? formats[0]!;
  ev.format = chosen.name;
  ev.hasUpstreamStatus = chosen.hasUpstreamStatus;
  ev.hasTime = chosen.hasTime;
  if (main && primary && main !== primary.name) ev.notes.push(`${path}: most lines match log_format ${main}, not the configured ${primary.name}`);
  if (ev.unparsedLines > 0) ev.notes.push(`${path}: ${ev.unparsedLines} of ${ev.totalLines} lines did not match the log format`);
  return ev;
}
