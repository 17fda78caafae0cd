import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabInfo } from './lab-types.js';
import { LAB_BLOCK } from './scenarios.js';

/**
 * The lab's addresses are fixed (per DIAGBOT_LAB_BLOCK), so there is one lab per block whatever its dir: the process
 * that starts it owns it (a machine-wide owner file naming pid and dir); other test runs may
 * borrow a running lab with a lease, and the owner waits for their leases before tearing it
 * down. A dead owner's claim is void.
 */
export class LabInUseError extends Error {
  constructor(readonly ownerPid: number, readonly ownerDir: string) {
    super(`lab: a lab (dir ${ownerDir}) is running, owned by pid ${ownerPid}; borrow it (global-setup does) or stop it with \`node --import tsx test/lab/cli.ts down --dir ${ownerDir}\``);
  }
}

const OWNER_FILE = join(tmpdir(), LAB_BLOCK === 10 ? 'diagbot-lab-owner.json' : `diagbot-lab-owner-${LAB_BLOCK}.json`);
const leaseDir = (dir: string) => join(dir, 'leases');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Alive and still a node process (pids get reused). */
export function nodeAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return false;
  }
}

export async function readOwner(): Promise<{ pid: number; dir: string } | null> {
  try {
    return JSON.parse(await readFile(OWNER_FILE, 'utf8')) as { pid: number; dir: string };
  } catch {
    return null;
  }
}

export async function claimLab(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(OWNER_FILE, JSON.stringify({ pid: process.pid, dir, startedAt: new Date().toISOString() }), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = await readOwner();
      if (owner && owner.pid !== process.pid && nodeAlive(owner.pid)) throw new LabInUseError(owner.pid, owner.dir);
      await rm(OWNER_FILE, { force: true });
    }
  }
  throw new Error(`lab: could not claim the machine's lab slot (${OWNER_FILE})`);
}

/** Drops the claim if it is ours, or (for `down`) if it names this dir. */
export async function releaseLab(dir: string, opts: { anyOwner?: boolean } = {}): Promise<void> {
  const owner = await readOwner();
  if (owner && (owner.pid === process.pid || (opts.anyOwner && owner.dir === dir))) await rm(OWNER_FILE, { force: true });
}

/** Waits for the owner's lab to be ready, then holds a lease on it until returnLease(). */
export async function borrowLab(dir: string, ownerPid: number, timeoutMs = 120_000): Promise<LabInfo & { ownerPid: number }> {
  await mkdir(leaseDir(dir), { recursive: true });
  await writeFile(join(leaseDir(dir), String(process.pid)), '');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && nodeAlive(ownerPid)) {
    const info = JSON.parse(await readFile(join(dir, 'lab.json'), 'utf8').catch(() => '{}')) as LabInfo & { ownerPid?: number };
    if (info.ownerPid === ownerPid) return info as LabInfo & { ownerPid: number };
    await sleep(200);
  }
  await returnLease(dir);
  throw new Error(`lab: the lab owned by pid ${ownerPid} did not become ready`);
}

export async function returnLease(dir: string): Promise<void> {
  await rm(join(leaseDir(dir), String(process.pid)), { force: true });
}

/** Owner side: wait (bounded) until no live borrower holds a lease. */
export async function waitForBorrowers(dir: string, timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = (await readdir(leaseDir(dir)).catch(() => [] as string[])).map(Number).filter((p) => p !== process.pid);
    const live = pids.filter(nodeAlive);
    for (const p of pids.filter((x) => !live.includes(x))) await rm(join(leaseDir(dir), String(p)), { force: true });
    if (!live.length || Date.now() > deadline) return;
    await sleep(500);
  }
}
