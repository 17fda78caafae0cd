import { NodeSSH } from 'node-ssh';
import pLimit, { type LimitFunction } from 'p-limit';
import { readFile } from 'node:fs/promises';
import type { InventoryHost } from '../config/inventory.js';
import { authMethods, resolveSshAuth } from './ssh-auth.js';
import { algorithmsForKeyTypes, keysFor, knownHostsName, verifyHostKey, type HostKeyVerdict } from './known-hosts.js';
import { HostUnreachableError } from './ssh-errors.js';
import { tcpConnect } from './tcp-connect.js';
import type { PassThrough } from 'node:stream';
import { CHANNEL_REFUSED, SKIPPED, StandbyChannel, superviseChannel, type ChannelHandlers } from './ssh-channel.js';
import { execCapped, timeoutNow, type ChannelLimits, type StandbyStream, type StreamOptions, type StreamResult, type Transport, type ExecOptions, type ExecResult } from './transport.js';

/** What a connection needs from an inventory host; values were validated at load. */
export type SshTarget = Pick<InventoryHost, 'name' | 'address' | 'port' | 'user' | 'privateKeyPath' | 'knownHostsPath' | 'connectTimeoutMs' | 'agent' | 'passphraseFile' | 'passphraseEnv'>;

/** sshd's default MaxSessions is 10; stay under it so a channel rarely fails to open. */
export const DEFAULT_MAX_CHANNELS = 8;

