import { describe, expect, it } from 'vitest';
import { parseNginxConfig } from '../../../src/core/parsers/nginx-config.js';
import { parseNginxDump } from '../../../src/core/parsers/nginx-dump.js';
import { parseNginxText } from '../../../src/core/parsers/nginx-tokenize.js';
import { fixture } from './raw.js';

describe('nginx config from real `nginx -T` output', () => {
  it('reads formats, logs, intercepts and error pages across included files', () => {
    const cfg = parseNginxConfig(fixture('nginx/dump-json-multi.txt'))!;
    expect(cfg.files[0]).toBe('/tmp/ngx1/nginx.conf');
    expect(cfg.files).toContain('/tmp/ngx1/conf.d/app.conf');
    expect(cfg.workerProcesses).toBe('auto');
    expect(cfg.logFormats.json_main).toMatchObject({ escape: 'json' });
    expect(cfg.logFormats.json_main!.template).toBe(
      '{"time":"$time_iso8601","remote":"$remote_addr","request":"$request","status":$status,"upstream_status":"$upstream_status","request_time":$request_time,"ua":"$http_user_agent"}');
    expect(cfg.accessLogs.map((a) => [a.path, a.format])).toEqual([
      ['/tmp/ngx1/logs/access.json', 'json_main'],
      ['syslog:server=127.0.0.1:514', 'combined'],
      ['/tmp/ngx1/logs/$host.log', 'combined'],
      ['/tmp/ngx1/logs/app-access.log', 'upstreamlog'],
      ['off', ''],
      ['/dev/stdout', 'combined'],
    ]);
    expect(cfg.errorLogs.map((e) => [e.path, e.level])).toEqual([
      ['/tmp/ngx1/logs/error.log', 'warn'],
      ['/tmp/ngx1/logs/app-error.log', 'error'],
      ['/dev/stderr', 'error'],
    ]);
    expect(cfg.intercepts).toEqual([{ directive: 'proxy_intercept_errors', where: 'http > server app.example.test quoted name;with semicolon' }]);
    expect(cfg.errorPages.map((p) => [p.codes, p.target])).toEqual([[[500, 502, 503, 504], '/50x.html'], [[404], '/empty.gif']]);
    expect(cfg.usesDefaultAccessLog).toBe(false);
    expect(cfg.usesDefaultErrorLog).toBe(false);
  });

  it('falls back to nginx defaults when the config names no logs', () => {
    const cfg = parseNginxConfig(fixture('nginx/dump-defaults.txt'))!;
    expect(cfg.accessLogs).toEqual([]);
    expect(cfg.usesDefaultAccessLog).toBe(true);
    expect(cfg.usesDefaultErrorLog).toBe(true);
    expect(cfg.workerProcesses).toBeNull();
  });

  it('reads the distribution default config with its mime.types and sites-enabled', () => {
    const cfg = parseNginxConfig(fixture('nginx/dump-debian-default.txt'))!;
    expect(cfg.files).toEqual(expect.arrayContaining(['/etc/nginx/nginx.conf', '/etc/nginx/mime.types']));
    expect(cfg.accessLogs.map((a) => a.path)).toContain('/var/log/nginx/access.log');
    expect(cfg.errorLogs.map((a) => a.path)).toContain('/var/log/nginx/error.log');
  });

  it('returns null when nginx -T printed no configuration (invalid config, no privileges)', () => {
    expect(parseNginxConfig(fixture('nginx/dump-invalid.txt'))).toBeNull();
    expect(parseNginxConfig(fixture('nginx/dump-nonroot.txt'))).toBeNull();
  });

  it('keeps the preamble nginx -T prints before the files', () => {
    const dump = parseNginxDump(fixture('nginx/dump-json-multi.txt'));
    expect(dump.preamble[0]).toMatch(/syntax is ok/);
  });
});

describe('nginx tokenizer', () => {
  it('handles comments, quotes with escapes, ${var} and multi-line directives', () => {
    const tree = parseNginxText(`
      # comment ; {
      set $a "x;y # not comment";   # trailing
      log_format t '$remote_addr "\\'q\\'"'
                   '\${status}';
      location ~ "^/a{2}$" { return 200; }
    `, 'f');
    expect(tree.map((d) => d.name)).toEqual(['set', 'log_format', 'location']);
    expect(tree[0]!.args).toEqual(['$a', 'x;y # not comment']);
    expect(tree[1]!.args).toEqual(['t', `$remote_addr "'q'"`, '${status}']);
    expect(tree[1]!.line).toBe(4);
    expect(tree[2]!.block?.[0]?.name).toBe('return');
  });

  it('does not throw on unbalanced input', () => {
    expect(() => parseNginxText('http { server { listen 80;', 'f')).not.toThrow();
    expect(parseNginxText('}}} a b;', 'f')).toEqual([]);
  });
});
