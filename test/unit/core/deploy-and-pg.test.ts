import { describe, expect, it } from 'vitest';
import { parsePgActivity } from '../../../src/core/parsers/pg-activity.js';
import { parseReleases } from '../../../src/core/parsers/releases.js';

describe('releases', () => {
  it('finds the current release, the deploy time and the previous release', () => {
    const r = parseReleases(`current /srv/app/releases/20261121005000
link_mtime 1795222200
release 1795200600 /srv/app/releases/20261120185000
release 1795222200 /srv/app/releases/20261121005000
release 1794000000 /srv/app/releases/20261106000000
`);
    expect(r.current).toBe('/srv/app/releases/20261121005000');
    expect(r.linkMtimeMs).toBe(1795222200000);
    expect(r.previous?.path).toBe('/srv/app/releases/20261120185000');
    expect(r.releases).toHaveLength(3);
  });

  it('has no previous release on a first install, and tolerates an empty link', () => {
    const r = parseReleases('current \nlink_mtime \nrelease 1795222200 /srv/app/releases/a\n');
    expect(r.current).toBeNull();
    expect(r.linkMtimeMs).toBeNull();
    expect(parseReleases('current /srv/app/releases/a\nrelease 1 /srv/app/releases/a\n').previous).toBeNull();
  });
});

describe('pg_activity', () => {
  it('sums connections by state against usable slots', () => {
    const pg = parsePgActivity('{"max_connections":20,"reserved":3,"rows":[{"state":"idle in transaction","datname":"app","usename":"app","application_name":"","count":9,"max_state_seconds":40},{"state":"idle","datname":"app","usename":"app","application_name":"","count":6,"max_state_seconds":120},{"state":"active","datname":"app","usename":"app","application_name":"","count":2,"max_state_seconds":1}]}')!;
    expect(pg).toMatchObject({ maxConnections: 20, reserved: 3, usable: 17, total: 17, idleInTransaction: 9, oldestIdleInTransactionS: 40 });
    expect(pg.byState).toEqual({ 'idle in transaction': 9, idle: 6, active: 2 });
  });

  it('returns null for anything that is not the document', () => {
    expect(parsePgActivity('')).toBeNull();
    expect(parsePgActivity('psql: error: connection refused')).toBeNull();
    expect(parsePgActivity('{"rows":[]}')).toBeNull();
    expect(parsePgActivity('{"max_connections":100,"reserved":3,"rows":[]}')).toMatchObject({ total: 0, usable: 97 });
  });
});
