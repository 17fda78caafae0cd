/**
 * Splits one channel's stream into the sections a batch script printed. A marker is a line
 * "\n<boundary> S id" (start) or "\n<boundary> E id [status]" (end); the newline before it was
 * printed by the script, so a section's bytes are exactly what its command wrote. Bytes outside
 * a section (a login script's chatter) are dropped.
 */
export interface SectionHandlers {
  start(id: string): void;
  data(id: string, chunk: Buffer): void;
  end(id: string, status: number | null): void;
}

const MAX_MARKER_LINE = 512;

export class SectionReader {
  private readonly needle: Buffer;
  private rest: Buffer = Buffer.alloc(0);
  private current: string | null = null;
  private inMarker = false;

  constructor(boundary: string, private readonly on: SectionHandlers) {
    this.needle = Buffer.from(`\n${boundary} `);
  }

  /** The section being read, if any (null between sections). */
  get open(): string | null { return this.current; }

  push(chunk: Buffer): void {
    let buf = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    for (;;) {
      if (this.inMarker) {
        const nl = buf.indexOf(10);
        if (nl < 0) {
          if (buf.length > MAX_MARKER_LINE) { this.inMarker = false; continue; }
          break;
        }
        this.marker(buf.subarray(0, nl).toString('latin1'));
        buf = buf.subarray(nl + 1);
        this.inMarker = false;
        continue;
      }
      const at = buf.indexOf(this.needle);
      if (at < 0) {
        // The needle may straddle two chunks: hold back what could be its beginning.
        const hold = Math.min(buf.length, this.needle.length - 1);
        this.emit(buf.subarray(0, buf.length - hold));
        buf = buf.subarray(buf.length - hold);
        break;
      }
      this.emit(buf.subarray(0, at));
      buf = buf.subarray(at + this.needle.length);
      this.inMarker = true;
    }
    this.rest = Buffer.from(buf);
  }

  /** The channel ended: what was held back belongs to the open section, if any. */
  flush(): void {
    if (!this.inMarker) this.emit(this.rest);
    this.rest = Buffer.alloc(0);
  }

  private emit(b: Buffer): void {
    if (b.length > 0 && this.current !== null) this.on.data(this.current, b);
  }

  private marker(line: string): void {
    const m = /^([SE]) ([a-z][a-z0-9_]*#\d+)(?: (\d+))?$/.exec(line);
    if (!m) return;
    if (m[1] === 'S') {
      this.current = m[2]!;
      this.on.start(m[2]!);
    } else if (this.current === m[2]) {
      this.current = null;
      this.on.end(m[2]!, m[3] !== undefined ? Number(m[3]) : null);
    }
  }
}
