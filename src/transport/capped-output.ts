/**
 * Collects a stream up to a byte cap. Head mode stops collecting at the cap; tail mode
 * keeps the newest bytes (a log's most recent lines matter most) in bounded memory.
 */
export class CappedOutput {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly maxBytes: number, private readonly keep: 'head' | 'tail') {}

  /** Returns false once head mode is full, so the caller can stop the command early. */
  push(chunk: Buffer): boolean {
    if (this.keep === 'head') {
      const room = this.maxBytes - this.size;
      if (room <= 0) { this.truncated = true; return false; }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) this.truncated = true;
      this.chunks.push(part);
      this.size += part.length;
      return !this.truncated;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.maxBytes && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.maxBytes;
      this.truncated = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
    return true;
  }

  text(): string {
    let s = Buffer.concat(this.chunks, this.size).toString('utf8');
    // A cut may land inside a line: drop the partial line so parsers only see whole ones.
    if (this.truncated && this.keep === 'tail') s = s.slice(s.indexOf('\n') + 1);
    return s;
  }
}
