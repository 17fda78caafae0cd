import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { localHost } from '../../../src/config/inventory.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import { diagnoseHost } from '../../../src/triage/diagnose-host.js';

describe('fleet limits: a host\'s time budget starts when its turn does', () => {
  it('does not spend a queued host\'s budget while another holds the only handshake slot', async () => {
    const limits = { connects: pLimit(1), channels: pLimit(8) };
    // The first host's handshake takes 2.5 s of a 3 s budget; the second waits that long for the slot.
    const slow = () => new Promise<LocalTransport>((r) => setTimeout(() => r(new LocalTransport()), 2500));
    const [first, second] = await Promise.all([
      diagnoseHost({ ...localHost(), name: 'first' }, { timeoutMs: 3000, limits, connect: slow }),
      diagnoseHost({ ...localHost(), name: 'second' }, { timeoutMs: 3000, limits }),
    ]);
    expect(first.result.reachable).toBe(true);
    const skipped = (r: typeof second) => r.result.commands.filter((c) => c.error?.startsWith('skipped')).map((c) => c.id);
    expect(skipped(second)).toEqual([]);
    expect(second.result.commands.some((c) => c.id === 'nginx_dump' && !c.timedOut)).toBe(true);
  }, 15_000);
});
