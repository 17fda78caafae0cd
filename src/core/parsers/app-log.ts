import { ROTATED } from '../app-discovery/choose-logs.js';
import { clipLine } from '../excerpt.js';
import { splitLines } from '../command-outputs.js';
import { findLineTime } from '../time.js';
import { findTraceBlocks, type Language } from './app-exceptions.js';
import { matchSignature, type AppSignatureKind } from './app-signatures.js';

// The application layer: what failed. Reads `app_log` output (`==> /path <==` sections), groups
// stack traces by headline and logged errors by message, and counts the infrastructure and deploy
// signatures that tell why. Lines without a timestamp inherit the previous stamped line's time.

export interface AppErrorGroup {
  kind: 'exception' | 'error_line';
  language: Language | null;
  headline: string;
  source: string;
  count: number;
  /** Time of every occurrence (null when no line before it had a stamp), in log order. */
  times: Array<number | null>;
  firstMs: number | null;
  lastMs: number | null;
  /** Line-exact first occurrence (whole block for traces, capped). */
  excerpt: string[];
  cause: string | null;
}

export interface AppSignatureHit {
  kind: AppSignatureKind;
  /** `host:port`, env var, module or column the lines name; null when none is named. */
  target: string | null;
  source: string;
  count: number;
  times: Array<number | null>;
  firstMs: number | null;
  lastMs: number | null;
  firstLine: string;
  latestLine: string;
  /** The file latestLine is in: a rotated generation and its current file count as one log. */
  latestSource: string;
}

export interface AppLogEvidence {
  files: string[];
  totalLines: number;
  timedLines: number;
  groups: AppErrorGroup[];
  signatures: AppSignatureHit[];
}

const MAX_STORED_BLOCK = 12;
const ERROR_LEVEL = /(?:^|[\s[|])(?:ERROR|FATAL|CRITICAL|SEVERE|PANIC)(?:[\s\]|:]|$)|\blevel=(?:error|fatal|critical)\b|"level"\s*:\s*(?:"(?:error|fatal|critical)"|5\d|60)\b|\.(?:ERROR|CRITICAL|ALERT|EMERGENCY):|PHP (?:Fatal|Parse) error:|\[(?:ERR|FTL)\]|^(?:fail|crit): /;

export function splitAppLogSections(text: string): Array<{ path: string; lines: string[] }> {
  const sections: Array<{ path: string; lines: string[] }> = [];
  let current: { path: string; lines: string[] } | null = null;
  for (const line of splitLines(text)) {
    const m = /^==> (.+) <==$/.exec(line);
    if (m) { current = { path: m[1]!, lines: [] }; sections.push(current); continue; }
    if (!current) { current = { path: 'app_log', lines: [] }; sections.push(current); }
    current.lines.push(line);
  }
  return sections;
}

/**
 * Grouping key: digits and hex ids vary per request, the failure does not. A rotated generation
 * and its current file are one log: the same error on both sides of a logrotate is one group.
 */
function groupKey(source: string, headline: string): string {
  return `${logStream(source)}\u0000${headline.replace(/0x[0-9a-f]+|[0-9a-f]{8,}|\d+/gi, '#')}`;
}

function logStream(source: string): string {
  return source.replace(ROTATED, '');
}

/** Sections may come newest-first; keep first/last by time, and times in order. */
function addTime(cur: { times: Array<number | null>; firstMs: number | null; lastMs: number | null }, t: number | null): boolean {
  if (t === null) { cur.times.push(t); return cur.lastMs === null; }
  const latest = cur.lastMs === null || t >= cur.lastMs;
  // In order (the usual case) it is an append; only an older generation read after the
  // current file pays for the search.
  if (latest) cur.times.push(t); else cur.times.splice(cur.times.findIndex((x) => x !== null && x > t), 0, t);
  cur.firstMs = cur.firstMs === null ? t : Math.min(cur.firstMs, t);
  if (latest) cur.lastMs = t;
  return latest;
}

