import { describe, expect, it } from 'vitest';
import { parseErrorLog } from '../../../src/core/parsers/error-log.js';
import { parseNginxTest } from '../../../src/core/parsers/nginx-test.js';
import { fixture } from './raw.js';

describe('nginx error log', () => {
  it('counts severities and recognises signatures in real error-log lines', () => {
    const ev = parseErrorLog('/tmp/ngx4/logs/error.log', fixture('nginx/error.log'));
    expect(ev.severityCounts).toEqual({ error: 2, alert: 1 });
    expect(ev.entries.map((e) => e.signature)).toEqual(['upstream_refused', 'rewrite_cycle', 'worker_exited']);
    expect(ev.entries[0]).toMatchObject({ upstream: '127.0.0.1:3997', request: 'GET /dead HTTP/1.1', level: 'error', timeMs: Date.parse('2026-11-21T00:54:29Z') });
    expect(ev.entries[2]).toMatchObject({ signal: 11, level: 'alert' });
  });

  it('reads zone-less stamps in the host offset and knows the other signatures', () => {
    const text = [
      '2026/11/21 02:00:00 [crit] 12#12: *7 open() "/srv/www/index.html" failed (13: Permission denied), client: 10.0.0.1, server: shop, request: "GET / HTTP/1.1"',
      '2026/11/21 02:00:01 [crit] 12#12: accept4() failed (24: Too many open files)',
      '2026/11/21 02:00:02 [crit] 12#12: *9 pwrite() "/var/cache/nginx/1" failed (28: No space left on device)',
      '2026/11/21 02:00:03 [error] 12#12: *10 upstream timed out (110: Connection timed out) while reading response header from upstream, upstream: "http://10.0.0.5:8080/x"',
      '2026/11/21 02:00:04 [error] 12#12: *11 lua entry thread aborted: runtime error: /etc/nginx/auth.lua:12: attempt to index a nil value',
      '2026/11/21 02:00:05 [notice] 1#1: signal process started',
      '2026/11/21 02:00:06 [warn] 1#1: conflicting server name "shop" on 0.0.0.0:80, ignored',
      'a continuation line that is not an entry',
    ].join('\n');
    const ev = parseErrorLog('/e', text, 120);
    expect(ev.entries.map((e) => e.signature)).toEqual(['permission_denied', 'too_many_open_files', 'no_space', 'upstream_timeout', 'lua_error']);
    expect(ev.entries[0]!.timeMs).toBe(Date.parse('2026-11-21T00:00:00Z'));
    expect(ev.severityCounts).toEqual({ crit: 3, error: 2, notice: 1, warn: 1 });
    expect(ev.unparsedLines).toBe(1);
  });
});

describe('nginx -t', () => {
  it('passes a valid config', () => {
    expect(parseNginxTest(fixture('nginx/test-ok.txt'), 0).verdict).toBe('ok');
  });

  it('fails an invalid config and names the reason', () => {
    const r = parseNginxTest(fixture('nginx/test-invalid.txt'), 1);
    expect(r.verdict).toBe('invalid');
    expect(r.reason).toBe('unexpected "}" in /tmp/ngx3/sites/app.conf:5');
    expect(r.lines).toHaveLength(2);
  });

  it('reads the reason from stderr-style lines too', () => {
    const r = parseNginxTest('nginx: [emerg] unknown directive "proxy_read_timout" in /etc/nginx/conf.d/shop.conf:4\nnginx: configuration file /etc/nginx/nginx.conf test failed\n', 1);
    expect(r).toMatchObject({ verdict: 'invalid', reason: 'unknown directive "proxy_read_timout" in /etc/nginx/conf.d/shop.conf:4' });
  });

  it('is inconclusive when only privileges were missing (syntax ok, pid file denied)', () => {
    const r = parseNginxTest(fixture('nginx/test-nonroot.txt'), 1);
    expect(r.verdict).toBe('inconclusive');
  });
});
