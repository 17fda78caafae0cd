import { readFile } from 'node:fs/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { Client, type ClientChannel } from 'ssh2';
import type { InventoryHost } from '../config/inventory.js';
import { CappedOutput } from './capped-output.js';
import { algorithmsForKeyTypes, keysFor, knownHostsName, verifyHostKey, type HostKeyVerdict } from './known-hosts.js';
import { HostUnreachableError, type UnreachableReason } from './ssh-errors.js';
import { tcpConnect } from './tcp-connect.js';
import { TIMEOUT_EXIT_CODES, wrapForHost, type ExecOptions, type ExecResult, type Transport } from './transport.js';

/** What a connection needs from an inventory host; values were validated at load. */
export type SshTarget = Pick<InventoryHost, 'name' | 'address' | 'port' | 'user' | 'privateKeyPath' | 'knownHostsPath' | 'connectTimeoutMs'>;

/** sshd's default MaxSessions is 10; stay under it so a channel never fails to open. */
export const DEFAULT_MAX_CHANNELS = 8;

async function readOrFail(path: string, reason: UnreachableReason, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new HostUnreachableError(reason, `cannot read ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

/** Connects with a verified host key, or throws HostUnreachableError saying exactly why not. */
export async function connectSsh(target: SshTarget, maxChannels = DEFAULT_MAX_CHANNELS): Promise<SshTransport> {
  const deadline = Date.now() + target.connectTimeoutMs;
  const [privateKey, knownHostsText] = await Promise.all([
    readOrFail(target.privateKeyPath, 'key_file', 'private key'),
    readOrFail(target.knownHostsPath, 'known_hosts_file', 'known_hosts file'),
  ]);
  const label = knownHostsName(target.address, target.port);
  const known = keysFor(knownHostsText.toString('utf8'), [label, knownHostsName(target.name, target.port)]);
  const sock = await tcpConnect(target.address, target.port, target.connectTimeoutMs);
  const client = new Client();
  let verdict: HostKeyVerdict | null = null;
  let remoteIdent: string | null = null;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: HostUnreachableError) => { settled = true; client.end(); sock.destroy(); reject(err); };
    client.once('ready', () => {
      settled = true;
      resolve(new SshTransport(client, pLimit(maxChannels)));
    });
    // Stays attached for the connection's life: ssh2 can emit more errors after the first
    // (or after ready, on keepalive loss), and an unhandled one would crash the process.
    client.on('error', (err: Error & { level?: string }) => {
      if (settled) return;
      const waited = target.connectTimeoutMs;
      if (verdict && !verdict.ok) {
        const reason = verdict.reason === 'unknown' ? 'host_key_unknown' : verdict.reason === 'revoked' ? 'host_key_revoked' : 'host_key_mismatch';
        fail(new HostUnreachableError(reason, verdict.message));
      } else if (err.level === 'client-authentication') {
        fail(new HostUnreachableError('auth_failed', `authentication failed for ${target.user}@${label} with key ${target.privateKeyPath}`));
      } else if (/timed out/i.test(err.message)) {
        fail(remoteIdent
          ? new HostUnreachableError('handshake_timeout', `SSH handshake with ${label} did not finish within ${waited} ms`)
          : new HostUnreachableError('no_banner', `${label} accepted TCP but sent no SSH banner within ${waited} ms`));
      } else {
        fail(new HostUnreachableError(remoteIdent ? 'other' : 'connection_lost', `SSH to ${label} failed: ${err.message}`, { cause: err }));
      }
    });
    client.connect({
      sock,
      username: target.user,
      privateKey,
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
  });
}

const CHANNEL_REFUSED = 'could not open channel';

export class SshTransport implements Transport {
  constructor(private readonly client: Client, private readonly limit: LimitFunction) {}

  exec(script: string, opts: ExecOptions): Promise<ExecResult> {
    return this.limit(async () => {
      // sshd frees a session slot only after reaping the child, a moment after the channel
      // closes, so a quick successor can be refused; that refusal is transient.
      for (let attempt = 1; ; attempt++) {
        const r = await this.run(script, opts);
        if (!r.error?.startsWith(CHANNEL_REFUSED) || attempt >= 5) return r;
        await new Promise((res) => setTimeout(res, 15 * attempt));
      }
    });
  }

  private run(script: string, opts: ExecOptions): Promise<ExecResult> {
    const started = performance.now();
    const out = new CappedOutput(opts.maxBytes, opts.keep);
    const err = new CappedOutput(64 * 1024, 'tail');
    return new Promise((resolve) => {
      let timedOut = false;
      let exitCode: number | null = null;
      let signal: string | null = null;
      let settled = false;
      let channel: ClientChannel | null = null;
      const finish = (error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          exitCode, signal, stdout: out.text(), stderr: err.text(),
          durationMs: Math.round(performance.now() - started),
          truncated: out.truncated,
          timedOut: timedOut || (exitCode !== null && TIMEOUT_EXIT_CODES.has(exitCode)),
          ...(error ? { error } : {}),
        });
      };
      // The host's `timeout` should win; this is the backstop for a host that ignores it.
      const timer = setTimeout(() => { timedOut = true; channel?.close(); finish(`no answer within ${opts.timeoutMs} ms; channel closed`); }, opts.timeoutMs + 1500);
      this.client.exec(wrapForHost(script, opts.timeoutMs), (e, stream) => {
        if (e) { finish(`${CHANNEL_REFUSED}: ${e.message}`); return; }
        channel = stream;
        stream.on('data', (c: Buffer) => { if (!out.push(c)) stream.close(); });
        stream.stderr.on('data', (c: Buffer) => err.push(c));
        stream.on('exit', (code: number | null, sig?: string) => { exitCode = code; signal = sig ?? null; });
        stream.on('close', () => finish());
        stream.on('error', (se: Error) => finish(`channel error: ${se.message}`));
      });
    });
  }

  close(): void {
    this.client.end();
  }
}
