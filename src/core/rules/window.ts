import type { HostEvidence } from '../host-evidence.js';
import { formatDuration } from '../time.js';

// Only signals inside the recent window (measured on the host's clock) may raise a warning or
// critical finding; older ones are history and stay at info.

export interface Window {
  nowMs: number;
  startMs: number;
  minutes: number;
  /** How summaries name the window: "60 min", or "45 s" for a check since a remediation. */
  label: string;
}

/** `minutes` may be fractional: a re-check after a remediation looks only at what came after it. */
export function makeWindow(ev: HostEvidence, minutes: number): Window {
  const label = Number.isInteger(minutes) ? `${minutes} min` : formatDuration(minutes * 60_000);
  return { nowMs: ev.clock.nowMs, startMs: ev.clock.nowMs - minutes * 60_000, minutes, label };
}

export function inWindow(win: Window, t: number | null | undefined): boolean {
  return t !== null && t !== undefined && t >= win.startMs && t <= win.nowMs + 5 * 60_000;
}

export function countInWindow(win: Window, times: ReadonlyArray<number | null>): number {
  return times.reduce<number>((n, t) => n + (inWindow(win, t) ? 1 : 0), 0);
}

export function firstInWindow(win: Window, times: ReadonlyArray<number | null>): number | null {
  for (const t of times) if (inWindow(win, t)) return t;
  return null;
}

export function minTime(...ts: Array<number | null | undefined>): number | null {
  const real = ts.filter((t): t is number => t !== null && t !== undefined && Number.isFinite(t));
  return real.length > 0 ? Math.min(...real) : null;
}
