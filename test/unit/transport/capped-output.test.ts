import { describe, expect, it } from 'vitest';
import { CappedOutput } from '../../../src/transport/capped-output.js';

describe('CappedOutput', () => {
  it('head mode keeps the first bytes and asks to stop', () => {
    const o = new CappedOutput(10, 'head');
    expect(o.push(Buffer.from('12345'))).toBe(true);
    expect(o.push(Buffer.from('6789012345'))).toBe(false);
    expect(o.text()).toBe('1234567890');
    expect(o.truncated).toBe(true);
  });

  it('tail mode keeps the newest whole lines', () => {
    const o = new CappedOutput(12, 'tail');
    for (const l of ['line1\n', 'line2\n', 'line3\n', 'line4\n']) o.push(Buffer.from(l));
    expect(o.truncated).toBe(true);
    expect(o.text()).toBe('line4\n');
  });
});
