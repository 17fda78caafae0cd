import { findOtherStamp } from './log-stamps.js';

// Timestamp readers for the log shapes the triage commands return. Every reader returns epoch ms
// or null; none throws. Zone-less stamps (nginx error log, Python logging) are host-local time,
// so callers pass the host's UTC offset (inferred from stamps that carry one; UTC otherwise).

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number | null {
  const t = Date.UTC(y, mo, d, h, mi, s, ms);
  return Number.isFinite(t) ? t : null;
}

function offsetMinutes(sign: string, hh: string, mm: string): number {
  const m = Number(hh) * 60 + Number(mm);
  return sign === '-' ? -m : m;
}

/** nginx `$time_local`: `21/Nov/2026:00:54:29 +0000`. */
export function parseNginxLocalTime(s: string): number | null {
  const m = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const mon = MONTHS[m[2]!.toLowerCase()];
  if (mon === undefined) return null;
  const t = utcMs(+m[3]!, mon, +m[1]!, +m[4]!, +m[5]!, +m[6]!);
  return t === null ? null : t - offsetMinutes(m[7]!, m[8]!, m[9]!) * 60_000;
}

/** Offset carried by a `$time_local` stamp, used to read zone-less stamps of the same host. */
export function nginxLocalOffsetMinutes(s: string): number | null {
  const m = /([+-])(\d{2})(\d{2})\s*$/.exec(s.trim());
  return m ? offsetMinutes(m[1]!, m[2]!, m[3]!) : null;
}

const ISO_RE =
  /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?/;

/**
 * ISO-8601 and its common log variants (space instead of T, comma decimals as Python logging
 * writes them, `+0000` offsets as journalctl short-iso writes them). Zone-less → host-local.
 */
export function parseIsoLike(s: string, tzOffsetMinutes = 0): number | null {
  const m = ISO_RE.exec(s);
  if (!m) return null;
  return isoMatchToMs(m, tzOffsetMinutes);
}

function isoMatchToMs(m: RegExpExecArray, tzOffsetMinutes: number): number | null {
  const frac = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const t = utcMs(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, frac);
  if (t === null) return null;
  const zone = m[8];
  if (!zone) return t - tzOffsetMinutes * 60_000;
  if (zone === 'Z') return t;
  const z = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
  return t - offsetMinutes(z[1]!, z[2]!, z[3]!) * 60_000;
}

/** Offset of an ISO stamp that carries one (`+01:00`, `+0100`, `Z`); null when zone-less. */
export function isoOffsetMinutes(s: string): number | null {
  const m = ISO_RE.exec(s);
  const zone = m?.[8];
  if (!zone) return null;
  if (zone === 'Z') return 0;
  const z = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
  return offsetMinutes(z[1]!, z[2]!, z[3]!);
}

/** nginx error log: `2026/11/21 00:54:29` (host-local). */
export function parseNginxErrorTime(s: string, tzOffsetMinutes = 0): number | null {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(s);
  if (!m) return null;
  const t = utcMs(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return t === null ? null : t - tzOffsetMinutes * 60_000;
}

/** `$msec`: seconds with millisecond fraction. */
export function parseEpochSeconds(s: string): number | null {
  if (!/^\d{9,11}(\.\d+)?$/.test(s.trim())) return null;
  return Math.round(Number(s) * 1000);
}

/** Traditional syslog `Nov 21 00:54:29` has no year: take the one that puts it closest before now. */
export function parseSyslogTime(s: string, nowMs: number, tzOffsetMinutes = 0): number | null {
  const m = /^([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2})/.exec(s);
  if (!m) return null;
  const mon = MONTHS[m[1]!.toLowerCase()];
  if (mon === undefined) return null;
  const year = new Date(nowMs).getUTCFullYear();
  for (const y of [year, year - 1]) {
    const t = utcMs(y, mon, +m[2]!, +m[3]!, +m[4]!, +m[5]!);
    if (t !== null && t - tzOffsetMinutes * 60_000 <= nowMs + 86_400_000) return t - tzOffsetMinutes * 60_000;
  }
  return null;
}

/**
 * A timestamp near the start of an application log line: ISO-8601 / Python logging anywhere in the
 * first 80 characters, a pino-style `"time":1795222462123` epoch, or the Go / php-fpm / ctime shapes
 * of log-stamps.ts. Null when the line has none.
 */
export function findLineTime(line: string, tzOffsetMinutes = 0): number | null {
  const head = line.slice(0, 80);
  const m = ISO_RE.exec(head);
  if (m) return isoMatchToMs(m, tzOffsetMinutes);
  const epoch = /"(?:time|timestamp|ts)"\s*:\s*(\d{10,13}(?:\.\d+)?)/.exec(line);
  if (epoch) {
    const n = Number(epoch[1]);
    return epoch[1]!.length >= 13 ? Math.round(n) : Math.round(n * 1000);
  }
  return findOtherStamp(head, tzOffsetMinutes);
}

/** `2026-11-21 00:54:29 UTC` style rendering for summaries. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'unknown time';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** `12 min`, `41 s`, `3 h` for summaries. */
export function formatDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.round(m / 60)} h`;
}
