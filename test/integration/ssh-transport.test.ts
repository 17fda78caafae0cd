import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadInventory } from '../../src/config/inventory.js';
import { LocalTransport } from '../../src/transport/local-transport.js';
import { connectSsh, type SshTransport } from '../../src/transport/ssh-transport.js';
import type { Transport } from '../../src/transport/transport.js';
import { STANDBY_IDLE_MS } from '../../src/transport/ssh-channel.js';
import { distantHost } from '../helpers/latency-proxy.js';
import { freePort } from '../helpers/free-port.js';

const lab = inject('lab');

function contract(name: string, open: () => Promise<Transport>) {
  describe(`${name} transport contract`, () => {
    let t: Transport;
    beforeAll(async () => { t = await open(); });
    afterAll(() => t.close());

    it('returns a non-zero exit code as data', async () => {
      const r = await t.exec('echo out; echo err >&2; exit 7', { timeoutMs: 3000, maxBytes: 1000, keep: 'head' });
      expect(r).toMatchObject({ exitCode: 7, stdout: 'out\n', stderr: 'err\n', truncated: false, timedOut: false });
    });

    it('stops a hung command at its timeout', async () => {
      const started = Date.now();
      const r = await t.exec('sleep 30', { timeoutMs: 1000, maxBytes: 1000, keep: 'head' });
      expect(r.timedOut).toBe(true);
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it('caps huge output and reports it truncated, quickly', async () => {
      const started = Date.now();
      const r = await t.exec('while :; do echo 0123456789abcdef; done', { timeoutMs: 10_000, maxBytes: 64 * 1024, keep: 'head' });
      expect(r.truncated).toBe(true);
      expect(r.stdout.length).toBe(64 * 1024);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('keeps the newest lines in tail mode', async () => {
      const r = await t.exec('seq 1 100000', { timeoutMs: 5000, maxBytes: 1000, keep: 'tail' });
      expect(r.truncated).toBe(true);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('100000');
      expect(r.stdout.split('\n')[0]).toMatch(/^\d+$/);
    });

    it('runs more commands at once than sshd allows sessions, without failing any', async () => {
      const runs = await Promise.all(Array.from({ length: 30 }, (_, i) => t.exec(`sleep 0.2; echo ${i}`, { timeoutMs: 5000, maxBytes: 100, keep: 'head' })));
      expect(runs.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
      expect(runs.every((r) => r.exitCode === 0 && !r.error)).toBe(true);
    });
  });
}

contract('ssh', async () => {
  const host = loadInventory(lab.inventoryPath).hosts.get('healthy')!;
  return connectSsh(host) as Promise<SshTransport>;
});
contract('local', async () => new LocalTransport());

describe('ssh connect failures', () => {
  it('refuses a host whose key is not in known_hosts at all (no trust on first use)', async () => {
    const host = { ...loadInventory(lab.inventoryPath).hosts.get('healthy')!, knownHostsPath: '/dev/null' };
    await expect(connectSsh(host)).rejects.toMatchObject({ reason: 'host_key_unknown', message: expect.stringMatching(/not in \/dev\/null.*SHA256:/) });
  });

  it('connects while it reads the credentials, yet names a credentials problem before a dead port', async () => {
    // Nothing listens there a moment after freePort(); another process taking it would fail the first expectation loudly.
    const host = { ...loadInventory(lab.inventoryPath).hosts.get('healthy')!, address: '127.0.0.1', port: await freePort() };
    // Refused while the key is still being read: reported once, not an unhandled rejection.
    await expect(connectSsh(host)).rejects.toMatchObject({ reason: 'refused' });
    await expect(connectSsh({ ...host, privateKeyPath: '/nonexistent/key' })).rejects.toMatchObject({ reason: 'key_file' });
    await expect(connectSsh({ ...host, knownHostsPath: '/nonexistent/known_hosts' })).rejects.toMatchObject({ reason: 'known_hosts_file' });
  });

  it('reports a rejected key as auth_failed', async () => {
    const host = { ...loadInventory(lab.inventoryPath).hosts.get('healthy')!, user: 'nobody' };
    await expect(connectSsh(host)).rejects.toMatchObject({ reason: 'auth_failed' });
  });
});

describe('ssh credentials: encrypted keys and an ssh-agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'diagbot-ssh-auth-'));
  const base = () => loadInventory(lab.inventoryPath).hosts.get('healthy')!;
  // The lab's own client key, re-encrypted with a passphrase: the public half is the one sshd trusts.
  const encrypted = join(dir, 'encrypted_ed25519');
  const passFile = join(dir, 'passphrase');
  let agent: { sock: string; pid: number } | null = null;
  const savedSock = process.env.SSH_AUTH_SOCK;

  beforeAll(() => {
    copyFileSync(lab.privateKeyPath, encrypted);
    chmodSync(encrypted, 0o600);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'correct horse', '-f', encrypted]);
    writeFileSync(passFile, 'correct horse\n', { mode: 0o600 });
  });
  afterAll(() => {
    if (agent) { try { process.kill(agent.pid); } catch { /* gone */ } }
    if (savedSock === undefined) delete process.env.SSH_AUTH_SOCK; else process.env.SSH_AUTH_SOCK = savedSock;
    delete process.env.DIAGBOT_TEST_PASSPHRASE;
    rmSync(dir, { recursive: true, force: true });
  });

  const runs = async (t: SshTransport) => {
    try {
      expect((await t.exec('echo ok', { timeoutMs: 3000, maxBytes: 100, keep: 'head' })).stdout).toBe('ok\n');
    } finally { t.close(); }
  };

  it('decrypts a key with the passphrase from a file', async () => {
    await runs(await connectSsh({ ...base(), privateKeyPath: encrypted, passphraseFile: passFile }));
  });

  it('decrypts a key with the passphrase from an environment variable', async () => {
    process.env.DIAGBOT_TEST_PASSPHRASE = 'correct horse';
    await runs(await connectSsh({ ...base(), privateKeyPath: encrypted, passphraseEnv: 'DIAGBOT_TEST_PASSPHRASE' }));
  });

  it('says an encrypted key has no passphrase, or the wrong one, before trying the host', async () => {
    await expect(connectSsh({ ...base(), privateKeyPath: encrypted })).rejects.toMatchObject({ reason: 'key_file', message: expect.stringMatching(/is encrypted and no passphrase is configured/) });
    process.env.DIAGBOT_TEST_PASSPHRASE = 'wrong';
    await expect(connectSsh({ ...base(), privateKeyPath: encrypted, passphraseEnv: 'DIAGBOT_TEST_PASSPHRASE' })).rejects.toMatchObject({ reason: 'key_file', message: expect.stringMatching(/could not be decrypted/) });
  });

  it('logs in with a key held only by an ssh-agent (SSH_AUTH_SOCK)', async () => {
    const sock = join(dir, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8', timeout: 5000 });
    agent = { sock, pid: Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]) };
    execFileSync('ssh-add', ['-q', lab.privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore', timeout: 5000 });
    process.env.SSH_AUTH_SOCK = sock;
    // No key file at all: only the agent can answer the host's challenge.
    await runs(await connectSsh({ ...base(), privateKeyPath: join(dir, 'no-such-key'), agent: true }));
    delete process.env.SSH_AUTH_SOCK;
    await expect(connectSsh({ ...base(), privateKeyPath: join(dir, 'no-such-key'), agent: true })).rejects.toMatchObject({ reason: 'key_file', message: expect.stringMatching(/SSH_AUTH_SOCK is not set/) });
  });
});

describe('ssh channel limits', () => {
  const host = () => loadInventory(lab.inventoryPath).hosts.get('healthy')!;
  const sleepy = { timeoutMs: 5000, maxBytes: 100, keep: 'head' as const };

  it('learns the host\'s MaxSessions from its refusals instead of failing commands', async () => {
    // The lab's sshd allows 10 sessions; ask for 20 at once.
    const t = await connectSsh(host(), { perHost: 20 });
    try {
      const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => t.exec(`sleep 0.5; echo ${i}`, sleepy)));
      expect(runs.filter((r) => r.error).map((r) => r.error)).toEqual([]);
      expect(runs.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
      expect(t.channelLimit).toBeLessThanOrEqual(10);
    } finally { t.close(); }
  });

  it('keeps channels across connections under one fleet-wide limit', async () => {
    const global = pLimit(2);
    const [a, b] = await Promise.all([connectSsh(host(), { global }), connectSsh(host(), { global })]);
    try {
      const started = Date.now();
      await Promise.all([a, b, a, b, a, b].map((t) => t.exec('sleep 0.4', sleepy)));
      // Six 0.4 s commands, two at a time: three rounds.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1150);
    } finally { a.close(); b.close(); }
  });
});

describe('ssh round trips', () => {
  it('does not hold small packets back (TCP_NODELAY): a trivial command is not a 40 ms delayed-ACK wait', async () => {
    // sshd does not set TCP_NODELAY for sessions without a tty, and the client's delayed ACK
    // then holds each small request/answer pair ~40 ms; with Nagle on our side too, every
    // channel open and every handshake step paid it (measured: 48 ms per `true`, vs 4 ms).
    const t = await connectSsh(loadInventory(lab.inventoryPath).hosts.get('healthy')!);
    try {
      const ms: number[] = [];
      for (let i = 0; i < 11; i++) {
        const started = performance.now();
        const r = await t.exec('true', { timeoutMs: 3000, maxBytes: 100, keep: 'head' });
        expect(r.exitCode).toBe(0);
        ms.push(performance.now() - started);
      }
      ms.sort((x, y) => x - y);
      expect(ms[5]).toBeLessThan(30);
    } finally { t.close(); }
  });
});

describe('ssh standby channels: opened before the script is known', () => {
  const host = () => loadInventory(lab.inventoryPath).hosts.get('healthy')!;
  const opts = (out: Buffer[]) => ({ timeoutMs: 5000, maxBytes: 10_000, onStdout: (c: Buffer) => { out.push(c); } });
  const until = async (ok: () => boolean) => { for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10)); };

  it('runs the script sent later, with its output and exit status', async () => {
    const t = await connectSsh(host());
    try {
      const s = t.standby();
      await until(() => t.channelsOpen > 0);
      const out: Buffer[] = [];
      const r = await s.stream('echo "from $0"; echo err >&2; exit 3', { ...opts(out), onStderr: (c) => out.push(c) });
      expect(r).toMatchObject({ exitCode: 3, timedOut: false, stoppedEarly: false });
      expect(Buffer.concat(out).toString()).toMatch(/from sh[\s\S]*err/);
    } finally { t.close(); }
  });

  it('frees its slot when cancelled or when idle while a command waits for it, and runs on a fresh channel if not open in time', async () => {
    const t = await connectSsh(host(), { perHost: 1 });
    try {
      // Cancelled: the one slot is free again at once.
      const a = t.standby();
      await until(() => t.channelsOpen > 0);
      a.cancel();
      const started = Date.now();
      expect((await t.exec('echo next', { timeoutMs: 3000, maxBytes: 100, keep: 'head' })).stdout).toBe('next\n');
      expect(Date.now() - started).toBeLessThan(1500);
      // Left idle with no one waiting for the slot: it stays, and still takes its script.
      const kept = t.standby();
      await until(() => t.channelsOpen > 0);
      await new Promise((r) => setTimeout(r, STANDBY_IDLE_MS + 300));
      expect(t.channelsOpen).toBe(1);
      const outKept: Buffer[] = [];
      expect((await kept.stream('echo kept', opts(outKept))).exitCode).toBe(0);
      expect(Buffer.concat(outKept).toString()).toBe('kept\n');
      await until(() => t.channelsOpen === 0);
      // Left idle while a command waits for its slot: it closes (STANDBY_IDLE_MS) and lets it run.
      const b = t.standby();
      await until(() => t.channelsOpen > 0);
      const waited = Date.now();
      expect((await t.exec('echo after', { timeoutMs: 5000, maxBytes: 100, keep: 'head' })).stdout).toBe('after\n');
      expect(Date.now() - waited).toBeGreaterThanOrEqual(STANDBY_IDLE_MS - 200);
      // Given its script after that, it runs it on a fresh channel.
      const out: Buffer[] = [];
      expect((await b.stream('echo late', opts(out))).exitCode).toBe(0);
      expect(Buffer.concat(out).toString()).toBe('late\n');
      // Still waiting for the slot when its script comes: not waited for, a fresh channel instead.
      const busy = t.exec('sleep 0.3; echo busy', { timeoutMs: 3000, maxBytes: 100, keep: 'head' });
      const c = t.standby();
      const out2: Buffer[] = [];
      const [r, busyR] = await Promise.all([c.stream('echo queued', opts(out2)), busy]);
      expect(busyR.stdout).toBe('busy\n');
      expect(r.exitCode).toBe(0);
      expect(Buffer.concat(out2).toString()).toBe('queued\n');
    } finally { t.close(); }
  });

  it('costs one round trip where a fresh channel costs two (100 ms RTT through a delaying proxy)', async () => {
    const rtt = 100;
    const far = await distantHost(host(), rtt);
    try {
      const t = await connectSsh(far.host);
      try {
        const s = t.standby();
        let started = performance.now();
        expect((await t.stream('true', opts([]))).exitCode).toBe(0);
        const fresh = performance.now() - started;
        await until(() => t.channelsOpen > 0);
        started = performance.now();
        expect((await s.stream('true', opts([]))).exitCode).toBe(0);
        const standby = performance.now() - started;
        // Open + exec + output, vs the script out + output back (+ the close, not waited for).
        expect(fresh).toBeGreaterThanOrEqual(2 * rtt);
        expect(standby).toBeLessThan(1.6 * rtt);
      } finally { t.close(); }
    } finally { await far.close(); }
  });
});
