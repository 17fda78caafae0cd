import type { CommandOutput } from '../core/types.js';
import type { InventoryHost } from '../config/inventory.js';
import { CappedOutput } from '../transport/capped-output.js';
import { TIMEOUT_EXIT_CODES, type StandbyStream, type Transport } from '../transport/transport.js';
import { batchScript, newBoundary, type BatchSection } from './batch-script.js';
import type { TriageCommand } from './command-set.js';
import { renderCommand } from './render-command.js';
import { SectionReader } from './section-reader.js';

interface Pending {
  cmd: TriageCommand;
  host: InventoryHost;
  target: string | string[] | undefined;
  resolve: (o: CommandOutput) => void;
}

/** Below this much host budget a batch is not started at all. */
const MIN_BUDGET_MS = 200;
/** Output past a head-mode section's cap before its channel is given up (a runaway writer). */
const FLOOD_BYTES = 64 * 1024;

/**
 * Runs a host's triage commands as few channels: the commands asked for in the same turn of the
 * event loop and the same group become one batch script (one channel, one shell), and each
 * command's result is handed back the moment its section ends, so what depends on it (the log
 * reads after `nginx -T`) starts while the rest of the batch is still running.
 */
export class HostBatcher {
  private readonly queued = new Map<string, Pending[]>();
  private readonly standbys = new Map<string, StandbyStream[]>();

  constructor(private readonly t: Transport, private readonly host: InventoryHost, private readonly deadline: number) {}

  /**
   * Asks for `n` channels now for the next `n` batches of `group`, which will only be known
   * later (they wait on other batches' output): each then costs one round trip instead of two.
   * Asked for after the batches queued in this turn, so those get their channels first.
   */
  reserve(group: string, n: number): void {
    const standby = this.t.standby?.bind(this.t);
    if (!standby) return;
    setImmediate(() => {
      const list = this.standbys.get(group) ?? [];
      for (let i = 0; i < n; i++) list.push(standby());
      this.standbys.set(group, list);
    });
  }

  /** Frees the reserved channels no batch used. */
  releaseUnused(): void {
    for (const list of this.standbys.values()) for (const s of list.splice(0)) s.cancel();
  }

  /** `host` differs from the batcher's only in what a command's placeholders read (a found deploy layout). */
  run(cmd: TriageCommand, target?: string | string[], group = 'default', host = this.host): Promise<CommandOutput> {
    return new Promise((resolve) => {
      let q = this.queued.get(group);
      if (!q) {
        q = [];
        this.queued.set(group, q);
        setImmediate(() => {
          this.queued.delete(group);
          void this.runBatch(q!, this.standbys.get(group)?.shift());
        });
      }
      q.push({ cmd, host, target, resolve });
    });
  }

