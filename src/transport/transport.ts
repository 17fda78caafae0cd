import type { LimitFunction } from 'p-limit';
import { shellQuote } from '../util/shell-quote.js';
import { CappedOutput } from './capped-output.js';

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

/** One raw channel: output is handed over as it arrives; nothing is wrapped or collected. */
export interface StreamOptions {
  /**
   * Client-side bound, counted from when the channel is opened (not when it was queued); a
   * function is asked at that moment, and 0 means "no time left: do not open it" (skipped).
   */
  timeoutMs: number | (() => number);
  /** Hard bound on stdout+stderr bytes: past it the channel is closed (stoppedEarly). */
  maxBytes: number;
  /** Returning false closes the channel (the caller has all it wants). */
  onStdout: (chunk: Buffer) => boolean | void;
  onStderr?: (chunk: Buffer) => void;
  /** Aborting closes the channel (reported as stoppedEarly). */
  signal?: AbortSignal;
}

export interface StreamResult {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** The client's backstop closed the channel. */
  timedOut: boolean;
  /** Closed by the caller (enough output, or the byte bound). */
  stoppedEarly: boolean;
  /** Never opened: no time was left when its turn came. */
  skipped?: boolean;
  error?: string;
}

/** Limits on open channels: per connection (shrinks to what the host allows) and fleet-wide. */
export interface ChannelLimits {
  perHost?: number;
  global?: LimitFunction;
}

/** A channel asked for ahead of need (see SshTransport.standby). */
export interface StandbyStream {
  /** Runs `script` on the waiting channel, or on a fresh one if it could not be kept. Once. */
  stream(script: string, opts: StreamOptions): Promise<StreamResult>;
  /** Not needed after all: the waiting shell gets end-of-input and exits; the slots are freed. */
  cancel(): void;
}

/** One connection to one host; owns its channels and their limits. */
export interface Transport {
  exec(script: string, opts: ExecOptions): Promise<ExecResult>;
  stream(script: string, opts: StreamOptions): Promise<StreamResult>;
  /** Where opening a channel costs a round trip, one opened now for a script sent later. */
  standby?(): StandbyStream;
  close(): void;
}

/** The stream's time bound, asked when the channel opens. */
export function timeoutNow(t: StreamOptions['timeoutMs']): number {
  return typeof t === 'function' ? t() : t;
}

/** Slack on top of a tail-mode cap before the channel is closed anyway (bounds memory on a runaway writer). */
const TAIL_HARD_BOUND = (maxBytes: number) => 4 * maxBytes + 4 * 1024 * 1024;

/** One command, bounded on the host (`timeout`) and on the client (cap, backstop a second later). */
export async function execCapped(t: Transport, script: string, opts: ExecOptions): Promise<ExecResult> {
  const out = new CappedOutput(opts.maxBytes, opts.keep);
  const err = new CappedOutput(64 * 1024, 'tail');
  const r = await t.stream(wrapForHost(script, opts.timeoutMs), {
    timeoutMs: opts.timeoutMs + 1500,
    maxBytes: opts.keep === 'head' ? opts.maxBytes + 64 * 1024 + 1 : TAIL_HARD_BOUND(opts.maxBytes),
    onStdout: (c) => out.push(c),
    onStderr: (c) => { err.push(c); },
  });
  if (r.stoppedEarly && opts.keep === 'tail') out.truncated = true;
  return {
    exitCode: r.exitCode, signal: r.signal, stdout: out.text(), stderr: err.text(), durationMs: r.durationMs,
    truncated: out.truncated,
    timedOut: r.timedOut || (!r.stoppedEarly && r.exitCode !== null && TIMEOUT_EXIT_CODES.has(r.exitCode)),
    ...(r.error ? { error: r.timedOut ? `no answer within ${opts.timeoutMs} ms; channel closed` : r.error } : {}),
  };
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
