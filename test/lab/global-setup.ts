import type { TestProject } from 'vitest/node';
import { startLab } from './lab.js';
import type { LabInfo } from './lab-types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabInfo;
  }
}

/**
 * Starts the whole lab once per test run. A lab that cannot start (no sshd, no nginx, no
 * namespaces) throws here and fails the run: tests that need it must not silently skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const lab = await startLab();
  const { stop, ...info } = lab;
  project.provide('lab', info);
  return stop;
}