/** A logged error line without its timestamp / level prefix. */
function stripPrefix(line: string): string {
  return line
    // Ruby's Logger: `F, [2026-11-21T00:58:01.547875 #2050] FATAL -- : [request-id] `.
    .replace(/^[DIWEFA], \[[^\]]*\]\s+\w+ -- [^:]*: (?:\[[\w-]+\](?: |$))?/, '')
    .replace(/^\s*\[?\d{4}-\d{2}-\d{2}[T ][\d:.,]+\s?(?:Z|[+-]\d{2}:?\d{2})?\]?\s*(?:\[\d+\]\s*)?/, '')
    .replace(/^[\w-]+\.(?=(?:ERROR|CRITICAL|ALERT|EMERGENCY):)/, '')
    .replace(/^[[(]?(?:ERROR|FATAL|CRITICAL|SEVERE|PANIC|ALERT|EMERGENCY|ERR|FTL|error|fatal|critical)[\])]?:?\s*/, '')
    .trim() || line.trim();
}

/** pino/bunyan-style JSON line with an error: headline from err.type/message or stack's first line. */
function jsonErrorHeadline(line: string): string | null {
  if (!line.startsWith('{')) return null;
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const err = (o.err ?? o.error) as Record<string, unknown> | undefined;
    const stack = typeof err?.stack === 'string' ? err.stack : typeof o.stack === 'string' ? o.stack : null;
    if (stack) return stack.split('\n')[0]!.trim();
    if (err && typeof err.message === 'string') return `${typeof err.type === 'string' ? err.type : 'Error'}: ${err.message}`;
  } catch {
    return null;
  }
  return null;
}

export function parseAppLog(text: string, tzOffsetMinutes = 0): AppLogEvidence {
  const ev: AppLogEvidence = { files: [], totalLines: 0, timedLines: 0, groups: [], signatures: [] };
  const groups = new Map<string, AppErrorGroup>();
  const sigs = new Map<string, AppSignatureHit>();

  const addGroup = (g: Omit<AppErrorGroup, 'count' | 'times' | 'firstMs' | 'lastMs'>, t: number | null) => {
    const key = `${g.kind}\u0000${groupKey(g.source, g.headline)}`;
    let cur = groups.get(key);
    if (!cur) { cur = { ...g, count: 0, times: [], firstMs: null, lastMs: null }; groups.set(key, cur); }
    cur.count++;
    addTime(cur, t);
  };
  const addSignature = (source: string, line: string, t: number | null, seen: Set<string>) => {
    const m = matchSignature(line);
    if (!m) return;
    const key = `${logStream(source)}\u0000${m.kind}\u0000${m.target ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    let cur = sigs.get(key);
    if (!cur) { cur = { kind: m.kind, target: m.target, source, count: 0, times: [], firstMs: null, lastMs: null, firstLine: clipLine(line), latestLine: '', latestSource: source }; sigs.set(key, cur); }
    cur.count++;
    if (addTime(cur, t) || cur.latestLine === '') { cur.latestLine = clipLine(line); cur.latestSource = source; }
  };

  for (const { path, lines } of splitAppLogSections(text)) {
    ev.files.push(path);
    ev.totalLines += lines.length;
    const times: Array<number | null> = [];
    let last: number | null = null;
    for (const line of lines) {
      const t = findLineTime(line, tzOffsetMinutes);
      if (t !== null) { ev.timedLines++; last = t; }
      times.push(last);
    }
    const inBlock = new Array<boolean>(lines.length).fill(false);
    for (const b of findTraceBlocks(lines)) {
      for (let i = b.start; i < b.end; i++) inBlock[i] = true;
      const t = times[b.headlineLine] ?? times[b.start] ?? null;
      const block = lines.slice(b.start, b.end);
      addGroup({ kind: 'exception', language: b.language, headline: clipLine(b.headline), source: path,
        excerpt: block.slice(0, MAX_STORED_BLOCK).map(clipLine), cause: b.cause }, t);
      const seen = new Set<string>();
      for (const l of block) addSignature(path, l, t, seen);
    }
    lines.forEach((line, i) => {
      if (inBlock[i]) return;
      const t = times[i] ?? null;
      addSignature(path, line, t, new Set());
      const json = jsonErrorHeadline(line);
      if (json) {
        addGroup({ kind: 'exception', language: 'node', headline: clipLine(json), source: path, excerpt: [clipLine(line)], cause: null }, t);
      } else if (ERROR_LEVEL.test(line.slice(0, 120))) {
        addGroup({ kind: 'error_line', language: null, headline: clipLine(stripPrefix(line)), source: path, excerpt: [clipLine(line)], cause: null }, t);
      }
    });
  }
  ev.groups = [...groups.values()];
  ev.signatures = [...sigs.values()];
  return ev;
}
