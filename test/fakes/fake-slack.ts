// A local stand-in for Slack's Web API (and response_url) that behaves like Slack for what diagbot uses, so the
// real @slack/web-api client and Bolt can be driven end to end without network access.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail } from './fake-slack-content.js';
import { FaultQueue } from './fake-slack-faults.js';
import { BodyTooLarge, parseRequest, readBody, sendJson, sendText } from './fake-slack-http.js';
import { compact, METHODS, type MethodContext } from './fake-slack-methods.js';
import { answerResponseUrl, type ResponseUrlBinding } from './fake-slack-response-url.js';
import { FakeSocketMode } from './fake-slack-socket.js';
import { FakeSlackState, identityFrom } from './fake-slack-state.js';
import type { FakeCall, FakeEphemeral, FakeMessage, FakeSlackOptions, JsonObject } from './fake-slack-types.js';

export type * from './fake-slack-types.js';
export type { ResponseUrlBinding } from './fake-slack-response-url.js';
export type { DisconnectReason, FakeSocketMode, SocketAck } from './fake-slack-socket.js';
export { BLOCK_LIMITS, validateBlocks } from './block-kit-limits.js';

const DEFAULT_MAX_BODY = 2 * 1024 * 1024;

const safeDecode = (s: string): string => { try { return decodeURIComponent(s); } catch { return s; } };

/** Starts a fake Slack on 127.0.0.1 at a free port; pass `fake.url` as Bolt's / WebClient's `slackApiUrl`. */
export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return new FakeSlack(server, `http://127.0.0.1:${port}`, opts);
}

export class FakeSlack {
  /** Web API base, ending in '/' as WebClient expects: `${url}chat.postMessage`. */
  readonly url: string;
  private readonly log: FakeCall[] = [];
  private readonly changes = new EventEmitter();
  private readonly faults = new FaultQueue();
  private readonly bindings = new Map<string, ResponseUrlBinding>();
  private readonly state: FakeSlackState;
  private readonly ctx: MethodContext;
  /** Socket Mode: apps.connections.open (with `appToken`) and the WebSocket it points to. */
  readonly socket: FakeSocketMode;

