import { parseEpochSeconds, parseIsoLike, parseNginxLocalTime } from '../time.js';
import type { LogFormatDef } from './nginx-config.js';

// Compiles an nginx `log_format` into a line reader, so the fields triage needs are found
// wherever the format puts them instead of assuming the combined layout's field 9.

export interface AccessRecord {
  status: number;
  /** Raw `$upstream_status` (`500`, `502, 500`, `-`, ``); null when the format lacks it. */
  upstreamStatus: string | null;
  timeMs: number | null;
  /** `GET /path` (query stripped) when the format logs the request; null otherwise. */
  endpoint: string | null;
  requestTimeS: number | null;
}

export interface CompiledFormat {
  name: string;
  hasUpstreamStatus: boolean;
  hasTime: boolean;
  parse(line: string): AccessRecord | null;
}

/**
 * Exact value shapes of the variables triage reads, so space-separated formats stay unambiguous
 * (`$upstream_status` may itself hold `502, 500` or `502 : 500`).
 */
const TYPED: Record<string, string> = {
  status: '(\\d{3})',
  upstream_status: '((?:\\d{3}|-)(?:\\s*[,:]\\s*(?:\\d{3}|-))*|)',
  request_method: '([A-Z]+|-)',
  body_bytes_sent: '(\\d+|-)',
  bytes_sent: '(\\d+|-)',
  request_time: '(\\d+(?:\\.\\d+)?|-)',
  msec: '(\\d+(?:\\.\\d+)?)',
};

/** Variables whose values never contain spaces, so a tight pattern keeps matching fast. */
const SINGLE_TOKEN = new Set([
  'remote_addr', 'time_iso8601', 'request_length', 'connection', 'connection_requests', 'pid',
  'server_port', 'remote_port', 'request_uri', 'uri', 'scheme', 'server_protocol', 'host', 'request_id',
]);

const MAX_LINE = 16_384;

type Segment = { lit: string } | { name: string };

function segments(template: string): Segment[] {
  const out: Segment[] = [];
  const re = /\$(?:\{(\w+)\}|(\w+))/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m.index > last) out.push({ lit: template.slice(last, m.index) });
    out.push({ name: (m[1] ?? m[2])! });
    last = re.lastIndex;
  }
  if (last < template.length) out.push({ lit: template.slice(last) });
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function unescapeValue(v: string, escape: LogFormatDef['escape']): string {
  if (escape === 'json') {
    try { return JSON.parse(`"${v}"`) as string; } catch { return v; }
  }
  return escape === 'default' ? v.replace(/\\x([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : v;
}

function endpointOf(method: string | undefined, target: string | undefined): string | null {
  if (!target || target === '-') return null;
  const path = target.split('?')[0]!;
  return method && method !== '-' ? `${method} ${path}` : path;
}

export function compileLogFormat(def: LogFormatDef): CompiledFormat {
  const segs = segments(def.template);
  const names: string[] = [];
  let pattern = '^';
  segs.forEach((seg, i) => {
    if ('lit' in seg) { pattern += escapeRe(seg.lit); return; }
    names.push(seg.name);
    const next = segs[i + 1];
    const nextLit = next && 'lit' in next ? next.lit : undefined;
    const typed = TYPED[seg.name];
    if (typed) pattern += typed;
    else if (next === undefined) pattern += '(.*)';
    else if (nextLit?.startsWith('"') && def.escape === 'json') pattern += '((?:[^"\\\\]|\\\\.)*)';
    else if (nextLit?.startsWith('"') && def.escape === 'default') pattern += '([^"]*)';
    else if (SINGLE_TOKEN.has(seg.name)) pattern += '(\\S*?)';
    else pattern += '(.*?)';
  });
  const re = new RegExp(`${pattern}$`);
  const index = (n: string) => names.indexOf(n);
  const at = { status: index('status'), upstream: index('upstream_status'), local: index('time_local'),
    iso: index('time_iso8601'), msec: index('msec'), request: index('request'), method: index('request_method'),
    uri: index('request_uri') >= 0 ? index('request_uri') : index('uri'), rt: index('request_time') };

  return {
    name: def.name,
    hasUpstreamStatus: at.upstream >= 0,
    hasTime: at.local >= 0 || at.iso >= 0 || at.msec >= 0,
    parse(line: string): AccessRecord | null {
      if (at.status < 0 || line.length > MAX_LINE) return null;
      const m = re.exec(line);
      if (!m) return null;
      const get = (i: number) => (i >= 0 ? unescapeValue(m[i + 1] ?? '', def.escape) : undefined);
      const status = Number(get(at.status));
      if (!Number.isInteger(status) || status < 100 || status > 999) return null;
      let timeMs: number | null = null;
      if (at.local >= 0) timeMs = parseNginxLocalTime(get(at.local)!);
      else if (at.iso >= 0) timeMs = parseIsoLike(get(at.iso)!);
      else if (at.msec >= 0) timeMs = parseEpochSeconds(get(at.msec)!);
      let endpoint: string | null = null;
      if (at.request >= 0) {
        const [method, target] = get(at.request)!.split(' ');
        endpoint = endpointOf(method, target);
      } else if (at.uri >= 0) {
        endpoint = endpointOf(get(at.method), get(at.uri));
      }
      const rt = at.rt >= 0 ? Number(get(at.rt)) : NaN;
      return {
        status,
        upstreamStatus: at.upstream >= 0 ? get(at.upstream)! : null,
        timeMs,
        endpoint,
        requestTimeS: Number.isFinite(rt) ? rt : null,
      };
    },
  };
}
