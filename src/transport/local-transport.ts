import { spawn } from 'node:child_process';
import { CappedOutput } from './capped-output.js';
import { HOST_SBIN_PATH, TIMEOUT_EXIT_CODES, type ExecOptions, type ExecResult, type StreamOptions, type StreamResult, type Transport, timeoutNow } from './transport.js';

/** Runs triage commands on this machine with the same contract as the SSH transport. */
export class LocalTransport implements Transport {
  exec(script: string, opts: ExecOptions): Promise<ExecResult> {
    const started = performance.now();
    return new Promise((resolvePromise) => {
      // timeout(1) puts itself in its own process group, so it is spawned directly (no outer
      // shell): then its group is the one a cap or the backstop kills.
      const seconds = String(Math.max(1, Math.ceil(opts.timeoutMs / 1000)));
      const child = spawn('timeout', ['-k', '1', seconds, '/bin/sh', '-c', script], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        env: { ...process.env, LC_ALL: 'C', PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:${HOST_SBIN_PATH}` },
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

  /** A raw script in its own process group, so stopping it stops everything it started. */
  stream(script: string, opts: StreamOptions): Promise<StreamResult> {
    const started = performance.now();
    const timeoutMs = timeoutNow(opts.timeoutMs);
    if (timeoutMs <= 0) return Promise.resolve({ exitCode: null, signal: null, durationMs: 0, timedOut: false, stoppedEarly: false, skipped: true, error: 'skipped: no time left' });
    return new Promise((resolvePromise) => {
      const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let timedOut = false;
      let stoppedEarly = false;
      let bytes = 0;
      const killGroup = () => {
        try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      };
      // A section's `timeout` runs in a process group of its own and keeps the pipes open until
      // its own limit: the backstop does not wait for it (as a closed SSH channel does not).
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
        child.stdout.destroy();
        child.stderr.destroy();
        finish(null, null);
      }, timeoutMs);
      const stopEarly = () => { if (!stoppedEarly) { stoppedEarly = true; killGroup(); } };
      opts.signal?.addEventListener('abort', () => {
        stopEarly();
        child.stdout.destroy();
        child.stderr.destroy();
        finish(null, null);
      }, { once: true });
      child.stdout.on('data', (c: Buffer) => {
        bytes += c.length;
        if (stoppedEarly) return;
        if (opts.onStdout(c) === false || bytes > opts.maxBytes) stopEarly();
      });
      child.stderr.on('data', (c: Buffer) => {
        bytes += c.length;
        if (!stoppedEarly) opts.onStderr?.(c);
        if (bytes > opts.maxBytes) stopEarly();
      });
      let settled = false;
      const finish = (exitCode: number | null, signal: string | null, error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolvePromise({ exitCode, signal, durationMs: Math.round(performance.now() - started), timedOut, stoppedEarly, ...(error ? { error } : {}) });
      };
      child.on('error', (e) => finish(null, null, e.message));
      child.on('close', (code, signal) => finish(code, signal));
    });
  }

  close(): void { /* nothing held open */ }
}
