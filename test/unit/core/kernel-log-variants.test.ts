import { describe, expect, it } from 'vitest';
import { parseKernelLog } from '../../../src/core/parsers/kernel-log.js';
import { fixture } from './raw.js';

const clock = { nowMs: Date.parse('2026-11-21T01:00:00Z'), uptimeS: 86_400, tzOffsetMinutes: 0 };

describe('kernel log: OOM kills in every kernel generation’s wording', () => {
  it('counts one kill reported as summary, kill line, legacy second line and reaper once', () => {
    const ev = parseKernelLog(`source dmesg
[86000.000000] java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0
[86000.100000] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=java,pid=4242,uid=1001
[86000.100001] Out of memory: Killed process 4242 (java) total-vm:8123456kB, anon-rss:3456789kB, file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:7890kB oom_score_adj:0
[86000.200000] oom_reaper: reaped process 4242 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
`, clock);
    expect(ev.oomKills).toEqual([expect.objectContaining({ pid: 4242, comm: 'java', timeMs: clock.nowMs - 86_400_000 + 86_000_100 })]);
    expect(ev.oomInvocations).toEqual([expect.objectContaining({ comm: 'java' })]);
  });

  it.each([
    ['pre-4.19 "Kill process … or sacrifice child"', 'Out of memory: Kill process 77 (ruby) score 900 or sacrifice child', 77, 'ruby'],
    ['pre-4.19 second line alone', 'Killed process 78 (python3) total-vm:2123456kB, anon-rss:1456789kB, file-rss:0kB, shmem-rss:0kB', 78, 'python3'],
    ['oom_kill_allocating_task', 'Out of memory (oom_kill_allocating_task): Killed process 79 (node) total-vm:1kB, anon-rss:1kB', 79, 'node'],
    ['padded pid in the summary', 'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,task=gunicorn,pid= 80,uid=   33', 80, 'gunicorn'],
    ['the reaper alone', 'oom_reaper: reaped process 81 (php-fpm8.2), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB', 81, 'php-fpm8.2'],
  ])('%s', (_, line, pid, comm) => {
    expect(parseKernelLog(`source dmesg\n[86000.0] ${line}\n`, clock).oomKills).toEqual([expect.objectContaining({ pid, comm })]);
  });

  it('does not take a process list line for a kill', () => {
    const ev = parseKernelLog('source dmesg\n[86000.0] [   4242]  1001  4242  2030864   864197  7180288        0             0 java\n[86000.1] Killed process is a phrase in a message\n', clock);
    expect(ev.oomKills).toEqual([]);
  });
});

describe('kernel log: processes killed for a fault', () => {
  it('reads segfaults and traps in journalctl, kern.log and dmesg shapes, thread names included', () => {
    const ev = parseKernelLog(`source kern.log
Nov 21 00:58:01 web-1 kernel: [86281.000000] php-fpm8.2[2345]: segfault at 7ffd1e2f3ff8 ip 00007f3a2b1c4d5e sp 00007ffd1e2f4000 error 6 in libphp.so[7f3a2b000000+400000]
Nov 21 00:58:02 web-1 kernel: traps: puma srv tp 001[3456] trap invalid opcode ip:55d1c2b3a4f5 sp:7ffe4d5c6b70 error:0 in ruby[55d1c2a00000+200000]
Nov 21 00:58:03 web-1 kernel: [86283.000000] traps: php-fpm[2346] general protection fault ip:7f3a2b1c4d5e sp:7ffd1e2f3a40 error:0 in libc.so.6[7f3a2b100000+195000]
Nov 21 00:58:03 web-1 kernel: [86283.000001] php-fpm[2346]: segfault at 0 ip 00007f3a2b1c4d5e sp 00007ffd1e2f3a40 error 4 in libc.so.6[7f3a2b100000+195000]
`, clock);
    expect(ev.crashes.map((c) => [c.comm, c.pid, c.fault, c.object])).toEqual([
      ['php-fpm8.2', 2345, 'segfault', 'libphp.so'],
      ['puma srv tp 001', 3456, 'invalid opcode', 'ruby'],
      ['php-fpm', 2346, 'general protection fault', 'libc.so.6'],
    ]);
    expect(ev.crashes[0]!.timeMs).toBe(Date.parse('2026-11-21T00:58:01Z'));
  });

  it('finds none on a normal boot log', () => {
    const ev = parseKernelLog(fixture('host/kernel_log.txt'), clock);
    expect(ev.crashes).toEqual([]);
    expect(ev.oomKills).toEqual([]);
  });
});
