/** One status line per host on a terminal, rewritten in place while the diagnosis runs. */
export class Progress {
  private readonly states = new Map<string, string>();
  private drawn = 0;
  private readonly started = Date.now();
  // Redraws on a tick too, so the clock keeps moving while a slow host holds everything up.
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly out: NodeJS.WriteStream, hosts: string[]) {
    for (const h of hosts) this.states.set(h, 'waiting');
    this.ticker = setInterval(() => this.draw(), 250);
    this.ticker.unref();
  }

  update(host: string, state: string): void {
    this.states.set(host, state);
    this.draw();
  }

  private draw(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    const lines = [...this.states].map(([h, s]) => `\x1b[2K  ${h}: ${s} (${secs}s)`);
    this.out.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  clear(): void {
    clearInterval(this.ticker);
    if (this.drawn === 0) return;
    this.out.write(`\x1b[${this.drawn}A`);
    for (let i = 0; i < this.drawn; i++) this.out.write('\x1b[2K\n');
    this.out.write(`\x1b[${this.drawn}A`);
    this.drawn = 0;
  }
}
