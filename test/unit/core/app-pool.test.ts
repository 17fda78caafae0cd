import { describe, expect, it } from 'vitest';
import { diagnoseOutputs } from '../../../src/core/index.js';
import { lines, mainLine, out } from './raw.js';
import { at, browse, host } from './scenario-hosts.js';

// The app's own pool (here 5 connections) runs dry long before Postgres's 100 slots: no
// "too many clients", maybe not even a pool-timeout line diagbot can read — but the app role's
// sessions sit idle in transaction and requests wait.

const pg = (iit: number, seconds: number) => out('pg_activity', JSON.stringify({
  max_connections: 100, reserved: 3, sees_all: true,
  rows: [
    { state: 'idle in transaction', datname: 'orders', usename: 'orders_app', application_name: 'gunicorn', count: iit, max_state_seconds: seconds },
    { state: 'active', datname: 'orders', usename: 'orders_app', application_name: 'gunicorn', count: 1, max_state_seconds: 0 },
    { state: 'idle', datname: 'reports', usename: 'reporting', application_name: 'metabase', count: 4, max_state_seconds: 900 },
  ],
}));
const slow = (s: string) => s.replace(/rt=0\.004$/, 'rt=3.001');
const fiveHundreds = (n: number, status = 500, wait = true) => lines(n, (i) => {
  const l = mainLine(at(4, i), 'GET /api/orders', status, String(status));
  return wait ? slow(l) : l;
});

describe('db_pool_exhaustion from the app side of the pool', () => {
  it('stuck app sessions + 5xx that all waited ~3 s + 504s: the pool, not the app, even with 94 free slots', () => {
    const d = diagnoseOutputs(host({ access: browse(10) + fiveHundreds(12) + fiveHundreds(4, 504), app: null, extra: [pg(5, 240)], context: { hasPostgres: true } }));
    expect(d.rootCause?.category).toBe('db_pool_exhaustion');
    const f = d.findings[0]!;
    expect(f).toMatchObject({ severity: 'critical', role: 'root_cause', actions: ['kill_idle_connections'] });
    expect(f.summary).toMatch(/app's own connection pool is likely used up while Postgres has slots to spare/);
    expect(f.summary).toMatch(/5 sessions of role orders_app have sat idle in transaction for up to 240 s/);
    expect(f.summary).toMatch(/4 gateway timeouts \(504\).*16 of 16 5xx took 3\.0 s/);
    expect(d.findings.find((x) => x.category === 'upstream_app_error')?.role).toBe('symptom');
  });

  it('stuck sessions but fast 500s (a bug that answers at once): only a warning, the app error leads', () => {
    const d = diagnoseOutputs(host({ access: browse(10) + fiveHundreds(12, 500, false), app: null, extra: [pg(5, 240)], context: { hasPostgres: true } }));
    expect(d.rootCause?.category).toBe('upstream_app_error');
    expect(d.findings.find((x) => x.category === 'db_pool_exhaustion')).toMatchObject({ severity: 'warning', role: 'contributing' });
  });

  it('stuck sessions on a host with no 5xx: nothing above info', () => {
    const d = diagnoseOutputs(host({ access: browse(10), app: null, extra: [pg(5, 240)], context: { hasPostgres: true } }));
    expect(d.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(d.rootCause).toBeNull();
  });

  it('sessions idle in transaction only briefly (a transaction in progress) are not stuck', () => {
    const d = diagnoseOutputs(host({ access: browse(10) + fiveHundreds(12) + fiveHundreds(4, 504), app: null, extra: [pg(5, 4)], context: { hasPostgres: true } }));
    expect(d.rootCause?.category).toBe('upstream_app_error');
  });
});
