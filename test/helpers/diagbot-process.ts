import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../../dist/diagbot.mjs');

export interface DiagbotProcess {
  role: string;
  pid: number;
  /** http://127.0.0.1:PORT for web roles, once listening. */
  url: string;
  logs: Record<string, unknown>[];
  stderr: string;
  /** Sends the signal and waits for the exit; SIGKILLs the group after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/**
 * Runs the built CLI (`diagbot web|worker|start`) as a real process in its own process group,
 * as operators would. Resolves when web is listening or the worker is running.
 */
export function startDiagbotProcess(role: 'web' | 'worker' | 'start', env: Record<string, string>, timeoutMs = 20_000, nodeArgs: string[] = []): Promise<DiagbotProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, BIN, role], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => { exited = code; resolve(code); }));
  const handle: DiagbotProcess = {
    role, pid: child.pid!, url: '', logs, get stderr() { return stderr; },
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (exited !== undefined) return exited;
      try { process.kill(-child.pid!, signal); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void handle.stop('SIGKILL');
      reject(new Error(`diagbot ${role} did not start within ${timeoutMs} ms\nstderr: ${stderr}\nlogs: ${JSON.stringify(logs.slice(-5))}`));
    }, timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        let entry: Record<string, unknown>;
        try { entry = JSON.parse(line); } catch { continue; }
        logs.push(entry);
        if (entry.msg === 'web listening') handle.url = `http://127.0.0.1:${String(entry.port)}`;
        const ready = role === 'worker' ? entry.msg === 'worker running'
          : role === 'web' ? entry.msg === 'web listening' : entry.msg === 'worker running' && handle.url;
        if (ready) { clearTimeout(timer); resolve(handle); }
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`diagbot ${role} exited with ${code} before it was ready\nstderr: ${stderr}`));
    });
  });
}
