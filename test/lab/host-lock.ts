import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeAlive } from './lab-owner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const holderOf = async (file: string) => Number(await readFile(file, 'utf8').catch(() => '0')) || 0;

/**
 * Exclusive hold on one mutable lab host, across processes: test files of this run and of any
 * run borrowing the same lab, which would otherwise roll back or kill under each other. Waits
 * while a live process holds it; a dead holder's hold is void. Resolves with the release.
 */
export async function holdHost(labDir: string, name: string, timeoutMs = 10 * 60_000): Promise<() => Promise<void>> {
  const dir = join(labDir, 'host-locks');
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await holderOf(file);
    if (holder === process.pid) throw new Error(`lab: this process already holds ${name}; release it first`);
    // Read again right before removing: a new holder may have replaced a dead one meanwhile.
    if (!nodeAlive(holder) && (await holderOf(file)) === holder) await rm(file, { force: true });
    else if (Date.now() > deadline) throw new Error(`lab: ${name} is still held by pid ${holder} after ${timeoutMs} ms`);
    else await sleep(200);
  }
  return async () => {
    if ((await holderOf(file)) === process.pid) await rm(file, { force: true });
  };
}
