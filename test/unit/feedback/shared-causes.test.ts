import { describe, expect, it } from 'vitest';
import { buildIncidentReport, hostResources, incidentCauses, sharedCauseText, type CauseHost, type IncidentView } from '../../../src/core/report/index.js';

// Resource keys from what the inventory and the results say, and the incident-level grouping.

const pg = (url: string, host = 'web-1') => hostResources({ host, postgresUrl: url });

describe('resources behind a root cause', () => {
  it('keys a Postgres URL by server, port and database, never by its credentials', () => {
    expect(pg('postgres://app:s3cret@DB-1/orders')).toEqual([{ kind: 'postgres', key: 'postgres:db-1:5432/orders', label: 'db-1/orders' }]);
    expect(pg('postgresql://diag@10.0.3.20:6432/app')[0]).toMatchObject({ key: 'postgres:10.0.3.20:6432/app', label: '10.0.3.20:6432/app' });
    // libpq's default database is the user's name.
    expect(pg('postgres://shop@db-1')[0]!.label).toBe('db-1/shop');
    expect(JSON.stringify(pg('postgres://app:s3cret@db-1/orders'))).not.toContain('s3cret');
    expect(pg('not a url')).toEqual([]);
  });

  it('tells this machine apart on every host: localhost on web-1 is not localhost on web-2', () => {
    expect(pg('postgres://app@localhost/orders', 'web-1')[0]!.key).not.toBe(pg('postgres://app@localhost/orders', 'web-2')[0]!.key);
    const deps = (host: string) => hostResources({ host, figures: { release: null, dependencies: ['127.0.0.1:6379', 'stock.internal:8080'] } });
    expect(deps('web-1').map((r) => r.key)).toEqual(['dependency:127.0.0.1:6379@web-1', 'dependency:stock.internal:8080']);
    expect(deps('web-2')[1]!.key).toBe(deps('web-1')[1]!.key);
  });

  it('takes the live release by name, and upstream hosts once results name them', () => {
    const r = hostResources({ host: 'web-1', figures: { release: { current: '/srv/app/releases/20261121010953', previous: null }, dependencies: [] },
      upstreams: ['app-1', { host: 'app-2' }] });
    expect(r).toEqual([
      { kind: 'release', key: 'release:20261121010953', label: 'release 20261121010953' },
      { kind: 'upstream', key: 'upstream:app-1', label: 'app-1' },
      { kind: 'upstream', key: 'upstream:app-2', label: 'app-2' },
    ]);
  });
});

const host = (name: string, category: CauseHost['category'], resources: CauseHost['resources'] = []): CauseHost => ({ host: name, category, resources });
const db = (name: string) => pg(`postgres://app@${name}/orders`);

describe('shared causes of an incident', () => {
  it('says a cause once when hosts share it and the database behind it', () => {
    const c = incidentCauses([
      host('web-1', 'db_pool_exhaustion', db('db-1')), host('web-2', 'db_pool_exhaustion', db('db-1')), host('web-3', 'disk_full', db('db-1')),
      host('web-4', 'db_pool_exhaustion', db('db-1')), host('web-5', 'db_pool_exhaustion', db('db-1')),
    ]);
    expect(c.sharedCauses).toEqual([{ category: 'db_pool_exhaustion', resource: 'db-1/orders', resourceKind: 'postgres', resourceKey: 'postgres:db-1:5432/orders',
      hosts: ['web-1', 'web-2', 'web-4', 'web-5'] }]);
    expect(sharedCauseText(c.sharedCauses[0]!, 5)).toBe('db_pool_exhaustion on db-1/orders — 4 of 5 hosts');
    // disk_full is host-local: never "shared", even though web-3 uses db-1 too.
    expect(c.groups.map((g) => [g.category, g.hosts])).toEqual([['db_pool_exhaustion', ['web-1', 'web-2', 'web-4', 'web-5']], ['disk_full', ['web-3']]]);
  });

  it('does not call a cause shared when the resources differ, and splits groups by resource', () => {
    const c = incidentCauses([
      host('a', 'db_pool_exhaustion', db('db-1')), host('b', 'db_pool_exhaustion', db('db-2')), host('c', 'db_pool_exhaustion', db('db-1')),
      host('d', 'db_pool_exhaustion', db('db-2')), host('e', 'db_pool_exhaustion', db('db-1')), host('f', 'disk_full'), host('g', 'disk_full'), host('h', null),
    ]);
    expect(c.sharedCauses.map((s) => [s.resource, s.hosts])).toEqual([['db-1/orders', ['a', 'c', 'e']], ['db-2/orders', ['b', 'd']]]);
    expect(c.groups.find((g) => g.category === 'disk_full')).toEqual({ category: 'disk_full', hosts: ['f', 'g'], shared: [] });
    expect(incidentCauses([host('a', 'db_pool_exhaustion', db('db-1')), host('b', 'db_pool_exhaustion', db('db-2'))]).sharedCauses).toEqual([]);
  });

  it('finds a shared downstream, release or upstream host for the categories they explain', () => {
    const dep = (h: string, deps: string[]) => host(h, 'dependency_down', hostResources({ host: h, figures: { release: null, dependencies: deps } }));
    expect(incidentCauses([dep('w1', ['stock:8080']), dep('w2', ['cache:6379', 'stock:8080'])]).sharedCauses[0])
      .toMatchObject({ resource: 'stock:8080', hosts: ['w1', 'w2'], resourceKind: 'dependency' });
    const rel = (h: string) => host(h, 'bad_deploy', hostResources({ host: h, figures: { release: { current: '/srv/r/2026', previous: null }, dependencies: [] } }));
    expect(incidentCauses([rel('w1'), rel('w2')]).sharedCauses[0]).toMatchObject({ resource: 'release 2026', hosts: ['w1', 'w2'] });
    const up = (h: string) => host(h, 'upstream_app_error', hostResources({ host: h, upstreams: ['app-7'] }));
    expect(incidentCauses([up('w1'), up('w2'), up('w3')]).sharedCauses[0]).toMatchObject({ resource: 'app-7', resourceKind: 'upstream', hosts: ['w1', 'w2', 'w3'] });
  });

  it('puts the causes into the incident report and orders hosts by cause', () => {
    const v: IncidentView = {
      id: 1, source: 'slash', title: 't', status: 'firing', alerts: [], createdAt: '2026-11-21T01:00:00Z',
      hosts: [
        { host: 'web-3', state: 'done', reachable: true, rootCause: { category: 'disk_full', summary: 'full' }, resources: db('db-1') },
        { host: 'web-1', state: 'done', reachable: true, rootCause: { category: 'db_pool_exhaustion', summary: 'pool' }, resources: db('db-1') },
        { host: 'web-9', state: 'running', rootCause: null },
        { host: 'web-2', state: 'done', reachable: true, rootCause: { category: 'db_pool_exhaustion', summary: 'pool' }, resources: db('db-1') },
      ],
    };
    const r = buildIncidentReport(v);
    expect(r.causes.sharedCauses.map((s) => sharedCauseText(s, r.hosts.length))).toEqual(['db_pool_exhaustion on db-1/orders — 2 of 4 hosts']);
    expect(r.hosts.map((h) => h.host)).toEqual(['web-1', 'web-2', 'web-3', 'web-9']);
  });
});
