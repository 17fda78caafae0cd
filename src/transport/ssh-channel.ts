import { PassThrough } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { timeoutNow, type StandbyStream, type StreamOptions, type StreamResult } from './transport.js';

// One SSH channel's life on the client: its time and byte bounds (superviseChannel), and a
// channel opened before its script is known (StandbyChannel).

export const CHANNEL_REFUSED = 'could not open channel';
export const SKIPPED: StreamResult = { exitCode: null, signal: null, durationMs: 0, timedOut: false, stoppedEarly: false, skipped: true, error: 'skipped: no time left' };
/**
 * An open standby still without its script after this long is closed if a batch is waiting for a
 * slot (what it waits for may be that batch); with no one waiting it stays, rather than make a
 * slow host start its shell again.
 */
export const STANDBY_IDLE_MS = 2000;

export interface ChannelHandlers {
  onChannel: (c: ClientChannel) => void;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}
type Exit = { code: number | null; signal: string | null };

/**
 * Runs one channel to its end within `timeoutMs` (counted from now) and `opts.maxBytes`, handing
 * output over as it arrives. `start` opens (or starts) the channel with the handlers given.
 */
export function superviseChannel(opts: StreamOptions, timeoutMs: number, start: (h: ChannelHandlers) => Promise<Exit>, onClosed: () => void): Promise<StreamResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let channel: ClientChannel | null = null;
    let timedOut = false;
    let stoppedEarly = false;
    let settled = false;
    let bytes = 0;
    const finish = (r: Omit<StreamResult, 'durationMs' | 'timedOut' | 'stoppedEarly'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (channel) onClosed();
      resolve({ ...r, durationMs: Math.round(performance.now() - started), timedOut, stoppedEarly });
    };
    const stop = (why: 'timeout' | 'cap') => {
      if (why === 'timeout') timedOut = true; else stoppedEarly = true;
      channel?.close();
      if (why === 'timeout') finish({ exitCode: null, signal: null, error: `no answer within ${timeoutMs} ms; channel closed` });
    };
    // Backstop for a host that ignores its own `timeout`; counted from when the channel is asked for.
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    // The caller gave up on this channel (a section stuck past its limit): do not wait for it.
    opts.signal?.addEventListener('abort', () => { stop('cap'); finish({ exitCode: null, signal: null }); }, { once: true });
    // node-ssh's own buffering is not used: output goes to the caller's bounded sinks as it
    // arrives, and the channel is closed once more than maxBytes came (so its copy is bounded too).
    start({
      onChannel: (c) => { channel = c; },
      onStdout: (chunk) => {
        bytes += chunk.length;
        if (opts.onStdout(chunk) === false || bytes > opts.maxBytes) stop('cap');
      },
      onStderr: (chunk) => { bytes += chunk.length; opts.onStderr?.(chunk); if (bytes > opts.maxBytes) stop('cap'); },
    }).then(
      (r) => finish({ exitCode: r.code, signal: r.signal }),
      (e: Error) => finish({ exitCode: null, signal: null, error: channel ? `channel error: ${e.message}` : `${CHANNEL_REFUSED}: ${e.message}` }),
    );
  });
}

/**
 * `sh -s` on a channel opened ahead of need, waiting for its script on stdin. Used only if it
 * is open by the time its script is ready: one that is still waiting for a slot is given up and
 * the script runs on a fresh channel, as it would have without it, so a standby never makes
 * anything wait longer than it would have.
 */
export class StandbyChannel implements StandbyStream {
  private readonly stdin = new PassThrough();
  private sink: ChannelHandlers | null = null;
  private channel: ClientChannel | null = null;
  private ended: Promise<Exit | Error> | null = null;
  private idle: NodeJS.Timeout | null = null;
  private used = false;

  constructor(
    private readonly open: (h: ChannelHandlers & { stdin: PassThrough }) => Promise<Exit>,
    /** The channel is gone, or was never asked for (`opened` false): its slots are free again. */
    private readonly onEnd: (opened: boolean) => void,
    private readonly fresh: (script: string, opts: StreamOptions) => Promise<StreamResult>,
    /** Whether a batch is waiting for a host or fleet slot. */
    private readonly contended: () => boolean,
  ) {}

  /** The slots are granted: ask the host for the channel (unless it was given up meanwhile). */
  begin(): void {
    if (this.used) { this.onEnd(false); return; }
    this.ended = this.open({
      stdin: this.stdin,
      onChannel: (c) => {
        this.channel = c;
        if (!this.used) this.armIdle();
      },
      onStdout: (c) => this.sink?.onStdout(c),
      onStderr: (c) => this.sink?.onStderr(c),
    }).catch((e: Error) => e);
    void this.ended.then(() => {
      this.stopIdle();
      this.onEnd(this.channel !== null);
    });
  }

  stream(script: string, opts: StreamOptions): Promise<StreamResult> {
    const ready = !this.used && this.channel !== null;
    this.used = true;
    this.stopIdle();
    if (!ready) { this.endInput(); return this.fresh(script, opts); }
    const timeoutMs = timeoutNow(opts.timeoutMs);
    if (timeoutMs <= 0) { this.endInput(); return Promise.resolve(SKIPPED); }
    const ended = this.ended!;
    return superviseChannel(opts, timeoutMs, (h) => {
      h.onChannel(this.channel!);
      this.sink = h;
      this.stdin.end(script);
      return ended.then((r) => { if (r instanceof Error) throw r; return r; });
    }, () => {});
  }

  cancel(): void {
    if (this.used) return;
    this.used = true;
    this.stopIdle();
    this.endInput();
  }

  private armIdle(): void {
    this.idle = setTimeout(() => { if (this.contended()) this.cancel(); else this.armIdle(); }, STANDBY_IDLE_MS);
  }

  private stopIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
  }

  /** The waiting shell reads end-of-input and exits; the channel closes and frees its slots. */
  private endInput(): void {
    if (!this.stdin.writableEnded) this.stdin.end();
  }
}
