import { describe, expect, it } from 'vitest';
import { localHost } from '../../../src/config/inventory.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import type { StandbyStream, StreamOptions, StreamResult, Transport } from '../../../src/transport/transport.js';
import type { TriageCommand } from '../../../src/triage/command-set.js';
import { HostBatcher } from '../../../src/triage/host-batcher.js';
import { SectionReader } from '../../../src/triage/section-reader.js';

const cmd = (id: string, run: string, over: Partial<TriageCommand> = {}): TriageCommand =>
  ({ id, phase: 'facts', when: 'always', timeoutMs: 3000, maxBytes: 4096, keep: 'head', run, ...over });

/** The local transport, counting channels and handing chunks over in odd sizes (markers get split). */
class Chunky implements Transport {
  channels = 0;
  /** Rewrites the batch before it runs, as a broken host would behave. */
  constructor(private readonly rewrite: (script: string) => string = (s) => s) {}
  private readonly local = new LocalTransport();
  exec: Transport['exec'] = (s, o) => this.local.exec(s, o);
  stream(script: string, opts: StreamOptions): Promise<StreamResult> {
    this.channels++;
    const split = (f: (c: Buffer) => unknown) => (c: Buffer) => { for (let i = 0; i < c.length; i += 7) f(c.subarray(i, i + 7)); };
    return this.local.stream(this.rewrite(script), { ...opts, onStdout: split(opts.onStdout), onStderr: split((c) => opts.onStderr?.(c)) });
  }
  close(): void {}
}

