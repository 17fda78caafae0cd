// A seeded, reproducible generator of hostile webhook bodies: the same seed gives the same
// 10,000 bodies on every run, so a failure names a case that can be replayed.
import { alertmanagerPayload, grafanaPayload } from '../helpers/alert-payloads.js';

export type Source = 'alertmanager' | 'grafana';

export interface FuzzCase {
  index: number;
  source: Source;
  kind: string;
  /** What is POSTed (a string is sent as UTF-8). */
  body: string | Buffer;
}

/** mulberry32: tiny, fast, good enough to spread cases; not for crypto. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
export type Rng = ReturnType<typeof rng>;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const UNICODE = [
  'é', 'ß', '中文', '😀', '👨‍👩‍👧', '\u202e', '\u200b', '\u200d', '\ufeff', '\u0301', 'ﬁ', 'Ω', '\u00a0', '\u2028', '\u2029',
  '\u0000', '\u0001', '\u001b[31m', '\ud800', '\udfff', '\uffff', '\t', '\r\n', '<!channel>', '<@U123>', '&lt;', '"', '\\', '`',
];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];
const HOSTILE_NUMBERS: Json[] = [0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, -0, 2147483648, 9.999e-320];
const ODD_TIMES = [
  '0001-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z',
  '9999-12-31T23:59:59.999Z', '10000-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z',
  '1', '0', 'now', '', 'T', '2026-11-21', '2026-11-21T01:00:00+99:00', '2026-11-21T01:00:00.123456789Z', '\u00002026-11-21T01:00:00Z',
];

function randomText(r: Rng, max = 40): string {
  let s = '';
  const n = r.int(0, max);
  for (let i = 0; i < n; i += 1) s += r.chance(0.3) ? r.pick(UNICODE) : String.fromCharCode(r.int(32, 126));
  return s;
}

function hostileValue(r: Rng, depth = 0): Json {
  switch (r.int(0, 11)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.pick(HOSTILE_NUMBERS);
    case 3: return String(r.pick(HOSTILE_NUMBERS)); // numbers as strings
    case 4: return randomText(r);
    case 5: return [];
    case 6: return {};
    case 7: return depth < 3 ? [hostileValue(r, depth + 1), hostileValue(r, depth + 1)] : 'x';
    case 8: return depth < 3 ? { [r.pick(POLLUTION_KEYS)]: hostileValue(r, depth + 1) } : 'y';
    case 9: return r.pick(ODD_TIMES);
    case 10: return 'firing';
    default: return '4';
  }
}

function validPayload(r: Rng, source: Source): Record<string, Json> {
  const n = r.int(1, 3);
  const alerts = Array.from({ length: n }, (_, i) => ({
    labels: { alertname: `Fuzz${r.int(0, 30)}`, instance: `fuzz-${r.int(0, 50)}.example:9100`, severity: r.pick(['critical', 'warning']), idx: String(i) },
    annotations: { summary: randomText(r, 60) },
    startsAt: new Date(Date.UTC(2026, 10, r.int(1, 28), r.int(0, 23))).toISOString(),
    status: r.chance(0.85) ? 'firing' as const : 'resolved' as const,
  }));
  const p = source === 'alertmanager' ? alertmanagerPayload({ alerts, groupKey: `{}:{alertname="Fuzz${r.int(0, 40)}"}` })
    : grafanaPayload({ alerts, groupKey: `{}:{alertname="Fuzz${r.int(0, 40)}"}` });
  return JSON.parse(JSON.stringify(p)) as Record<string, Json>;
}

/** Every path to a value in the payload: ['alerts', 0, 'labels', 'instance'], … */
function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): void {
  let cur = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  const last = path.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else {
    Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
  }
}

const nested = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

type Maker = (r: Rng, source: Source) => { kind: string; body: string | Buffer };

