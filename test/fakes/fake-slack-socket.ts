// Socket Mode as Slack serves it: apps.connections.open (app-level token) hands out a single-use
// WebSocket URL; the socket says `hello`, delivers envelopes (slash_commands, interactive, …) that
// the app acks with `{envelope_id, payload?}`, is pinged, and may be told to `disconnect`.
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { fail } from './fake-slack-content.js';
import type { JsonObject } from './fake-slack-types.js';

export interface SocketAck { envelope_id: string; payload?: unknown; at: number }
export interface SocketEnvelope { envelope_id: string; type: string; payload: JsonObject; accepts_response_payload: boolean }
export type DisconnectReason = 'refresh_requested' | 'link_disabled' | 'warning';

const PING_EVERY_MS = 5000;

export class FakeSocketMode {
  /** Every ack received, in order. */
  readonly acks: SocketAck[] = [];
  /** Every envelope sent, in order. */
  readonly sent: SocketEnvelope[] = [];
  /** Sockets that completed the handshake (with `hello`) since the fake started. */
  connections = 0;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly tickets = new Set<string>();
  private readonly open = new Set<WebSocket>();
  private readonly events = new EventEmitter();
  private readonly ping: NodeJS.Timeout;

  constructor(private readonly origin: string, private readonly appToken: string, private readonly appId: string) {
    this.events.setMaxListeners(0);
    this.ping = setInterval(() => { for (const ws of this.open) ws.ping(); }, PING_EVERY_MS);
    this.ping.unref();
  }

  /** apps.connections.open: a fresh single-use URL for an app-level token; a bot token is not allowed. */
  connectionsOpen(token: string | undefined): JsonObject {
    if (!token) return fail('not_authed');
    if (token.startsWith('xoxb-')) return fail('not_allowed_token_type');
    if (token !== this.appToken) return fail('invalid_auth');
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return { ok: true, url: `${this.origin.replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${this.appId}` };
  }

  /** The HTTP server's 'upgrade': only /link/ with a ticket not used before gets a socket. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.origin);
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  get openSockets(): number { return [...this.open].filter((ws) => ws.readyState === ws.OPEN).length; }

  /** Resolves once `n` sockets in all have said hello (counting from the fake's start). */
  waitConnections(n: number, timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.connections >= n && this.openSockets > 0, timeoutMs, `${n} socket connections (have ${this.connections})`);
  }

  /** Sends an envelope on the newest open socket; resolves with its ack, rejects if none comes in time. */
  async deliver(type: string, payload: JsonObject, opts: { acceptsResponsePayload?: boolean; timeoutMs?: number } = {}): Promise<SocketAck> {
    const ws = [...this.open].filter((w) => w.readyState === w.OPEN).at(-1);
    if (!ws) throw new Error('fake Slack: no open Socket Mode connection to deliver to');
    const envelope: SocketEnvelope = { envelope_id: randomUUID(), type, payload, accepts_response_payload: opts.acceptsResponsePayload ?? false };
    this.sent.push(envelope);
    ws.send(JSON.stringify(envelope));
    let ack: SocketAck | undefined;
    await this.until(() => (ack = this.acks.find((a) => a.envelope_id === envelope.envelope_id)), opts.timeoutMs ?? 3000,
      `an ack for ${type} envelope ${envelope.envelope_id}`);
    return ack!;
  }

  /** A slash command as Slack delivers it over the socket (the same fields as the HTTP form, as JSON). */
  slashCommand(fields: Record<string, string>, timeoutMs?: number): Promise<SocketAck> {
    const payload = {
      token: 'legacy-verification-token', team_id: 'T_TEST', team_domain: 'diagbot-test', channel_id: 'C_INCIDENT', channel_name: 'incident',
      user_id: 'U_ALICE', user_name: 'alice', command: '/diagnose', text: '', api_app_id: this.appId, is_enterprise_install: 'false',
      response_url: 'https://hooks.slack.com/commands/T_TEST/1/abc', trigger_id: `${Date.now()}.1.${randomBytes(16).toString('hex')}`, ...fields,
    };
    return this.deliver('slash_commands', payload, { acceptsResponsePayload: true, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  /** An interactive payload (block_actions, view_submission…) as Slack delivers it over the socket. */
  interactive(payload: JsonObject, timeoutMs?: number): Promise<SocketAck> {
    return this.deliver('interactive', payload, { acceptsResponsePayload: false, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  /** Slack's `disconnect` message on every open socket, then it closes them (as Slack does a little later). */
  disconnect(reason: DisconnectReason, closeAfterMs = 200): void {
    for (const ws of this.open) {
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-applink' } }));
      setTimeout(() => ws.close(1000), closeAfterMs).unref();
    }
  }

  /** The network drops every socket without a close frame. */
  drop(): void {
    for (const ws of this.open) ws.terminate();
  }

  close(): void {
    clearInterval(this.ping);
    for (const ws of this.open) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.open.add(ws);
    ws.on('close', () => { this.open.delete(ws); this.changed(); });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      try {
        const msg = JSON.parse(data.toString('utf8')) as { envelope_id?: unknown; payload?: unknown };
        if (typeof msg.envelope_id === 'string') {
          this.acks.push({ envelope_id: msg.envelope_id, ...(msg.payload !== undefined ? { payload: msg.payload } : {}), at: Date.now() });
        }
      } catch { /* Slack ignores what it cannot parse */ }
      this.changed();
    });
    this.connections += 1;
    ws.send(JSON.stringify({
      type: 'hello', num_connections: this.open.size,
      debug_info: { host: 'fake-applink', build_number: 1, approximate_connection_time: 18060 }, connection_info: { app_id: this.appId },
    }));
    this.changed();
  }

  private changed(): void { this.events.emit('change'); }

  private until<T>(check: () => T | undefined | false, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const test = () => { if (check()) { done(); resolve(); } };
      const timer = setTimeout(() => { done(); reject(new Error(`fake Slack: no ${what} within ${timeoutMs} ms`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); this.events.off('change', test); };
      this.events.on('change', test);
      test();
    });
  }
}
