import { describe, expect, it } from 'vitest';
import { buildEvidence, classify, diagnoseOutputs } from '../../../src/core/index.js';
import type { Diagnosis, Finding } from '../../../src/core/types.js';
import { lines, mainLine, MAIN_FORMAT_CONF, out } from './raw.js';
import { appLog, at, browse, fixture, host, ngxTs, nodeTrace, NOW } from './scenario-hosts.js';

const serious = (d: Diagnosis) => d.findings.filter((f) => f.severity !== 'info');
const byCat = (d: Diagnosis, c: Finding['category']) => d.findings.filter((f) => f.category === c);

describe('healthy host', () => {
  const old500 = mainLine(at(180), 'GET /api/orders', 500, '500');
  const d = diagnoseOutputs(host({
    access: `${old500}\n${browse(5)}`,
    error: `${ngxTs(180)} [error] 12#12: *3 upstream prematurely closed connection while reading response header from upstream, client: 10.0.0.1, server: shop.lab, request: "GET /api/orders HTTP/1.1", upstream: "http://127.0.10.11:9000/api/orders"\n` +
      `${ngxTs(3)} [notice] 1#1: signal 1 (SIGHUP) received from 901, reconfiguring\n${ngxTs(3)} [warn] 1#1: conflicting server name "shop.lab" on 127.0.10.11:8080, ignored\n`,
    app: appLog(`${nodeTrace(200, 0, 'GET /api/orders', "TypeError: Cannot read properties of undefined (reading 'id')")}\n${at(2)} INFO [shop] GET / 200 1ms\n`),
  }));

  it('has no warning or critical finding and no root cause', () => {
    expect(serious(d)).toEqual([]);
    expect(d.rootCause).toBeNull();
  });

  it('still mentions the old trouble at info level', () => {
    expect(d.findings.map((f) => f.category)).toContain('unhandled_exception');
    expect(d.findings.every((f) => f.severity === 'info')).toBe(true);
  });
});

describe('app-bug: upstream 500s passed through, with the trace behind them', () => {
  const access = browse(10) + lines(20, (i) => mainLine(at(5, i), 'GET /api/orders', 500, '500'));
  const traces = Array.from({ length: 20 }, (_, i) => nodeTrace(5, i, 'GET /api/orders', "TypeError: Cannot read properties of undefined (reading 'id')")).join('\n');
  const d = diagnoseOutputs(host({ access, app: appLog(`${traces}\n`) }));

  it('is an upstream_app_error with the exception as a symptom', () => {
    expect(d.rootCause?.category).toBe('upstream_app_error');
    const root = d.findings[0]!;
    expect(root).toMatchObject({ role: 'root_cause', severity: 'critical' });
    expect(root.summary).toMatch(/20 of 50 requests in the last 60 min answered 5xx \(500 ×20\).*upstream itself answered 5xx in all of them \(500 ×20\)/);
    expect(root.summary).toMatch(/GET \/api\/orders ×20/);
    expect(byCat(d, 'unhandled_exception')[0]).toMatchObject({ role: 'symptom' });
  });

  it('quotes line-exact evidence and puts the timeline on the root cause', () => {
    const root = d.findings[0]!;
    expect(root.evidence[0]).toEqual({ source: '/var/log/nginx/access.log', excerpt: expect.stringContaining(mainLine(at(5, 0), 'GET /api/orders', 500, '500')) });
    const tl = root.evidence.find((e) => e.source === 'timeline')!;
    expect(tl.excerpt).toMatch(/^first 5xx: {7}2026-11-21 00:55:00Z/);
    expect(tl.excerpt).toMatch(/first new error: 2026-11-21 00:55:00Z .*TypeError/);
    expect(tl.excerpt).toMatch(/last deploy: {5}2026-11-12 01:00:00Z/);
  });
});

