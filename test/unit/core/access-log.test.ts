import { describe, expect, it } from 'vitest';
import { parseAccessLog, splitUpstreamStatus } from '../../../src/core/parsers/access-log.js';
import { compileLogFormat } from '../../../src/core/parsers/log-format.js';
import { COMBINED_FORMAT, parseNginxConfig } from '../../../src/core/parsers/nginx-config.js';
import { fixture } from './raw.js';

const cfg = parseNginxConfig(fixture('nginx/dump-loggen.txt'))!;

describe('log_format compilation', () => {
  it('reads escape=json formats, including escaped quotes in values', () => {
    const f = compileLogFormat(cfg.logFormats.json_main!);
    const rec = f.parse(fixture('nginx/access-json.log').split('\n')[0]!)!;
    expect(rec).toEqual({ status: 200, upstreamStatus: '200', timeMs: Date.parse('2026-11-21T00:54:29Z'), endpoint: 'GET /', requestTimeS: 0.005 });
  });

  it('reads combined with \\x22-escaped quotes', () => {
    const rec = compileLogFormat(COMBINED_FORMAT).parse(fixture('nginx/access-combined.log').split('\n')[1]!)!;
    expect(rec).toMatchObject({ status: 500, upstreamStatus: null, endpoint: 'GET /boom' });
    expect(compileLogFormat(COMBINED_FORMAT).hasUpstreamStatus).toBe(false);
  });

  it('finds fields wherever a custom format puts them (upstream status first, $msec, $request_uri)', () => {
    const f = compileLogFormat({ name: 'upstream_first', escape: 'default', template: '$time_iso8601 $upstream_status $status $request_method $request_uri $body_bytes_sent $remote_addr $request_time' });
    expect(f.parse('2026-11-21T00:50:00+00:00 502, 500 500 GET /api/products?x=1 21 127.0.0.1 0.010')).toMatchObject({
      status: 500, upstreamStatus: '502, 500', endpoint: 'GET /api/products', timeMs: Date.parse('2026-11-21T00:50:00Z') });
    const m = compileLogFormat({ name: 'm', escape: 'default', template: '$msec $status "$uri" us=$upstream_status' });
    expect(m.parse('1795222469.123 500 "/a b" us=-')).toMatchObject({ status: 500, timeMs: 1795222469123, endpoint: '/a b', upstreamStatus: '-' });
  });

  it('rejects lines that do not fit the format', () => {
    const f = compileLogFormat(cfg.logFormats.upstreamlog!);
    expect(f.parse('garbage line')).toBeNull();
    expect(f.parse('')).toBeNull();
  });
});

describe('access log', () => {
  it('splits 5xx by side: passthrough, nginx-internal, intercepted', () => {
    const ev = parseAccessLog('/tmp/ngx4/logs/access.log', fixture('nginx/access-upstreamlog.log'), cfg.logFormats.upstreamlog, Object.values(cfg.logFormats));
    expect(ev).toMatchObject({ format: 'upstreamlog', hasUpstreamStatus: true, totalLines: 12, parsedLines: 12, unparsedLines: 0 });
    const sides = ev.errors.map((e) => `${e.status}/${e.upstreamFinal}/${e.side}`);
    expect(sides).toEqual([
      '500/500/passthrough', '500/500/passthrough', '502/502/passthrough', '500/null/internal',
      '500/404/intercepted', '500/500/passthrough', '500/500/passthrough', '502/502/passthrough',
    ]);
    expect(ev.errors[3]!.endpoint).toBe('GET /loop');
    const loop = ev.errors[3]!;
    expect(ev.lines[loop.sample]).toBe('127.0.0.1 - [21/Nov/2026:00:54:29 +0000] "GET /loop HTTP/1.1" 500 us=- rt=0.000 "-"');
  });

  it('marks every 5xx side unknown in the combined format, and counts unparsed lines', () => {
    const text = `${fixture('nginx/access-combined.log')}this is not an access log line\n`;
    const ev = parseAccessLog('/var/log/nginx/access.log', text, COMBINED_FORMAT);
    expect(ev.hasUpstreamStatus).toBe(false);
    expect(ev.errors.every((e) => e.side === 'unknown')).toBe(true);
    expect(ev.unparsedLines).toBe(1);
    expect(ev.unparsedSample).toBe('this is not an access log line');
    expect(ev.notes.join()).toMatch(/1 of 13 lines did not match/);
  });

  it('reads multi-value upstream status lists', () => {
    expect(splitUpstreamStatus('502, 500')).toEqual(['502', '500']);
    expect(splitUpstreamStatus('504 : 500, 200')).toEqual(['504', '500', '200']);
    expect(splitUpstreamStatus('-')).toEqual([]);
    expect(splitUpstreamStatus('')).toEqual([]);
  });

  it('keeps the first line of each burst so "since when" has its line', () => {
    const f = '$remote_addr - [$time_local] "$request" $status us=$upstream_status';
    const l = (t: string, s: number) => `10.0.0.1 - [21/Nov/2026:${t} +0000] "GET /x HTTP/1.1" ${s} us=${s}`;
    const text = [l('00:00:00', 500), l('00:00:05', 500), l('00:40:00', 500), l('00:40:01', 500), l('00:40:02', 500)].join('\n');
    const ev = parseAccessLog('/a', text, { name: 'f', escape: 'default', template: f });
    const kept = ev.errors.filter((e) => e.sample >= 0).map((e) => ev.lines[e.sample]);
    expect(kept).toContain(l('00:00:00', 500));
    expect(kept).toContain(l('00:40:00', 500));
    expect(kept).toContain(l('00:40:02', 500));
  });
});
