import { describe, expect, it } from 'vitest';
import { parseAppLog } from '../../../src/core/parsers/app-log.js';
import { matchSignature } from '../../../src/core/parsers/app-signatures.js';
import { fixture } from './raw.js';

const withHeader = (path: string, body: string) => `==> ${path} <==\n${body}`;

describe('app log: stack traces grouped by headline', () => {
  const ev = parseAppLog(withHeader('/srv/app/shared/log/app.log', fixture('app/node-app.log')));
  const exceptions = ev.groups.filter((g) => g.kind === 'exception');

  it('Node: groups identical TypeErrors with count, first/last time and a line-exact excerpt', () => {
    const te = exceptions.find((g) => g.headline.startsWith('TypeError'))!;
    expect(te).toMatchObject({
      language: 'node', count: 2, source: '/srv/app/shared/log/app.log',
      headline: "TypeError: Cannot read properties of undefined (reading 'id')",
      firstMs: Date.parse('2026-11-21T00:50:03.001Z'), lastMs: Date.parse('2026-11-21T00:50:04.101Z'),
    });
    expect(te.excerpt[0]).toBe("2026-11-21T00:50:03.001Z ERROR [shop] GET /api/orders failed: TypeError: Cannot read properties of undefined (reading 'id')");
    expect(te.excerpt[1]).toBe('    at /srv/app/releases/20261112004001/routes.cjs:6:50');
  });

  it('Node: a "Require stack" or a child\'s stderr between headline and frames stays one trace', () => {
    expect(exceptions.map((g) => g.headline)).toEqual(expect.arrayContaining([
      "Error: Cannot find module 'left-pad-v2'",
      'Error: recommender exited with code null signal SIGABRT:',
      'Error: connect ECONNREFUSED 127.0.10.99:9999',
    ]));
  });

  it('finds the infrastructure and deploy signatures with their targets', () => {
    const sig = Object.fromEntries(ev.signatures.map((s) => [s.kind, s]));
    expect(sig.connection_refused).toMatchObject({ target: '127.0.10.99:9999', count: 1 });
    expect(sig.missing_module).toMatchObject({ target: 'left-pad-v2' });
    expect(sig.out_of_memory?.count).toBe(1);
    expect(sig.disk_full?.firstLine).toMatch(/ENOSPC: no space left on device/);
    expect(sig.too_many_open_files?.count).toBe(1);
    expect(sig.pool_timeout?.firstMs).toBe(Date.parse('2026-11-21T00:51:15.000Z'));
  });

  it('counts error lines that are not traces separately', () => {
    const lines = ev.groups.filter((g) => g.kind === 'error_line').map((g) => g.headline);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^\[shop\] POST \/api\/uploads failed: Error: ENOSPC/)]));
  });
});

describe('app log: other runtimes', () => {
  it('Python: traceback headline is the final exception line; logging stamps with commas', () => {
    const ev = parseAppLog(fixture('app/python-app.log'));
    const ex = ev.groups.filter((g) => g.kind === 'exception');
    expect(ex.map((g) => [g.language, g.headline])).toEqual([['python', "KeyError: 'customer'"], ['python', "ValueError: invalid literal for int() with base 10: 'abc'"]]);
    expect(ex[0]!.excerpt[0]).toBe('Traceback (most recent call last):');
    expect(ex[1]!.firstMs).toBe(Date.parse('2026-11-21T00:50:02.500Z'));
    const kinds = ev.signatures.map((s) => [s.kind, s.target]);
    expect(kinds).toEqual(expect.arrayContaining([['pool_timeout', null], ['missing_env', 'STRIPE_API_KEY']]));
    // KeyError: 'customer' is a dict miss, not a missing env var
    expect(ev.signatures.filter((s) => s.kind === 'missing_env')).toHaveLength(1);
  });

  it('Java: exception with frames and Caused by, and Exception in thread', () => {
    const ev = parseAppLog(fixture('app/java-app.log'));
    const ex = ev.groups.filter((g) => g.kind === 'exception');
    expect(ex.map((g) => g.headline)).toEqual([
      'java.lang.NullPointerException: Cannot invoke "com.shop.User.getId()" because "user" is null',
      'java.lang.ClassNotFoundException: com.shop.payments.StripeGateway',
    ]);
    expect(ex[0]!.cause).toMatch(/^com\.zaxxer\.hikari\.pool\.HikariPool\$PoolInitializationException/);
    expect(ev.signatures.map((s) => s.kind).sort()).toEqual(['missing_module', 'pool_timeout']);
  });

  it('Go: panic with goroutine dump', () => {
    const ev = parseAppLog(fixture('app/go-app.log'));
    const ex = ev.groups.filter((g) => g.kind === 'exception');
    expect(ex).toHaveLength(1);
    expect(ex[0]).toMatchObject({ language: 'go', headline: 'panic: runtime error: invalid memory address or nil pointer dereference' });
    expect(ex[0]!.excerpt.length).toBeGreaterThan(4);
  });

  it('Ruby: Rails error with app frames, and a top-level LoadError', () => {
    const ev = parseAppLog(fixture('app/ruby-app.log'));
    const ex = ev.groups.filter((g) => g.kind === 'exception');
    expect(ex.map((g) => g.headline)).toEqual([
      "NoMethodError (undefined method `total' for nil:NilClass)",
      'LoadError: cannot load such file -- bootsnap/setup',
    ]);
    expect(ev.signatures.map((s) => [s.kind, s.target])).toEqual(expect.arrayContaining([['missing_module', 'bootsnap/setup'], ['missing_column', 'discount_cents']]));
  });

  it('lines without a time inherit the previous stamped line; none before the first stamp', () => {
    const ev = parseAppLog('TypeError: x is not a function\n    at f (/a.js:1:1)\n2026-11-21T00:00:00Z ERROR boom\nTypeError: y is not a function\n    at g (/a.js:2:2)\n');
    const ex = ev.groups.filter((g) => g.kind === 'exception');
    expect(ex.map((g) => g.firstMs)).toEqual([null, Date.parse('2026-11-21T00:00:00Z')]);
  });

  it('tolerates empty and binary-ish input', () => {
    expect(parseAppLog('').groups).toEqual([]);
    expect(() => parseAppLog('\u0000\u0001\n==> <==\n\uFFFD')).not.toThrow();
  });
});

