import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The package bin: the bundled CLI (scripts/bundle.ts), as `npm install -g` or the image runs it. */
export const CLI = resolve(import.meta.dirname, '../../dist/diagbot.mjs');

export interface CliRun { code: number | null; stdout: string; stderr: string; ms: number }

/** Runs the built `diagbot` binary the way a user would, with a hard deadline. */
export function runCli(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...opts.env }, cwd: opts.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c; });
    child.stderr.on('data', (c: Buffer) => { stderr += c; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`diagbot ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 60_000} ms`)); }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => { clearTimeout(timer); resolvePromise({ code, stdout, stderr, ms: Date.now() - started }); });
  });
}
