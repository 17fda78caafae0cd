import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `fn` until it succeeds or `forMs` has passed (then its last error is thrown): for writes
 * that must survive a short Postgres outage, such as recording a Slack message's ts or the
 * outcome of a remediation.
 */
export async function retryFor<T>(forMs: number, everyMs: number, fn: () => Promise<T>, onRetry?: (err: unknown) => void): Promise<T> {
  const giveUpAt = Date.now() + forMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > giveUpAt) throw err;
      onRetry?.(err);
      await sleep(everyMs);
    }
  }
}
