import { readFileSync } from 'node:fs';

// CPU time the whole machine spent while something ran, from /proc/stat (user + nice + system +
// irq + softirq, in USER_HZ ticks of 10 ms): on the lab every host's sshd and commands run on the
// same cores as diagbot, so this is what (c) costs the hardware, and `ms / cores` is the shortest
// wall time any scheduler could reach for it.

function busyTicks(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return f[0]! + f[1]! + f[2]! + f[5]! + f[6]!;
}

export async function machineCpuMs(fn: () => Promise<unknown>): Promise<number> {
  const before = busyTicks();
  await fn();
  return (busyTicks() - before) * 10;
}
