import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * A daemon this test started and may kill: only by the pid recorded when it was spawned, never by
 * name. A backstop kills it if the test process exits without stopping it.
 */
export interface OwnedProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  alive(): boolean;
  /** Sends `signal` to the recorded pid and waits for the exit (SIGKILL after `graceMs`). */
  kill(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export function spawnOwned(cmd: string, args: string[], opts: SpawnOptions, backstop: NodeJS.Signals = 'SIGKILL'): OwnedProcess {
  const child = spawn(cmd, args, { ...opts, detached: true });
  if (child.pid === undefined) throw new Error(`could not spawn ${cmd}`);
  const pid = child.pid;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  child.once('error', () => undefined);
  const onExit = () => { if (!exited) { try { process.kill(pid, backstop); } catch { /* gone */ } } };
  process.once('exit', onExit);
  void exit.then(() => process.removeListener('exit', onExit));
  return {
    pid, child,
    alive: () => !exited,
    async kill(signal = 'SIGTERM', graceMs = 10_000) {
      if (exited) return;
      try { process.kill(pid, signal); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

export { freePort } from '../../helpers/free-port.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true; throws with `what` after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { if (await probe()) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
