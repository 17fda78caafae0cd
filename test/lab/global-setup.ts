import type { TestProject } from 'vitest/node';
import { startLab } from './lab.js';
import { borrowLab, LabInUseError, returnLease } from './lab-owner.js';
import { SCENARIOS } from './scenarios.js';
import type { LabInfo } from './lab-types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabInfo;
  }
}

/**
 * Starts the whole lab once per test run, or borrows the one another run (or `cli up`)
 * already has up. A lab that cannot start (no sshd, no nginx, no namespaces) throws here and
 * fails the run: tests that need it must not silently skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const { stop, ...info } = await startLab();
    project.provide('lab', info);
    return stop;
  } catch (err) {
    if (!(err instanceof LabInUseError)) throw err;
    const { ownerPid, ...info } = await borrowLab(err.ownerDir, err.ownerPid);
    const missing = SCENARIOS.map((s) => s.name).filter((n) => !info.hosts[n]);
    if (missing.length) {
      await returnLease(err.ownerDir);
      throw new Error(`lab: the running lab (pid ${ownerPid}) lacks scenarios ${missing.join(', ')}; stop it with \`node --import tsx test/lab/cli.ts down\``);
    }
    console.log(`lab: borrowing the lab of pid ${ownerPid}`);
    project.provide('lab', info);
    return () => returnLease(err.ownerDir);
  }
}
