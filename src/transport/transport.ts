import { shellQuote } from '../util/shell-quote.js';

/** How one command is bounded: on the host (`timeout`) and on the client (channel closed). */
export interface ExecOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Which end of oversized output to keep: logs want their newest lines. */
  keep: 'head' | 'tail';
}

/** A command's outcome. A non-zero exit code is data, never an exception. */
export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  truncated: boolean;
  timedOut: boolean;
  /** Set when the command could not be run or finished abnormally (channel error…). */
  error?: string;
}

/** One connection to one host; owns its channels and their limits. */
export interface Transport {
  exec(script: string, opts: ExecOptions): Promise<ExecResult>;
  close(): void;
}

/** Exit status `timeout(1)` uses when it had to stop the command. */
export const TIMEOUT_EXIT_CODES = new Set([124, 137]);

/**
 * Wraps a script so the host itself enforces the deadline (the client closes the channel
 * too, a second later), with a predictable locale and the sbin dirs where nginx lives.
 */
/** Where nginx and friends live on hosts whose login PATH lacks the sbin dirs. */
export const HOST_SBIN_PATH = '/usr/local/sbin:/usr/sbin:/sbin';

export function wrapForHost(script: string, timeoutMs: number): string {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return `LC_ALL=C PATH="$PATH:${HOST_SBIN_PATH}" timeout -k 1 ${seconds} sh -c ${shellQuote(script)}`;
}