  private async runBatch(items: Pending[], standby?: StandbyStream): Promise<void> {
    const base = (p: Pending) => ({ id: p.cmd.id, ...(typeof p.target === 'string' ? { target: p.target } : {}) });
    const fail = (p: Pending, error: string, timedOut: boolean) =>
      p.resolve({ ...base(p), exitCode: null, stdout: '', stderr: '', durationMs: 0, truncated: false, timedOut, error });
    const sections: Array<BatchSection & { p: Pending }> = [];
    for (const p of items) {
      try {
        sections.push({ key: `${p.cmd.id}#${sections.length}`, script: renderCommand(p.cmd, p.host, p.target), timeoutMs: p.cmd.timeoutMs, p });
      } catch (err) {
        fail(p, (err as Error).message, false);
      }
    }
    if (sections.length === 0) { standby?.cancel(); return; }
    const state = new Map(sections.map((s) => [s.key, {
      s, out: new CappedOutput(s.p.cmd.maxBytes, s.p.cmd.keep), err: new CappedOutput(64 * 1024, 'tail'),
      startedAt: 0, endedAt: 0, status: null as number | null, outDone: false, errDone: false, done: false,
      timer: null as NodeJS.Timeout | null, over: 0,
    }]));
    // A section that outlives its own limit (its `timeout` itself stuck, as on a dead NFS mount) or
    // floods past its cap would hold up the sections after it: the channel is given up and the
    // rest run in a fresh batch, as a lone command's channel would have been closed.
    const abort = new AbortController();
    let culprit: { key: string; error?: string; timedOut: boolean } | null = null;
    const giveUp = (key: string, why: { error?: string; timedOut: boolean }) => {
      if (culprit) return;
      culprit = { key, ...why };
      abort.abort();
    };
    const settle = (key: string) => {
      const st = state.get(key)!;
      if (st.done || !st.outDone || !st.errDone) return;
      st.done = true;
      st.s.p.resolve({
        ...base(st.s.p), exitCode: st.status, stdout: st.out.text(), stderr: st.err.text(),
        durationMs: Math.round(st.endedAt - st.startedAt), truncated: st.out.truncated,
        timedOut: st.status !== null && TIMEOUT_EXIT_CODES.has(st.status),
      });
    };
    const boundary = newBoundary();
    const stdout = new SectionReader(boundary, {
      start: (k) => {
        const st = state.get(k);
        if (!st) return;
        st.startedAt = performance.now();
        st.timer = setTimeout(() => giveUp(k, { timedOut: true, error: `no answer within ${st.s.timeoutMs} ms; channel closed` }), st.s.timeoutMs + 1500);
      },
      data: (k, c) => {
        const st = state.get(k);
        if (!st) return;
        if (!st.out.push(c) && (st.over += c.length) > FLOOD_BYTES) giveUp(k, { timedOut: false });
      },
      end: (k, status) => {
        const st = state.get(k);
        if (!st) return;
        if (st.timer) clearTimeout(st.timer);
        st.endedAt = performance.now(); st.status = status; st.outDone = true; settle(k);
      },
    });
    const stderr = new SectionReader(boundary, {
      start: () => {},
      data: (k, c) => { state.get(k)?.err.push(c); },
      end: (k) => { const st = state.get(k); if (st) { st.errDone = true; settle(k); } },
    });
    const sum = sections.reduce((n, s) => n + s.timeoutMs + 1000, 0);
    const bound = sections.reduce((n, s) => n + 4 * s.p.cmd.maxBytes, 4 * 1024 * 1024);
    const r = await (standby ?? this.t).stream(batchScript(boundary, sections), {
      // Counted from when the channel opens: each section has its own limit on the host; this
      // is the backstop, and the host's whole budget.
      timeoutMs: () => {
        const left = this.deadline - Date.now();
        return left < MIN_BUDGET_MS ? 0 : Math.min(sum + 1500, left);
      },
      maxBytes: bound,
      onStdout: (c) => { stdout.push(c); },
      onStderr: (c) => { stderr.push(c); },
      signal: abort.signal,
    });
    for (const st of state.values()) if (st.timer) clearTimeout(st.timer);
    const gaveUp = culprit as { key: string; error?: string; timedOut: boolean } | null;
    stdout.flush();
    stderr.flush();
    const rerun: Pending[] = [];
    for (const [key, st] of state) {
      if (st.done) continue;
      if (st.outDone) { st.errDone = true; settle(key); continue; }
      if (gaveUp && key === gaveUp.key) {
        st.done = true;
        st.s.p.resolve({
          ...base(st.s.p), exitCode: null, stdout: st.out.text(), stderr: st.err.text(),
          durationMs: Math.round(performance.now() - st.startedAt), truncated: st.out.truncated, timedOut: gaveUp.timedOut,
          ...(gaveUp.error ? { error: gaveUp.error } : {}),
        });
        continue;
      }
      if (gaveUp && st.startedAt === 0) { st.done = true; rerun.push(st.s.p); continue; }
      if (st.startedAt === 0) {
        fail(st.s.p, r.timedOut || r.skipped ? 'skipped: host time budget used up' : (r.error ?? 'the batch ended before this command ran'), r.timedOut || r.skipped === true);
        continue;
      }
      st.done = true;
      st.s.p.resolve({
        ...base(st.s.p), exitCode: null, stdout: st.out.text(), stderr: st.err.text(),
        durationMs: Math.round(performance.now() - st.startedAt), truncated: st.out.truncated || r.stoppedEarly, timedOut: r.timedOut,
        error: r.timedOut ? 'host time budget used up; channel closed' : (r.error ?? 'the batch ended before this command finished'),
      });
    }
    if (rerun.length > 0) await this.runBatch(rerun);
  }
}
