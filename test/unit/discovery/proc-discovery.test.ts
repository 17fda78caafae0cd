import { describe, expect, it } from 'vitest';
import { containerOf, decodeSocketAddress, parseProcDiscovery, unitOf } from '../../../src/core/parsers/proc-discovery.js';
import { captured } from './captured.js';

describe('app_discovery output', () => {
  it('decodes /proc/net/tcp and tcp6 addresses (little-endian words, big-endian port)', () => {
    expect(decodeSocketAddress('tcp', '0100007F:1F90')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(decodeSocketAddress('tcp', '00000000:0016')).toEqual({ address: '0.0.0.0', port: 22 });
    expect(decodeSocketAddress('tcp6', '00000000000000000000000001000000:2328')).toEqual({ address: '::1', port: 9000 });
    expect(decodeSocketAddress('tcp6', '00000000000000000000000000000000:0050')).toEqual({ address: '::', port: 80 });
    // ::ffff:10.0.3.11 — an IPv4 client of a dual-stack socket
    expect(decodeSocketAddress('tcp6', '0000000000000000FFFF00000B03000A:1F90')).toEqual({ address: '10.0.3.11', port: 8080 });
    expect(decodeSocketAddress('tcp', 'zz:1')).toBeNull();
  });

  it('reads the gunicorn host as captured: its listener, the holders, the logs it writes', () => {
    const d = parseProcDiscovery(captured('py-pool').commands.find((c) => c.id === 'app_discovery')!.stdout);
    expect(d.uid).toBe(0);
    const l = d.listeners.find((x) => x.address === '127.0.10.31' && x.port === 9000)!;
    expect(l).toBeDefined();
    expect(d.socketHolders.get(l.inode)!.length).toBeGreaterThanOrEqual(2); // master and worker
    expect(d.writes.map((w) => w.path)).toEqual(expect.arrayContaining(['/var/log/orders/gunicorn-error.log', '/var/log/orders/gunicorn-access.log']));
    expect([...d.cwd.values()]).toContain('/srv/app/releases/' + /releases\/(\d{14})/.exec(JSON.stringify(captured('py-pool')))![1]);
  });

  it('sees pipes between an app and its log service (runit: app stdout -> svlogd)', () => {
    const d = parseProcDiscovery(captured('oom').commands.find((c) => c.id === 'app_discovery')!.stdout);
    const [, holders] = [...d.pipes].find(([, h]) => h.some((x) => x.fd === 1) && h.some((x) => x.fd === 0))!;
    expect(new Set(holders.map((h) => h.pid)).size).toBeGreaterThanOrEqual(2);
    expect(d.writes.some((w) => w.path === '/var/log/recommender/current')).toBe(true);
  });

  it('marks a non-root run: few descriptors visible', () => {
    const d = parseProcDiscovery(captured('least-priv').commands.find((c) => c.id === 'app_discovery')!.stdout);
    expect(d.uid).toBe(1500);
    expect(d.socketHolders.size).toBe(0);
  });

  it('keeps a deleted (rotated-away) file as deleted', () => {
    const d = parseProcDiscovery('W 42 5 /var/log/app/app.log (deleted)\nO 42 1 /srv/x/out.log\nG 42 0::/system.slice/orders.service\n');
    expect(d.writes).toEqual([{ pid: 42, fd: 5, path: '/var/log/app/app.log', deleted: true }]);
    expect(d.stdio.get(42)).toEqual({ 1: '/srv/x/out.log' });
    expect(unitOf(d.cgroup.get(42))).toBe('orders.service');
    expect(unitOf('0::/user.slice/user-1000.slice/session-3.scope')).toBeNull();
    expect(containerOf('0::/system.slice/docker-' + 'a'.repeat(64) + '.scope')).toBe('a'.repeat(64));
  });
});