const MAKERS: Array<[weight: number, make: Maker]> = [
  // Plain valid deliveries: the control group (must be 200).
  [3, (r, s) => ({ kind: 'valid', body: JSON.stringify(validPayload(r, s)) })],
  // Wrong type in one field, anywhere in a valid payload (every field is reachable).
  [30, (r, s) => {
    const p = validPayload(r, s);
    const at = r.pick(paths(p));
    setAt(p, at, hostileValue(r));
    return { kind: `wrong-type:${at.join('.')}`, body: JSON.stringify(p) };
  }],
  // A field removed.
  [6, (r, s) => {
    const p = validPayload(r, s);
    const at = r.pick(paths(p));
    setAt(p, at, undefined);
    return { kind: `missing:${at.join('.')}`, body: JSON.stringify(p) };
  }],
  // Truncated JSON.
  [10, (r, s) => {
    const text = JSON.stringify(validPayload(r, s));
    return { kind: 'truncated', body: text.slice(0, r.int(0, text.length - 1)) };
  }],
  // Huge strings in a random string field (up to just under the 1 MiB limit).
  [1.5, (r, s) => {
    const p = validPayload(r, s);
    const strings = paths(p).filter((x) => {
      let v: Json = p;
      for (const k of x) v = (v as Record<string | number, Json>)[k]!;
      return typeof v === 'string';
    });
    const at = r.pick(strings);
    const size = r.pick([5000, 70_000, 300_000, 600_000]);
    setAt(p, at, (r.chance(0.5) ? 'A' : r.pick(UNICODE)).repeat(size));
    return { kind: `huge-string:${at.join('.')}:${size}`, body: JSON.stringify(p) };
  }],
  // Deep nesting, as a whole body or inside a field.
  [4, (r, s) => {
    const depth = r.pick([100, 5000, 30_000]);
    if (r.chance(0.4)) return { kind: `deep-body:${depth}`, body: nested(depth, r.chance(0.5) ? '[' : '{"a":', r.chance(0.5) ? ']' : '}') };
    const text = JSON.stringify(validPayload(r, s));
    const field = r.pick(['"labels":', '"groupLabels":', '"alerts":', '"annotations":']);
    const at = text.indexOf(field);
    return { kind: `deep-field:${field}${depth}`, body: `${text.slice(0, at + field.length)}${nested(depth, '[', ']')},${text.slice(at)}` };
  }],
  // Unicode, NUL, control characters and lone surrogates in labels, annotations and names.
  [6, (r, s) => {
    const p = validPayload(r, s) as { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[]; receiver: string };
    const a = p.alerts[0]!;
    const weird = () => Array.from({ length: r.int(1, 6) }, () => r.pick(UNICODE)).join('') + randomText(r, 10);
    if (r.chance(0.5)) a.labels[weird()] = weird();
    if (r.chance(0.5)) a.labels.alertname = weird();
    if (r.chance(0.5)) a.annotations.description = weird();
    if (r.chance(0.3)) p.receiver = weird();
    if (r.chance(0.3)) a.labels.instance = weird();
    return { kind: 'unicode', body: JSON.stringify(p) };
  }],
  // Prototype-pollution keys at every level (written as raw JSON so they are own keys).
  [8, (r, s) => {
    const key = r.pick(POLLUTION_KEYS);
    const value = r.pick(['"polluted"', '{"polluted":"yes","instance":"healthy"}', '[]', 'null', '{"__proto__":{"polluted":"yes"}}']);
    const text = JSON.stringify(validPayload(r, s));
    const where = r.pick(['{', '"labels":{', '"annotations":{', '"commonLabels":{', '"groupLabels":{']);
    const at = text.indexOf(where) + where.length;
    return { kind: `pollution:${where}${key}`, body: `${text.slice(0, at)}"${key}":${value},${text.slice(at)}` };
  }],
  // Numbers as strings and strings as numbers in the typed fields.
  [6, (r, s) => {
    const p = validPayload(r, s) as Record<string, Json> & { alerts: Record<string, Json>[] };
    const swap = r.pick(['truncatedAlerts', 'version', 'orgId', 'status', 'startsAt', 'endsAt', 'fingerprint']);
    if (swap === 'truncatedAlerts') p.truncatedAlerts = r.pick(['0', '1e3', '-1', 1e21, -5, 0.5, 2 ** 31]);
    else if (swap === 'version') p.version = r.pick([4, 1, '04', ' 4', '4\u0000']);
    else if (swap === 'orgId') p.orgId = r.pick(['1', 1e308, -1, 1.5]);
    else if (swap === 'status') p.status = r.pick([1, 'FIRING', 'firing ', true]);
    else p.alerts[0]![swap] = r.pick([1732200000, '1732200000', 0, ...ODD_TIMES]);
    return { kind: `number-string:${swap}`, body: JSON.stringify(p) };
  }],
  // Odd but well-formed times (some out of Postgres' range).
  [5, (r, s) => {
    const p = validPayload(r, s) as { alerts: Record<string, Json>[] };
    const field = r.pick(['startsAt', 'endsAt']);
    const value = r.pick(ODD_TIMES);
    p.alerts[0]![field] = value;
    return { kind: `time:${field}=${value}`, body: JSON.stringify(p) };
  }],
  // Arrays where objects belong and vice versa; non-object bodies.
  [6, (r, s) => {
    const p = validPayload(r, s) as Record<string, Json> & { alerts: Record<string, Json>[] };
    const which = r.int(0, 7);
    if (which === 0) return { kind: 'array-body', body: JSON.stringify([p]) };
    if (which === 1) return { kind: 'scalar-body', body: r.pick(['null', '1', '"firing"', 'true', '""', '[]', '{}']) };
    if (which === 2) p.alerts = p.alerts[0]! as unknown as Json[] & Record<string, Json>[];
    if (which === 3) p.alerts[0]!.labels = Object.entries(p.alerts[0]!.labels as Record<string, string>) as unknown as Json;
    if (which === 4) p.commonLabels = ['alertname'];
    if (which === 5) p.alerts = [[p.alerts[0]!]] as unknown as Record<string, Json>[];
    if (which === 6) p.alerts[0]!.annotations = 'summary';
    if (which === 7) p.alerts = [] as Record<string, Json>[];
    return { kind: `shape:${which}`, body: JSON.stringify(p) };
  }],
  // Limits: labels per alert, key/value length, alerts per payload, around the edges.
  [2, (r, s) => {
    const p = validPayload(r, s) as { alerts: { labels: Record<string, string> }[] };
    const which = r.int(0, 3);
    if (which === 0) for (let i = 0; i < r.pick([59, 60, 61, 64]); i += 1) p.alerts[0]!.labels[`l${i}`] = 'v';
    if (which === 1) p.alerts[0]!.labels[`k${'x'.repeat(r.pick([255, 256, 257]))}`] = 'v';
    if (which === 2) p.alerts[0]!.labels.big = 'v'.repeat(r.pick([4095, 4096, 4097]));
    if (which === 3) p.alerts = Array.from({ length: r.pick([2000, 2001]) }, (_, i) => ({ ...p.alerts[0]!, labels: { alertname: 'Many', i: String(i) } }));
    return { kind: `limit:${which}`, body: JSON.stringify(p) };
  }],
  // Bytes that are not UTF-8, and empty bodies.
  [3, (r, s) => {
    const text = JSON.stringify(validPayload(r, s));
    const at = text.indexOf('"summary":"') + 11;
    if (r.chance(0.2)) return { kind: 'empty', body: '' };
    const junk = Buffer.from(r.pick([[0xff, 0xfe], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x00]]));
    return { kind: 'bad-utf8', body: Buffer.concat([Buffer.from(text.slice(0, at)), junk, Buffer.from(text.slice(at))]) };
  }],
  // Over the 1 MiB limit.
  [0.25, (r) => ({ kind: 'oversized', body: `{"alerts":[{"labels":{"x":"${'z'.repeat(1024 * 1024 + r.int(1, 200_000))}"}}]}` })],
];

const TOTAL_WEIGHT = MAKERS.reduce((n, [w]) => n + w, 0);

/** Case `index` of the run seeded with `seed`; built from its own sub-seed, so it does not depend on the others. */
export function fuzzCase(seed: number, index: number): FuzzCase {
  const r = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const source: Source = r.chance(0.5) ? 'alertmanager' : 'grafana';
  let roll = r.next() * TOTAL_WEIGHT;
  const make = MAKERS.find(([w]) => (roll -= w) < 0)?.[1] ?? MAKERS[0]![1];
  return { index, source, ...make(r, source) };
}