describe('signatures', () => {
  it.each([
    ['Error: timeout exceeded when trying to connect', 'pool_timeout'],
    ['HikariPool-1 - Connection is not available, request timed out after 30000ms.', 'pool_timeout'],
    ['FATAL:  sorry, too many clients already', 'pool_timeout'],
    ['FATAL:  remaining connection slots are reserved for non-replication superuser connections', 'pool_timeout'],
    ['Error: connect ECONNREFUSED 10.0.0.7:6379', 'connection_refused'],
    ['CircuitBreaker \'payments\' is OPEN and does not permit further calls', 'circuit_open'],
    ['getaddrinfo ENOTFOUND stock.internal', 'dns_failure'],
    ['java.lang.OutOfMemoryError: Java heap space', 'out_of_memory'],
    ['Error: EMFILE: too many open files, open \'/x\'', 'too_many_open_files'],
    ['ModuleNotFoundError: No module named \'stripe\'', 'missing_module'],
    ['ERROR:  column "discount_cents" of relation "orders" does not exist', 'missing_column'],
    ['Error: environment variable DATABASE_URL is not set', 'missing_env'],
    ['SyntaxError: Unexpected identifier', 'syntax_error'],
  ])('%s → %s', (line, kind) => {
    expect(matchSignature(line)?.kind).toBe(kind);
  });

  it('does not call JSON parse errors or ordinary lines deploy breakage', () => {
    expect(matchSignature('SyntaxError: Unexpected token < in JSON at position 0')).toBeNull();
    expect(matchSignature('INFO GET /api/products 200 3ms')).toBeNull();
    expect(matchSignature('read_file is undefined in this scope')).toBeNull();
  });
});

describe('a log on both sides of a logrotate', () => {
  // What the log reader prints for a file rotated during the incident: the older generation first.
  const text = [
    '==> /srv/app/shared/log/production.log.1.gz <==',
    "2026-12-02T22:16:12.159Z ERROR [shop] GET /api/products failed: Error: Cannot find module 'left-pad-v2'",
    "2026-12-02T22:16:13.201Z ERROR [shop] GET /api/products failed: Error: Cannot find module 'left-pad-v2'",
    '==> /srv/app/shared/log/production.log <==',
    "2026-12-02T22:16:14.007Z ERROR [shop] GET /api/products failed: Error: Cannot find module 'left-pad-v2'",
  ].join('\n');

  it('is one log: the same error is one group and one signature, counted across both files', () => {
    const ev = parseAppLog(text);
    const groups = ev.groups.filter((g) => g.headline.includes('left-pad-v2'));
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ count: 3, source: '/srv/app/shared/log/production.log.1.gz',
      firstMs: Date.parse('2026-12-02T22:16:12.159Z'), lastMs: Date.parse('2026-12-02T22:16:14.007Z') });
    const sigs = ev.signatures.filter((s) => s.kind === 'missing_module');
    expect(sigs).toHaveLength(1);
    expect(sigs[0]!.count).toBe(3);
    expect(sigs[0]!.latestLine).toContain('22:16:14.007Z');
    expect(sigs[0]!.latestSource).toBe('/srv/app/shared/log/production.log');
  });

  it('keeps first and last by time when the current file comes first', () => {
    const [head, a, b, head2, c] = text.split('\n');
    const ev = parseAppLog([head2, c, head, a, b].join('\n'));
    const sig = ev.signatures.find((s) => s.kind === 'missing_module')!;
    expect(sig.firstMs).toBe(Date.parse('2026-12-02T22:16:12.159Z'));
    expect(sig.lastMs).toBe(Date.parse('2026-12-02T22:16:14.007Z'));
    expect(sig.latestLine).toContain('22:16:14.007Z');
    expect(sig.times).toEqual([...sig.times].sort((x, y) => x! - y!));
  });

  it('does not merge two different logs', () => {
    const ev = parseAppLog(text.replace('production.log <==', 'worker.log <=='));
    expect(ev.groups.filter((g) => g.headline.includes('left-pad-v2'))).toHaveLength(2);
  });
});
