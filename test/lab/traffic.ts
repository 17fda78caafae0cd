import type { TrafficStep } from './lab-types.js';

export interface TrafficResult {
  sent: number;
  answered: number;
  statuses: Record<number, number>;
}

async function once(base: string, step: TrafficStep, timeoutMs: number): Promise<number | null> {
  try {
    const res = await fetch(`${base}${step.path}`, {
      method: step.method ?? 'GET',
      body: step.method === 'POST' ? 'x'.repeat(2048) : undefined,
      headers: { 'user-agent': 'diagbot-lab/1.0' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return null; // dropped connections are part of some scenarios (worker-crash)
  }
}

/** Sends the steps in order; within a step up to `concurrency` requests are in flight. */
export async function driveTraffic(base: string, steps: TrafficStep[], timeoutMs = 10_000): Promise<TrafficResult> {
  const result: TrafficResult = { sent: 0, answered: 0, statuses: {} };
  for (const step of steps) {
    let left = step.count;
    const worker = async () => {
      while (left > 0) {
        left -= 1;
        result.sent += 1;
        const status = await once(base, step, timeoutMs);
        if (status === null) continue;
        result.answered += 1;
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(step.concurrency ?? 4, step.count) }, worker));
  }
  return result;
}