  constructor(private readonly server: Server, readonly origin: string, private readonly opts: FakeSlackOptions) {
    this.url = `${origin}/api/`;
    const identity = identityFrom(opts);
    this.state = new FakeSlackState(opts, identity);
    this.ctx = { state: this.state, identity, opts };
    this.faults.latencyMs = opts.latencyMs ?? 0;
    this.changes.setMaxListeners(0);
    this.socket = new FakeSocketMode(origin, opts.appToken ?? 'xapp-test-token', identity.appId);
    server.on('upgrade', (req, socket, head) => this.socket.upgrade(req, socket, head));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /** A response_url on this server; bind it to say where in_channel / replace_original / ephemeral answers land. */
  responseUrl(id: string, binding: ResponseUrlBinding = {}): string {
    this.bindings.set(id, binding);
    return `${this.origin}/response/${encodeURIComponent(id)}`;
  }

  get calls(): readonly FakeCall[] { return [...this.log]; }
  callsTo(method: string): FakeCall[] { return this.log.filter((c) => c.method === method); }

  /** Top-level messages in a channel (id or name), oldest first, each with `replies` and `edits`. */
  messages(channel: string): FakeMessage[] { return this.state.messages(this.channelId(channel)); }
  message(channel: string, ts: string): FakeMessage | undefined {
    const m = this.state.find(this.channelId(channel), ts);
    return m && structuredClone(m);
  }
  /** Replies under the message `ts` (without the parent), oldest first; [] when there is none. */
  thread(channel: string, ts: string): FakeMessage[] { return this.message(channel, ts)?.replies ?? []; }
  ephemerals(channel?: string): FakeEphemeral[] {
    return structuredClone(this.state.ephemerals.filter((e) => channel === undefined || e.channel === this.channelId(channel)));
  }
  views(): JsonObject[] { return structuredClone(this.state.views); }

  /** Puts a message from a person into a channel (e.g. one the bot should reply under); returns its ts. */
  seedMessage(channel: string, m: { text: string; user?: string; thread_ts?: string; blocks?: unknown[] }): string {
    const ts = this.state.nextTs();
    const { text, user = 'U_ALICE', thread_ts, blocks } = m;
    this.state.add(compact({ type: 'message' as const, channel: this.channelId(channel), ts, text, user, thread_ts, blocks, replies: [], edits: [] }));
    this.changed();
    return ts;
  }

  /** The next n calls (of `method`, else any Web API method) answer HTTP 429 + Retry-After, with no effect. */
  rateLimitNext(n: number, retryAfterSec = 1, method?: string): void { this.faults.add({ kind: 'ratelimit', retryAfterSec }, n, method); }
  /** The next n calls answer `{ok:false, error}` with no effect. */
  failNext(n: number, error: string, method?: string): void { this.faults.add({ kind: 'fail', error }, n, method); }
  serverErrorNext(n: number, status = 500, method?: string): void { this.faults.add({ kind: 'server', status }, n, method); }
  /**
   * The next n calls (of `method`) take effect, then their answer is lost: 'reset' drops the connection at once,
   * 'hang' never answers (the client's timeout ends it). What Slack does when the network fails after it accepted a call.
   */
  dropAnswerNext(n: number, mode: 'reset' | 'hang' = 'reset', method?: string): void { this.faults.add({ kind: 'drop', mode }, n, method); }
  delayNext(n: number, ms: number, method?: string): void { this.faults.addDelay(ms, n, method); }
  setLatency(ms: number): void { this.faults.latencyMs = ms; }
  /** The bot token's scopes from now on (reset() restores the configured ones). */
  setScopes(scopes: string[] | undefined): void { this.ctx.opts = { ...this.opts, scopes }; }

  /**
   * Resolves with the predicate's first truthy value, re-checked after every call and state change; rejects after
   * `timeoutMs` with a listing of the calls seen. A predicate that throws counts as not yet.
   */
  waitFor<T>(predicate: (fake: FakeSlack) => T | undefined | null | false | 0 | '', timeoutMs = 2000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let lastError: unknown;
      const check = (): void => {
        try {
          const v = predicate(this);
          if (v) { cleanup(); resolve(v); }
        } catch (err) { lastError = err; }
      };
      const timer = setTimeout(() => {
        cleanup();
        const why = lastError === undefined ? '' : ` (predicate last threw: ${String(lastError)})`;
        reject(new Error(`fake Slack: condition not met within ${timeoutMs} ms${why}\n${this.describeCalls()}`));
      }, timeoutMs);
      const cleanup = (): void => { clearTimeout(timer); this.changes.off('change', check); };
      this.changes.on('change', check);
      check();
    });
  }

  /** One line per call: what was asked and what the fake answered. */
  describeCalls(): string {
    if (this.log.length === 0) return '  (no calls)';
    const t0 = this.log[0]?.at ?? 0;
    return this.log.map((c, i) => {
      const r = c.response as JsonObject | string;
      const outcome = typeof r === 'string' ? r.slice(0, 60) : r.ok ? 'ok' : `error=${String(r.error)}`;
      const args = JSON.stringify(c.body);
      return `  #${i + 1} +${c.at - t0}ms ${c.method} → ${c.status} ${outcome} ${args.length > 300 ? `${args.slice(0, 300)}…` : args}`;
    }).join('\n');
  }

  /** Forgets calls, messages, faults and latency; channels and users return to the configured ones. */
  reset(): void {
    this.log.length = 0;
    this.state.reset();
    this.faults.clear();
    this.faults.latencyMs = this.opts.latencyMs ?? 0;
    this.bindings.clear();
    this.ctx.opts = this.opts;
  }

  async close(): Promise<void> {
    this.faults.clear();
    this.socket.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private channelId(ref: string): string { return this.state.resolveChannel(ref)?.id ?? ref; }

  private changed(): void { this.changes.emit('change'); }

  private finish(res: ServerResponse, call: Omit<FakeCall, 'status' | 'response'>, status: number, response: unknown,
    headers: Record<string, string> = {}): void {
    this.log.push({ ...call, status, response });
    if (status === 0) res.destroy();
    else if (typeof response === 'string') sendText(res, status, response, headers);
    else sendJson(res, status, response, headers);
    this.changed();
  }

  /** The call took effect (logged with what it would have answered, status 0); the client never hears of it. */
  private dropAnswer(req: IncomingMessage, res: ServerResponse, call: Omit<FakeCall, 'status' | 'response'>, mode: 'reset' | 'hang',
    response: JsonObject): void {
    this.log.push({ ...call, status: 0, response: { ...response, answer_dropped: mode } });
    this.changed();
    if (mode === 'reset') { res.destroy(); return; }
    // Held until the client gives up; close() ends it too (closeAllConnections).
    req.socket.once('close', () => res.destroy());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try { url = new URL(req.url ?? '/', this.origin); } catch { url = new URL('/', this.origin); }
    const api = /^\/api\/([^/]+)$/.exec(url.pathname)?.[1];
    const hook = /^\/response\/([^/]+)$/.exec(url.pathname)?.[1];
    const method = api !== undefined ? safeDecode(api) : hook !== undefined ? 'response_url' : undefined;
    const call: Omit<FakeCall, 'status' | 'response'> = {
      method: method ?? url.pathname, body: {}, contentType: String(req.headers['content-type'] ?? ''), at: Date.now(),
      ...(hook !== undefined ? { responseUrlId: safeDecode(hook) } : {}),
    };
    try {
      if (method === undefined) return this.finish(res, call, 404, 'not_found');
      if (req.method !== 'POST' && !(api !== undefined && req.method === 'GET')) return this.finish(res, call, 405, 'method_not_allowed');
      const body = await readBody(req, this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY);
      let parsed;
      try { parsed = await parseRequest(req, body, url); } catch {
        call.body = { raw: body.toString('utf8', 0, 2000) };
        return this.finish(res, call, hook !== undefined ? 400 : 200, fail(call.contentType.includes('json') ? 'invalid_json' : 'invalid_form_data'));
      }
      Object.assign(call, { body: parsed.args, token: parsed.token });
      const delay = this.faults.delayFor(method);
      if (delay > 0) await sleep(delay);
      const fault = this.faults.next(method);
      if (fault?.kind === 'ratelimit') {
        return this.finish(res, call, 429, fail('ratelimited'), { 'retry-after': String(fault.retryAfterSec) });
      }
      if (fault?.kind === 'fail') return this.finish(res, call, 200, fail(fault.error));
      if (fault?.kind === 'server') return this.finish(res, call, fault.status, 'Internal Server Error');
      if (hook !== undefined) {
        const id = call.responseUrlId ?? '';
        const answer = answerResponseUrl(this.ctx, id, this.bindings.get(id) ?? {}, parsed.args, this.opts.responseUrlUses ?? 5);
        return this.finish(res, call, answer.status, answer.body);
      }
      // The one method that takes the app-level token (xapp-), not the bot token.
      if (method === 'apps.connections.open') return this.finish(res, call, 200, this.socket.connectionsOpen(parsed.token));
      const handler = METHODS[method];
      if (!handler) return this.finish(res, call, 200, { ...fail('unknown_method'), req_method: method });
      if (!parsed.token) return this.finish(res, call, 200, fail('not_authed'));
      if (parsed.token !== this.ctx.identity.botToken) return this.finish(res, call, 200, fail('invalid_auth'));
      const response = handler(this.ctx, parsed.args);
      if (fault?.kind === 'drop') return this.dropAnswer(req, res, call, fault.mode, response);
      // Slack's own warning for JSON bodies that do not declare a charset.
      if (parsed.isJson && !parsed.charset && response.ok) {
        Object.assign(response, { warning: 'missing_charset', response_metadata: { warnings: ['missing_charset'] } });
      }
      return this.finish(res, call, 200, response);
    } catch (err) {
      if (err instanceof BodyTooLarge) return this.finish(res, call, 413, fail('request_too_large'), { connection: 'close' });
      // The client went away mid-request: nothing to answer, but the attempt stays visible in the log.
      if (req.destroyed && !req.complete) return this.finish(res, call, 0, 'client_aborted');
      return this.finish(res, call, 500, { ...fail('fatal_error'), detail: String(err) });
    }
  }
}
