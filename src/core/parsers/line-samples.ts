import { clipLine } from '../excerpt.js';

// Logs are long; evidence keeps only the first and the latest line of each kind, line-exact, so
// rules can quote both "since when" and "still happening" without holding the whole tail.

export interface Sampled {
  /** Index into the evidence's `lines`, or -1 when this occurrence was not kept. */
  sample: number;
}

export class LineSamples {
  readonly lines: string[] = [];
  private readonly slots = new Map<string, { latestIndex: number; latestOwner: Sampled | null }>();

  keep(key: string, line: string, owner: Sampled): void {
    const slot = this.slots.get(key);
    if (!slot) {
      owner.sample = this.lines.length;
      this.lines.push(clipLine(line));
      this.slots.set(key, { latestIndex: -1, latestOwner: null });
      return;
    }
    if (slot.latestOwner) slot.latestOwner.sample = -1;
    if (slot.latestIndex < 0) { slot.latestIndex = this.lines.length; this.lines.push(''); }
    this.lines[slot.latestIndex] = clipLine(line);
    owner.sample = slot.latestIndex;
    slot.latestOwner = owner;
  }
}