async function readKnownHosts(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new HostUnreachableError('known_hosts_file', `cannot read known_hosts file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

/** Connects with a verified host key, or throws HostUnreachableError saying exactly why not. */
export async function connectSsh(target: SshTarget, limits: ChannelLimits = {}): Promise<SshTransport> {
  const deadline = Date.now() + target.connectTimeoutMs;
  // The TCP handshake (a round trip) overlaps reading the key and known_hosts; a problem with
  // those is still the one reported, and the socket is then closed unused.
  const connected = tcpConnect(target.address, target.port, target.connectTimeoutMs);
  // Handled below once the credentials are read; refused before then is not an unhandled rejection.
  connected.catch(() => {});
  let auth: Awaited<ReturnType<typeof resolveSshAuth>>;
  let knownHostsText: string;
  try {
    [auth, knownHostsText] = await Promise.all([resolveSshAuth(target), readKnownHosts(target.knownHostsPath)]);
  } catch (err) {
    connected.then((s) => s.destroy(), () => {});
    throw err;
  }
  const label = knownHostsName(target.address, target.port);
  const known = keysFor(knownHostsText, [label, knownHostsName(target.name, target.port)]);
  const sock = await connected;
  const ssh = new NodeSSH();
  let verdict: HostKeyVerdict | null = null;
  let remoteIdent: string | null = null;
  const connecting = ssh.connect({
    sock,
    username: target.user,
    // The decrypted key goes through authHandler: node-ssh would hand ssh2 the key text to decrypt again.
    authHandler: authMethods(auth, target.user) as never,
    readyTimeout: Math.max(100, deadline - Date.now()),
    keepaliveInterval: 5000,
    keepaliveCountMax: 3,
    ...(known.length > 0 ? { algorithms: { serverHostKey: algorithmsForKeyTypes(known.map((k) => k.type)) as never } } : {}),
    hostVerifier: (key: Buffer) => {
      verdict = verifyHostKey(known, key, label, target.knownHostsPath);
      return verdict.ok;
    },
    // The ident line is the SSH banner; seeing it tells "no banner" from a slow handshake.
    debug: (msg: string) => {
      if (remoteIdent === null && msg.startsWith('Remote ident')) remoteIdent = msg;
    },
  });
  // Stays attached for the connection's life: ssh2 can emit errors after ready (keepalive
  // loss), and an 'error' with no listener would crash the process.
  ssh.connection?.on('error', () => { /* reported through the channel or the connect promise */ });
  try {
    await connecting;
  } catch (e) {
    const err = e as Error & { level?: string };
    ssh.dispose();
    sock.destroy();
    const waited = target.connectTimeoutMs;
    if (verdict && !(verdict as HostKeyVerdict).ok) {
      const v = verdict as Extract<HostKeyVerdict, { ok: false }>;
      const reason = v.reason === 'unknown' ? 'host_key_unknown' : v.reason === 'revoked' ? 'host_key_revoked' : 'host_key_mismatch';
      throw new HostUnreachableError(reason, v.message);
    }
    if (err.level === 'client-authentication') throw new HostUnreachableError('auth_failed', `authentication failed for ${target.user}@${label} with ${auth.offered}`);
    if (/timed out/i.test(err.message)) {
      throw remoteIdent
        ? new HostUnreachableError('handshake_timeout', `SSH handshake with ${label} did not finish within ${waited} ms`)
        : new HostUnreachableError('no_banner', `${label} accepted TCP but sent no SSH banner within ${waited} ms`);
    }
    throw new HostUnreachableError(remoteIdent ? 'other' : 'connection_lost', `SSH to ${label} failed: ${err.message}`, { cause: err });
  }
  return new SshTransport(ssh, limits);
}


export class SshTransport implements Transport {
  /** Channels this connection may have open; lowered when the host refuses one (its MaxSessions). */
  private readonly perHost: LimitFunction;
  private open = 0;

  constructor(private readonly ssh: NodeSSH, private readonly limits: ChannelLimits) {
    this.perHost = pLimit(limits.perHost ?? DEFAULT_MAX_CHANNELS);
  }

  /** How many channels this host is given at once (starts at the limit, drops to what the host allowed). */
  get channelLimit(): number { return this.perHost.concurrency; }
  /** Channels open on this connection now (a standby one included). */
  get channelsOpen(): number { return this.open; }

  exec(script: string, opts: ExecOptions): Promise<ExecResult> {
    return execCapped(this, script, opts);
  }

  async stream(script: string, opts: StreamOptions): Promise<StreamResult> {
    // The host slot is taken before the fleet-wide one, so a host waiting for its own slots
    // never holds a fleet-wide one.
    const once = () => this.perHost(() => (this.limits.global ? this.limits.global(() => this.run(script, opts)) : this.run(script, opts)));
    // sshd frees a session slot only after reaping the child, a moment after the channel
    // closes, so a quick successor can be refused once; that refusal is transient. Refused
    // again with fewer channels open than our limit, the host allows fewer (MaxSessions):
    // adopt what it allows, and wait outside the slot for a channel to close.
    for (let attempt = 1; ; attempt++) {
      const r = await once();
      if (!r.error?.startsWith(CHANNEL_REFUSED) || attempt >= 6) return r;
      if (attempt >= 2 && this.open > 0 && this.open < this.perHost.concurrency) this.perHost.concurrency = this.open;
      await new Promise((res) => setTimeout(res, 15 * attempt));
    }
  }

  private run(script: string, opts: StreamOptions): Promise<StreamResult> {
    const connection = this.ssh.connection;
    const timeoutMs = timeoutNow(opts.timeoutMs);
    if (timeoutMs <= 0) return Promise.resolve(SKIPPED);
    if (!connection) return Promise.resolve({ exitCode: null, signal: null, durationMs: 0, timedOut: false, stoppedEarly: false, error: 'connection lost' });
    return superviseChannel(opts, timeoutMs, (h) => this.execOn(script, h), () => { this.open--; });
  }

  /** One channel running `command`, counted in `open` from when the host grants it. */
  private execOn(command: string, h: ChannelHandlers, stdin?: PassThrough) {
    return this.ssh.execCommand(command, {
      noTrim: true, ...(stdin ? { stdin } : {}),
      onChannel: (c) => { this.open++; h.onChannel(c); }, onStdout: h.onStdout, onStderr: h.onStderr,
    });
  }

  /**
   * A channel opened now for a script sent later: `sh -s` waits on its stdin, so the batch that
   * needs it costs one round trip (the script out, the output back) instead of two (open, exec).
   * It holds its host and fleet slots while it waits (see STANDBY_IDLE_MS). `cancel()` if it is not needed.
   */
  standby(): StandbyStream {
    let release!: () => void;
    const held = new Promise<void>((res) => { release = res; });
    const standby = new StandbyChannel(
      (h) => this.execOn('sh -s', h, h.stdin),
      (opened) => { if (opened) this.open--; release(); },
      (script, opts) => this.stream(script, opts),
      () => this.perHost.pendingCount > 0 || (this.limits.global?.pendingCount ?? 0) > 0,
    );
    const slot = () => { standby.begin(); return held; };
    void this.perHost(() => (this.limits.global ? this.limits.global(slot) : slot()));
    return standby;
  }

  close(): void {
    this.ssh.dispose();
  }
}
