import { describe, expect, it } from 'vitest';
import { parseDisk } from '../../../src/core/parsers/disk.js';
import { parseFdUsage } from '../../../src/core/parsers/fd-usage.js';
import { parseHostInfo } from '../../../src/core/parsers/host-info.js';
import { parseKernelLog } from '../../../src/core/parsers/kernel-log.js';
import { parseMemory } from '../../../src/core/parsers/memory.js';
import { parseProcesses } from '../../../src/core/parsers/processes.js';
import { fixture } from './raw.js';

describe('host facts from real command output', () => {
  it('host_info', () => {
    expect(parseHostInfo(fixture('host/host_info.txt'))).toEqual({ nowMs: 1795222462000, uptimeS: 263.75, nproc: 2, hostname: 'vm' });
    expect(parseHostInfo('garbage')).toEqual({ nowMs: null, uptimeS: null, nproc: null, hostname: null });
  });

  it('ps: nginx master with its workers', () => {
    const p = parseProcesses(fixture('host/processes-with-nginx.txt'));
    expect(p.nginxMasters.map((m) => m.pid)).toEqual([7345]);
    expect(p.nginxWorkers.map((w) => w.ppid)).toEqual([7345, 7345]);
    expect(p.total).toBeGreaterThan(50);
    expect(parseProcesses(fixture('host/processes.txt')).nginxMasters).toEqual([]);
  });

  it('ps: recognises application processes, not kernel threads', () => {
    const p = parseProcesses(' 10  1 app 51200 /usr/bin/node /srv/app/current/server.cjs\n 11 1 app 2000 [kworker/0:1-node]\n 12 1 app 9000 /srv/venv/bin/python3 server.py\n');
    expect(p.appProcesses.map((a) => a.pid)).toEqual([10, 12]);
  });

  it('fd_usage: per-process count against the soft limit', () => {
    const ev = parseFdUsage(fixture('host/fd_usage-with-nginx.txt'));
    expect(ev.processes.find((p) => p.comm === 'nginx')).toMatchObject({ count: 16 });
    expect(ev.nearLimit).toEqual([]);
    expect(ev.system?.max).toBeGreaterThan(1000);
    const full = parseFdUsage('fd 311 60 node\nfd 312 3 sh\nlimit 311 64 64\nlimit 312 4 4\nlimit 1 unlimited unlimited\n');
    expect(full.nearLimit.map((p) => [p.pid, p.count, p.softLimit])).toEqual([[311, 60, 64]]);
  });

  it('df: ignores system pseudo filesystems but not a small tmpfs under an app path', () => {
    const real = parseDisk(fixture('host/disk.txt'));
    expect(real.full).toEqual([]);
    const text = `${fixture('host/disk.txt')}tmpfs                         512      512         0     100% /srv/app/shared/uploads\n` +
      'tmpfs                        1024     1024         0     100% /run/user/0\n/dev/loop3                  65536    65536         0     100% /snap/core/123\n';
    const ev = parseDisk(text);
    expect(ev.full.map((m) => m.mountedOn)).toEqual(['/srv/app/shared/uploads']);
  });

  it('meminfo', () => {
    const m = parseMemory(fixture('host/memory.txt'))!;
    expect(m.totalKb).toBe(24731708);
    expect(m.availablePct).toBeGreaterThan(50);
    expect(m.lines[0]).toMatch(/^MemTotal:/);
    expect(parseMemory('nothing')).toBeNull();
  });

  it('kernel log: no OOM on a normal boot log; dmesg stamps become wall time', () => {
    const clock = { nowMs: 1795222462000, uptimeS: 263.75, tzOffsetMinutes: 0 };
    const normal = parseKernelLog(fixture('host/kernel_log.txt'), clock);
    expect(normal.source).toBe('dmesg');
    expect(normal.oomKills).toEqual([]);
    const oom = parseKernelLog(`source dmesg
[  200.000000] node invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0
[  200.100000] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=node,pid=1234,uid=1000
[  200.100001] Out of memory: Killed process 1234 (node) total-vm:1048576kB, anon-rss:900000kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2000kB oom_score_adj:0
`, clock);
    expect(oom.oomKills).toHaveLength(1);
    expect(oom.oomKills[0]).toMatchObject({ pid: 1234, comm: 'node', timeMs: 1795222462000 - 263750 + 200100 });
    expect(oom.oomInvocations).toHaveLength(1);
  });

  it('kernel log: journalctl short-iso stamps', () => {
    const ev = parseKernelLog('source journalctl\n2026-11-21T01:00:00+0100 web-1 kernel: Memory cgroup out of memory: Killed process 88 (java) total-vm:1kB\n', { nowMs: null, uptimeS: null, tzOffsetMinutes: 0 });
    expect(ev.oomKills[0]).toMatchObject({ pid: 88, comm: 'java', timeMs: Date.parse('2026-11-21T00:00:00Z') });
  });
});