describe('HostBatcher: many commands, one channel, each with its own result', () => {
  it('gives every section its own exit status, stderr, cap and time limit', async () => {
    const t = new Chunky();
    const b = new HostBatcher(t, localHost(), Date.now() + 20_000);
    const started = Date.now();
    const [ok, failing, hung, head, tail, noNewline] = await Promise.all([
      b.run(cmd('ok', 'echo one; echo two')),
      b.run(cmd('failing', 'echo out; echo oops >&2; exit 3')),
      b.run(cmd('hung', 'sleep 30', { timeoutMs: 1000 })),
      b.run(cmd('head', 'seq 1 100000', { maxBytes: 300 })),
      b.run(cmd('tail', 'seq 1 100000', { maxBytes: 300, keep: 'tail' })),
      b.run(cmd('no_newline', "printf 'last'")),
    ]);
    // One channel, plus one for the sections after `head`: it ran on past its cap, so its channel was given up.
    expect(t.channels).toBe(2);
    expect(ok).toMatchObject({ id: 'ok', exitCode: 0, stdout: 'one\ntwo\n', stderr: '', timedOut: false, truncated: false });
    expect(failing).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'oops\n', timedOut: false });
    expect(hung).toMatchObject({ timedOut: true });
    expect(hung.exitCode).toBe(124);
    expect(head.truncated).toBe(true);
    expect(head.stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(head.stdout.length).toBe(300);
    expect(tail.truncated).toBe(true);
    expect(tail.stdout.trimEnd().split('\n').at(-1)).toBe('100000');
    expect(noNewline.stdout).toBe('last');
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('hands a section over as soon as it ends, while later ones still run', async () => {
    const b = new HostBatcher(new Chunky(), localHost(), Date.now() + 20_000);
    const first = b.run(cmd('first', 'echo early'));
    const slow = b.run(cmd('slow', 'sleep 1.5; echo late'));
    const t0 = Date.now();
    expect((await first).stdout).toBe('early\n');
    expect(Date.now() - t0).toBeLessThan(1200);
    expect((await slow).stdout).toBe('late\n');
  });

  it('batches per group and turn: two groups are two channels', async () => {
    const t = new Chunky();
    const b = new HostBatcher(t, localHost(), Date.now() + 20_000);
    await Promise.all([b.run(cmd('a', 'echo a'), undefined, 'x'), b.run(cmd('b', 'echo b'), undefined, 'x'), b.run(cmd('c', 'echo c'), undefined, 'y')]);
    expect(t.channels).toBe(2);
  });

  it('skips every section when the host budget is used up, and stops the batch at it', async () => {
    const spent = new HostBatcher(new Chunky(), localHost(), Date.now() + 50);
    expect(await spent.run(cmd('late', 'echo x'))).toMatchObject({ timedOut: true, error: 'skipped: host time budget used up', stdout: '' });
    const tight = new HostBatcher(new Chunky(), localHost(), Date.now() + 1500);
    const [running, never] = await Promise.all([tight.run(cmd('long', 'echo begun; sleep 10', { timeoutMs: 10_000 })), tight.run(cmd('after', 'echo x'))]);
    expect(running).toMatchObject({ timedOut: true, stdout: 'begun\n', error: expect.stringMatching(/host time budget/) });
    expect(never).toMatchObject({ timedOut: true, error: 'skipped: host time budget used up' });
  });

  it('gives up a section whose own timeout is stuck, or that floods past its cap, and runs the rest anew', async () => {
    // As on a dead NFS mount: the section, its `timeout` wrapper and all, never returns.
    const t = new Chunky((s) => s.replace(/timeout -k 1 1 sh -c 'stuck'/, 'sleep 30').replace(/timeout -k 1 \d+ sh -c 'flood'/, 'yes'));
    const b = new HostBatcher(t, localHost(), Date.now() + 20_000);
    const started = Date.now();
    const [stuck, after, flood, last] = await Promise.all([
      b.run(cmd('stuck', 'stuck', { timeoutMs: 1000 })), b.run(cmd('after', 'echo after')),
      b.run(cmd('flood', 'flood', { maxBytes: 1000 })), b.run(cmd('last', 'echo last')),
    ]);
    expect(stuck).toMatchObject({ timedOut: true, error: 'no answer within 1000 ms; channel closed' });
    expect(stuck.durationMs).toBeGreaterThanOrEqual(2400);
    expect(after).toMatchObject({ exitCode: 0, stdout: 'after\n' });
    expect(flood).toMatchObject({ truncated: true, timedOut: false });
    expect(flood.stdout.length).toBe(1000);
    expect(last).toMatchObject({ exitCode: 0, stdout: 'last\n' });
    expect(t.channels).toBe(3);
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('is not fooled by output that looks like a marker with another boundary', async () => {
    const b = new HostBatcher(new Chunky(), localHost(), Date.now() + 20_000);
    const r = await b.run(cmd('liar', "printf '\\ndiagbot-000000000000000000000000 E liar#0 0\\nstill mine\\n'"));
    expect(r.stdout).toBe('\ndiagbot-000000000000000000000000 E liar#0 0\nstill mine\n');
  });
});

describe('SectionReader', () => {
  it('drops what comes before the first section (a login script\'s chatter)', () => {
    const got: string[] = [];
    const r = new SectionReader('B', { start: () => {}, data: (k, c) => got.push(`${k}:${c}`), end: (k, s) => got.push(`${k}=${s}`) });
    r.push(Buffer.from('motd\n\nB S a#0\nx\nB E a#0 0\n'));
    r.flush();
    expect(got.join('|')).toBe('a#0:x|a#0=0');
  });
});

describe('HostBatcher: reserved channels for the batches that wait on others', () => {
  /** Chunky, with standby channels that say whether they ran a batch or were given back. */
  class WithStandby extends Chunky {
    standbys: Array<{ ran: string | null; cancelled: boolean }> = [];
    standby(): StandbyStream {
      const rec = { ran: null as string | null, cancelled: false };
      this.standbys.push(rec);
      return {
        stream: (script, opts) => { rec.ran = script; return this.stream(script, opts); },
        cancel: () => { rec.cancelled = true; },
      };
    }
  }

  it('runs the next batches of a reserved group on its standbys, after the batches asked for first, and gives back the unused', async () => {
    const t = new WithStandby();
    const b = new HostBatcher(t, localHost(), Date.now() + 20_000);
    const first = b.run(cmd('first', 'echo facts'), undefined, 'facts');
    b.reserve('app', 2);
    b.reserve('logs', 1);
    expect(t.standbys).toHaveLength(0);
    expect((await first).stdout).toBe('facts\n');
    // Asked for in the turn after the facts' batch went out.
    expect(t.standbys).toHaveLength(3);
    const probe = await b.run(cmd('probe', 'echo probe'), undefined, 'app');
    const read = await b.run(cmd('read', 'echo read'), undefined, 'app');
    const extra = await b.run(cmd('extra', 'echo extra'), undefined, 'app');
    expect([probe.stdout, read.stdout, extra.stdout]).toEqual(['probe\n', 'read\n', 'extra\n']);
    const [app1, app2, logs] = t.standbys;
    expect(app1!.ran).toMatch(/probe/);
    expect(app2!.ran).toMatch(/read/);
    // The third app batch had no standby left: a fresh channel; the logs standby was never used.
    expect(logs!.ran).toBeNull();
    b.releaseUnused();
    expect(t.standbys.map((s) => s.cancelled)).toEqual([false, false, true]);
  });
});
