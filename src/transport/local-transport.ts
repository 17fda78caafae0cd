import { spawn } from 'node:child_process';
import { CappedOutput } from './capped-output.js';
import { TIMEOUT_EXIT_CODES, wrapForHost, type ExecOptions, type ExecResult, type Transport } from './transport.js';

/** Runs triage commands on this machine with the same contract as the SSH transport. */
export class LocalTransport implements Transport {
  exec(script: string, opts: ExecOptions): Promise<ExecResult> {
    const started = performance.now();
    return new Promise((resolvePromise) => {
      const child = spawn('/bin/sh', ['-c', wrapForHost(script, opts.timeoutMs)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const out = new CappedOutput(opts.maxBytes, opts.keep);
      const err = new CappedOutput(64 * 1024, 'tail');
      let timedOut = false;
      let stoppedEarly = false;
      const killGroup = () => {
        try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      };
      const timer = setTimeout(() => { timedOut = true; killGroup(); }, opts.timeoutMs + 1000);
      child.stdout.on('data', (c: Buffer) => {
        if (!out.push(c) && !stoppedEarly) { stoppedEarly = true; killGroup(); }
      });
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const finish = (exitCode: number | null, signal: string | null, error?: string) => {
        clearTimeout(timer);
        resolvePromise({
          exitCode: stoppedEarly ? exitCode ?? null : exitCode,
          signal,
          stdout: out.text(),
          stderr: err.text(),
          durationMs: Math.round(performance.now() - started),
          truncated: out.truncated,
          timedOut: timedOut || (exitCode !== null && TIMEOUT_EXIT_CODES.has(exitCode) && !stoppedEarly),
          ...(error ? { error } : {}),
        });
      };
      child.on('error', (e) => finish(null, null, e.message));
      child.on('close', (code, signal) => finish(code, signal));
    });
  }

  close(): void { /* nothing held open */ }
}