describe('combined-format: the side of nginx cannot be read from the access log', () => {
  const conf = MAIN_FORMAT_CONF.replace(/ {4}log_format main[\s\S]*?rt=\$request_time';\n/, '').replace('access_log /var/log/nginx/access.log main;', 'access_log /var/log/nginx/shop.access.log;');
  const combined = fixture('nginx/access-combined.log').split('\n')[1]!.replace('21/Nov/2026:00:54:29', '21/Nov/2026:00:58:00');
  const d = diagnoseOutputs(host({
    conf, accessPath: '/var/log/nginx/shop.access.log',
    access: `${lines(20, () => combined)}`,
    app: appLog(`${Array.from({ length: 20 }, (_, i) => nodeTrace(2, i, 'GET /api/cart', "TypeError: Cannot read properties of undefined (reading 'items')")).join('\n')}\n`),
  }));

  it('decides upstream_app_error from the logs and says why it cannot tell from the format', () => {
    expect(d.rootCause?.category).toBe('upstream_app_error');
    const info = d.findings.find((f) => f.severity === 'info' && f.category === 'upstream_app_error')!;
    expect(info.summary).toMatch(/cannot be told apart in this log.*add \$upstream_status to the log_format/);
  });
});

describe('python-no-nginx', () => {
  const tb = fixture('app/python-app.log').split('\n').slice(1, 11).join('\n').replace('2026-11-21T00:50:01.123Z', at(3));
  const d = diagnoseOutputs(host({
    replace: { nginx_dump: out('nginx_dump', 'no-nginx\n'), nginx_test: out('nginx_test', 'no-nginx\n') },
    app: appLog(`${tb}\n${tb}\n${tb}\n`, '/var/log/app/app.log'),
  }));

  it('makes the exception the root cause when nothing fronts the app', () => {
    expect(d.rootCause?.category).toBe('unhandled_exception');
    expect(d.rootCause?.summary).toMatch(/3 unhandled exception\(s\).*"KeyError: 'customer'" ×3.*no nginx on this host/);
  });
});

describe('nginx installed but not running', () => {
  it('does not count as fronting the app', () => {
    const tb = fixture('app/python-app.log').split('\n').slice(1, 11).join('\n').replace('2026-11-21T00:50:01.123Z', at(3));
    const ps = out('processes', fixture('host/processes.txt'));
    const d = diagnoseOutputs(host({ access: '', replace: { processes: ps }, app: appLog(`${tb}\n${tb}\n${tb}\n`) }));
    expect(d.rootCause?.category).toBe('unhandled_exception');
    expect(buildEvidence(host({ replace: { processes: ps } })).notes).toContain('nginx is installed but no nginx master process is running');
  });
});

describe('rewrite-loop: nginx produces the 500 itself', () => {
  const access = browse(10) + lines(20, (i) => mainLine(at(4, i), 'GET /catalog/shoes', 500, '-'));
  const error = lines(20, (i) => `${ngxTs(4, i)} [error] 21#21: *${i + 40} rewrite or internal redirection cycle while processing "/catalog/shoes", client: 127.0.0.1, server: shop.lab, request: "GET /catalog/shoes HTTP/1.1", host: "shop.lab"`);
  const d = diagnoseOutputs(host({ access, error }));

  it('is an nginx_internal_error citing the cycle', () => {
    expect(d.rootCause?.category).toBe('nginx_internal_error');
    expect(d.rootCause?.summary).toMatch(/20 of 50 .*no upstream status, so nginx produced them itself; the error log shows rewrite or internal redirection cycle/);
    expect(byCat(d, 'upstream_app_error')).toEqual([]);
  });
});

describe('intercepted: upstream 404/503 turned into 500', () => {
  const conf = MAIN_FORMAT_CONF.replace('    location / {', '    proxy_intercept_errors on;\n    error_page 404 /errors/404.html;\n    error_page 502 503 504 /errors/50x.html;\n    location / {');
  const access = browse(10) + lines(10, (i) => mainLine(at(4, i), 'GET /api/products/9999', 500, '404')) + lines(10, (i) => mainLine(at(3, i), 'GET /api/inventory', 500, '503'));
  const error = lines(20, (i) => `${ngxTs(4, i)} [error] 21#21: *${i} rewrite or internal redirection cycle while internally redirecting to "/errors/50x.html", client: 127.0.0.1, server: shop.lab, request: "GET /api/inventory HTTP/1.1", upstream: "http://127.0.10.16:9000/api/inventory", host: "shop.lab"`);
  const d = diagnoseOutputs(host({ conf, access, error }));

  it('is intercepted_upstream_error, not an nginx-internal or app error', () => {
    expect(d.rootCause?.category).toBe('intercepted_upstream_error');
    expect(d.rootCause?.summary).toMatch(/upstream answered 404 ×10, 503 ×10.*proxy_intercept_errors on.*error_page 404 → \/errors\/404\.html; error_page 503 → \/errors\/50x\.html.*error page itself fails/);
    expect(byCat(d, 'nginx_internal_error')).toEqual([]);
    expect(byCat(d, 'upstream_app_error')).toEqual([]);
  });
});

describe('config-invalid: the files on disk are not what runs', () => {
  const test = '2026/11/21 00:58:00 [emerg] 90#90: unknown directive "proxy_read_timout" in /etc/nginx/conf.d/shop.conf:4\nnginx: configuration file /etc/nginx/nginx.conf test failed\n';
  const d = diagnoseOutputs(host({
    replace: { nginx_dump: out('nginx_dump', test, { exitCode: 1 }), nginx_test: out('nginx_test', test, { exitCode: 1 }) },
    error: `${ngxTs(2)} [emerg] 1#1: unknown directive "proxy_read_timout" in /etc/nginx/conf.d/shop.conf:4\n`,
  }));

  it('is nginx_config_invalid even without 5xx', () => {
    expect(d.rootCause?.category).toBe('nginx_config_invalid');
    expect(d.rootCause?.summary).toMatch(/nginx -t fails: unknown directive "proxy_read_timout" in \/etc\/nginx\/conf\.d\/shop\.conf:4; a reload was refused/);
    expect(d.findings[0]!.evidence[0]).toEqual({ source: 'nginx_test', excerpt: test.trim() });
  });

  it('is only contributing when something else explains the 500s', () => {
    const access = lines(20, (i) => mainLine(at(4, i), 'GET /catalog', 500, '-'));
    const error = lines(5, (i) => `${ngxTs(4, i)} [error] 21#21: *${i} rewrite or internal redirection cycle while processing "/catalog", client: 1.2.3.4, server: shop.lab, request: "GET /catalog HTTP/1.1"`);
    const d2 = diagnoseOutputs(host({ access, error, replace: { nginx_test: out('nginx_test', test, { exitCode: 1 }) } }));
    expect(d2.rootCause?.category).toBe('nginx_internal_error');
    expect(byCat(d2, 'nginx_config_invalid')[0]?.role).toBe('contributing');
  });

  it('ignores an nginx -t that failed only for lack of privileges', () => {
    const nonroot = fixture('nginx/test-nonroot.txt');
    const d3 = diagnoseOutputs(host({ replace: { nginx_test: out('nginx_test', nonroot, { exitCode: 1 }) } }));
    expect(d3.rootCause).toBeNull();
  });
});

describe('worker-crash', () => {
  const error = lines(6, (i) => `${ngxTs(3, i)} [alert] 7345#7345: worker process ${8000 + i} exited on signal 11 (core dumped)`);
  const d = diagnoseOutputs(host({ error }));
  it('is worker_crash', () => {
    expect(d.rootCause?.category).toBe('worker_crash');
    expect(d.rootCause?.summary).toMatch(/crashed 6 times .*signal 11/);
  });
});

describe('fd-exhausted', () => {
  const access = browse(10) + lines(20, (i) => mainLine(at(3, i), 'GET /api/report', 500, '500'));
  const app = appLog(`${lines(20, (i) => `${at(3, i)} ERROR [shop] GET /api/report failed: Error: EMFILE: too many open files, open '/srv/app/shared/data/report-${i % 8}.csv'`)}`, '/var/log/app/app.log');
  const fds = out('fd_usage', `${fixture('host/fd_usage-with-nginx.txt')}fd 4242 58 node\nlimit 4242 64 64\n`);
  const d = diagnoseOutputs(host({ access, app, replace: { fd_usage: fds } }));
  it('is fd_exhaustion over the app errors it causes', () => {
    expect(d.rootCause?.category).toBe('fd_exhaustion');
    expect(d.rootCause?.summary).toMatch(/node \(pid 4242\) holds 58 of 64 descriptors \(91%\); 20 "Too many open files" errors/);
    expect(byCat(d, 'upstream_app_error')[0]?.role).toBe('symptom');
  });
});

describe('oom: V8 heap exhaustion in the app', () => {
  const access = browse(10) + lines(6, (i) => mainLine(at(3, i), 'GET /api/recommendations', 500, '500'));
  const trace = fixture('app/node-app.log').split('\n').slice(20, 31).join('\n');
  const app = appLog(Array.from({ length: 6 }, (_, i) => trace.replace('2026-11-21T00:51:12.000Z', at(3, i))).join('\n'));
  const d = diagnoseOutputs(host({ access, app }));
  it('is memory_exhaustion', () => {
    expect(d.rootCause?.category).toBe('memory_exhaustion');
    expect(d.rootCause?.summary).toMatch(/6 out-of-memory errors in the app log/);
  });
  it('also reads kernel OOM kills', () => {
    const kernel = out('kernel_log', `source journalctl\n${at(2).replace('.000Z', '+0000')} web-1 kernel: Out of memory: Killed process 4242 (node) total-vm:2000000kB, anon-rss:1900000kB\n`);
    const d2 = diagnoseOutputs(host({ replace: { kernel_log: kernel } }));
    expect(d2.rootCause?.category).toBe('memory_exhaustion');
    expect(d2.rootCause?.summary).toMatch(/OOM-killer killed node \(pid 4242\)/);
  });
});

describe('disk-full: a small tmpfs on the uploads path', () => {
  const disk = out('disk', `${fixture('host/disk.txt')}tmpfs                         512      512         0     100% /srv/app/shared/uploads\n`);
  const access = browse(10) + lines(20, (i) => mainLine(at(3, i), 'POST /api/uploads', 500, '500'));
  const app = appLog(lines(20, (i) => `${at(3, i)} ERROR [shop] POST /api/uploads failed: Error: ENOSPC: no space left on device, write`));
  const d = diagnoseOutputs(host({ access, app, replace: { disk } }));
  it('is disk_full naming the mount', () => {
    expect(d.rootCause?.category).toBe('disk_full');
    expect(d.rootCause?.summary).toMatch(/\/srv\/app\/shared\/uploads \(tmpfs\) is 100% full, 0 KiB free of 512 KiB; 20 "No space left on device" errors/);
  });
});

describe('pool-exhausted', () => {
  const pg = out('pg_activity', '{"max_connections":20,"reserved":3,"rows":[{"state":"idle in transaction","datname":"shop","usename":"shop","application_name":"","count":9,"max_state_seconds":41},{"state":"idle","datname":"shop","usename":"shop","application_name":"","count":8,"max_state_seconds":300},{"state":"active","datname":"shop","usename":"shop","application_name":"","count":2,"max_state_seconds":0}]}');
  const access = browse(10) + lines(16, (i) => mainLine(at(3, i), 'GET /api/orders', 500, '500'));
  const app = appLog(Array.from({ length: 16 }, (_, i) => nodeTrace(3, i, 'GET /api/orders', 'Error: timeout exceeded when trying to connect', ['    at /srv/app/releases/20261112010000/node_modules/pg-pool/index.js:45:11'])).join('\n'));
  const d = diagnoseOutputs(host({ access, app, extra: [pg], context: { hasPostgres: true } }));
  it('is db_pool_exhaustion with the pool figures and the kill action', () => {
    expect(d.rootCause?.category).toBe('db_pool_exhaustion');
    expect(d.rootCause?.summary).toMatch(/19\/20 connections in use \(17 usable after 3 reserved\), 9 idle in transaction \(oldest 41 s\), 8 idle; 16 pool errors/);
    expect(d.findings[0]!.actions).toEqual(['kill_idle_connections']);
    expect(byCat(d, 'upstream_app_error')[0]?.role).toBe('symptom');
    expect(byCat(d, 'unhandled_exception')[0]?.role).toBe('symptom');
  });
});

describe('bad-deploy', () => {
  const deployAt = Date.parse(NOW) - 8 * 60_000;
  const s = (ms: number) => Math.floor(ms / 1000);
  const releases = out('releases', `current /srv/app/releases/20261121005200\nlink_mtime ${s(deployAt)}\nrelease ${s(deployAt - 6 * 3600_000)} /srv/app/releases/20261120185200\nrelease ${s(deployAt)} /srv/app/releases/20261121005200\n`);
  const access = lines(15, (i) => mainLine(at(20, i), 'GET /', 200, '200')) + lines(20, (i) => mainLine(at(7, i), 'GET /api/products', 500, '500'));
  const frames = ['Require stack:', '- /srv/app/releases/20261121005200/routes.cjs', '    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)'];
  const app = appLog(Array.from({ length: 20 }, (_, i) => nodeTrace(7, i, 'GET /api/products', "Error: Cannot find module 'left-pad-v2'", frames)).join('\n'));
  const d = diagnoseOutputs(host({ access, app, replace: { releases } }));
  it('is bad_deploy with a rollback to the previous release', () => {
    expect(d.rootCause?.category).toBe('bad_deploy');
    expect(d.findings[0]!.actions).toEqual(['rollback']);
    expect(d.rootCause?.summary).toMatch(/Release 20261121005200 went live at 2026-11-21 00:52:00Z; 5xx started 60 s later.*Cannot find module 'left-pad-v2'.*roll back to 20261120185200/);
    expect(byCat(d, 'upstream_app_error')[0]?.role).toBe('symptom');
  });
});

describe('bad-deploy: "only since" means absent just before the deploy, not never seen', () => {
  const deployAt = Date.parse(NOW) - 8 * 60_000;
  const s = (ms: number) => Math.floor(ms / 1000);
  const releases = out('releases', `current /srv/app/releases/20261121005200\nlink_mtime ${s(deployAt)}\nrelease ${s(deployAt - 6 * 3600_000)} /srv/app/releases/20261120185200\nrelease ${s(deployAt)} /srv/app/releases/20261121005200\n`);
  const access = lines(15, (i) => mainLine(at(20, i), 'GET /', 200, '200')) + lines(20, (i) => mainLine(at(7, i), 'GET /api/products', 500, '500'));
  const trace = (minutesAgo: number, n: number) => Array.from({ length: n }, (_, i) => nodeTrace(minutesAgo, i, 'GET /api/products', "TypeError: Cannot read properties of undefined (reading 'price')")).join('\n');

  it('the same error in an incident 50 min earlier, quiet since, back right after the deploy: the deploy', () => {
    const d = diagnoseOutputs(host({ access, app: appLog(`${trace(50, 5)}\n${trace(7, 20)}\n`), replace: { releases } }));
    expect(d.rootCause?.category).toBe('bad_deploy');
    expect(d.rootCause?.summary).toMatch(/errors that only exist since then: "TypeError: Cannot read properties of undefined \(reading 'price'\)"/);
  });

  it('the same error 3 min before the deploy as after: it did not come with the deploy', () => {
    const d = diagnoseOutputs(host({ access, app: appLog(`${trace(11, 5)}\n${trace(7, 20)}\n`), replace: { releases } }));
    expect(d.rootCause?.category).toBe('upstream_app_error');
    expect(byCat(d, 'bad_deploy')).toEqual([]);
  });
});

describe('dependency-down', () => {
  const access = browse(10) + lines(20, (i) => mainLine(at(3, i), 'GET /api/stock', 500, '500'));
  const app = appLog(Array.from({ length: 20 }, (_, i) => nodeTrace(3, i, 'GET /api/stock', 'Error: connect ECONNREFUSED 127.0.10.99:9999', ['    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)'])).join('\n'));
  const d = diagnoseOutputs(host({ access, app }));
  it('is dependency_down naming the target', () => {
    expect(d.rootCause?.category).toBe('dependency_down');
    expect(d.rootCause?.summary).toMatch(/The app cannot reach 127\.0\.10\.99:9999 \(connection refused, 20×\)/);
  });
});

describe('window and robustness', () => {
  const access = browse(10) + lines(20, (i) => mainLine(at(30, i), 'GET /api/orders', 500, '500'));
  const ev = buildEvidence(host({ access }));

  it('measures "recent" on the host clock, with a configurable window', () => {
    expect(classify(ev).rootCause?.category).toBe('upstream_app_error');
    const narrow = classify(ev, { windowMinutes: 15 });
    expect(narrow.rootCause).toBeNull();
    expect(narrow.findings.every((f) => f.severity === 'info')).toBe(true);
  });

  it('reports the timeline on the evidence', () => {
    expect(ev.timeline.first5xx?.timeMs).toBe(Date.parse(at(30)));
    expect(ev.timeline.lastDeploy?.release).toBe('/srv/app/releases/20261112010000');
  });

  it('never throws on missing, failed, timed-out or truncated output', () => {
    const broken = host({}).commands.map((c, i) => ({
      ...c,
      stdout: i % 3 === 0 ? '' : c.stdout.slice(0, Math.floor(c.stdout.length / 2)),
      exitCode: i % 4 === 0 ? null : c.exitCode,
      timedOut: i % 4 === 0,
      truncated: i % 2 === 0,
      ...(i % 5 === 0 ? { error: 'channel closed' } : {}),
    }));
    expect(() => diagnoseOutputs({ host: 'x', context: { hasPostgres: false, hasDeploy: false, appLogGlobs: [] }, commands: broken })).not.toThrow();
    const empty = diagnoseOutputs({ host: 'x', context: { hasPostgres: false, hasDeploy: false, appLogGlobs: [] }, commands: [] });
    expect(empty).toMatchObject({ findings: [], rootCause: null });
    // Nothing collected means nothing checked, and the checks must say so rather than claim coverage.
    expect(empty.checks!.filter((c) => c.checked)).toEqual([]);
    const ev2 = buildEvidence({ host: 'x', context: { hasPostgres: false, hasDeploy: false, appLogGlobs: [] }, commands: broken });
    expect(ev2.notes.join('\n')).toMatch(/channel closed/);
  });

  it('redacts secrets in summaries and excerpts', () => {
    const app = appLog(lines(5, (i) => `${at(2, i)} ERROR [shop] GET /api/stock failed: Error: connect ECONNREFUSED 10.0.0.9:5432 (postgres://shop:Sup3rS3cret@10.0.0.9:5432/shop)`));
    const d = diagnoseOutputs(host({ app }));
    expect(JSON.stringify(d)).not.toContain('Sup3rS3cret');
    expect(JSON.stringify(d)).toContain('postgres://shop:****@10.0.0.9');
  });
});

describe('evidence hygiene', () => {
  it('redacts the lines HostEvidence keeps and records first/last 5xx per access log', () => {
    const access = lines(3, (i) => mainLine(at(3, i), 'GET /login?password=hunter2', 500, '500'));
    const app = appLog(`${nodeTrace(3, 0, 'GET /login', 'Error: bad login for postgres://u:hunter2@db/x')}\n`);
    const ev = buildEvidence(host({ access, app }));
    expect(JSON.stringify(ev)).not.toContain('hunter2');
    expect(ev.accessLogs[0]!.first5xx?.timeMs).toBe(Date.parse(at(3, 0)));
    expect(ev.accessLogs[0]!.last5xx?.timeMs).toBe(Date.parse(at(3, 2)));
  });
});
