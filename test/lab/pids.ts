import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A process group the lab started; marker must appear in its /proc cmdline for us to touch it. */
export interface LabProcess {
  name: string;
  pid: number;
  marker: string;
}

const file = (dir: string) => join(dir, 'pids.json');

export async function savePids(dir: string, procs: LabProcess[]): Promise<void> {
  await writeFile(file(dir), `${JSON.stringify(procs, null, 2)}\n`);
}

export async function loadPids(dir: string): Promise<LabProcess[]> {
  try {
    return JSON.parse(await readFile(file(dir), 'utf8')) as LabProcess[];
  } catch {
    return [];
  }
}

/** True only if pid is alive and still the process we started (pids get reused). */
export function isOurs(p: LabProcess): boolean {
  try {
    return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').join(' ').includes(p.marker);
  } catch {
    return false;
  }
}

/** SIGKILLs the whole process group of each verified lab process; returns the names killed. */
export function killGroups(procs: LabProcess[]): string[] {
  const killed: string[] = [];
  for (const p of procs) {
    if (!isOurs(p)) continue;
    try {
      process.kill(-p.pid, 'SIGKILL');
      killed.push(p.name);
    } catch {
      // already gone between the check and the kill
    }
  }
  return killed;
}

async function waitGone(procs: LabProcess[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (procs.some(isOurs) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Tears down what a (possibly crashed) earlier run left behind, as recorded in pids.json. */
export async function killRecorded(dir: string): Promise<string[]> {
  const procs = await loadPids(dir);
  const killed = killGroups(procs);
  await waitGone(procs);
  await rm(file(dir), { force: true });
  return killed;
}
