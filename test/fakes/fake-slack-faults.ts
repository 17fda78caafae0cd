// Scripted failures for the fake Slack: rate limits, error answers, HTTP 5xx, slow answers and answers lost
// after the call took effect.
// A fault without a method applies to Web API calls only; name 'response_url' to fault response_url posts.

export type Fault =
  | { kind: 'ratelimit'; retryAfterSec: number }
  | { kind: 'fail'; error: string }
  | { kind: 'server'; status: number }
  /**
   * The call takes effect, then its answer is lost: 'reset' destroys the connection, 'hang' holds
   * the answer until the client gives up (its timeout) and closes the connection.
   */
  | { kind: 'drop'; mode: 'reset' | 'hang' };

interface Queued<T> { value: T; remaining: number; method?: string }

function take<T>(queue: Queued<T>[], method: string): T | undefined {
  const q = queue.find((f) => f.remaining > 0 && (f.method === undefined ? method !== 'response_url' : f.method === method));
  if (!q) return undefined;
  q.remaining -= 1;
  if (q.remaining === 0) queue.splice(queue.indexOf(q), 1);
  return q.value;
}

export class FaultQueue {
  latencyMs = 0;
  private readonly outcomes: Queued<Fault>[] = [];
  private readonly delays: Queued<number>[] = [];

  add(fault: Fault, n: number, method?: string): void {
    if (n > 0) this.outcomes.push({ value: fault, remaining: n, method });
  }

  addDelay(ms: number, n: number, method?: string): void {
    if (n > 0) this.delays.push({ value: ms, remaining: n, method });
  }

  /** The fault the next call to `method` gets, consuming it; faults queued first are served first. */
  next(method: string): Fault | undefined {
    return take(this.outcomes, method);
  }

  /** How long to hold the next call to `method` before answering: the base latency plus any queued delay. */
  delayFor(method: string): number {
    return this.latencyMs + (take(this.delays, method) ?? 0);
  }

  pending(): number {
    return [...this.outcomes, ...this.delays].reduce((sum, q) => sum + q.remaining, 0);
  }

  clear(): void {
    this.outcomes.length = 0;
    this.delays.length = 0;
    this.latencyMs = 0;
  }
}
