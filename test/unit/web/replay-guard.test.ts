import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { HTTPReceiver } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/logger.js';
import {
  checkSlackRequest, installSlackRequestGuard, REPLAY_TTL_MS, replayKey, type ReplayStore, type SlackGuardOptions,
} from '../../../src/web/replay-guard.js';
import { blockActionsBody, buttonClickPayload, FORM, signSlackRequest, slashCommandBody } from '../../helpers/slack-signing.js';

const SECRET = 'unit-signing-secret';
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/** SET NX PX with an injectable clock, recording each call. */
class MemoryStore implements ReplayStore {
  readonly calls: Array<{ key: string; ttlMs: number }> = [];
  private readonly keys = new Map<string, number>();
  constructor(private readonly now: () => number) {}
  async set(key: string, _value: string, _px: 'PX', ttlMs: number, _nx: 'NX'): Promise<'OK' | null> {
    this.calls.push({ key, ttlMs });
    const until = this.keys.get(key);
    if (until !== undefined && until > this.now()) return null;
    this.keys.set(key, this.now() + ttlMs);
    return 'OK';
  }
}

function request(body: string, o: { secret?: string; tsSec?: number; headers?: Record<string, string>; omit?: string[] } = {}) {
  const headers: Record<string, string> = { ...signSlackRequest(o.secret ?? SECRET, body, o.tsSec ?? Math.floor(T0 / 1000)), ...o.headers };
  for (const h of o.omit ?? []) delete headers[h];
  return { req: { headers } as unknown as IncomingMessage, raw: Buffer.from(body) };
}

function setup(now = () => T0) {
  const store = new MemoryStore(now);
  const opts: SlackGuardOptions = { signingSecret: SECRET, store, prefix: 'unit', bodyLimit: 1024, nowMs: now };
  return { store, opts, check: (r: { req: IncomingMessage; raw: Buffer }) => checkSlackRequest(r.req, r.raw, opts) };
}

describe('checkSlackRequest', () => {
  it('accepts a signed request once and refuses the identical request again', async () => {
    const { store, check } = setup();
    const r = request(slashCommandBody({ text: 'healthy' }));
    expect(await check(r)).toEqual({ ok: true });
    expect(await check(r)).toEqual({ ok: false, status: 401, reason: 'replayed request (signature already used)' });
    const sig = r.req.headers['x-slack-signature'] as string;
    expect(store.calls).toEqual([{ key: replayKey('unit', sig.slice(3)), ttlMs: REPLAY_TTL_MS }, { key: `unit:slack-replay:${sig.slice(3)}`, ttlMs: REPLAY_TTL_MS }]);
  });

  it('remembers a signature at least as long as its timestamp can pass the window anywhere', () => {
    // 5 min back + 5 min ahead + 60 s of clock difference between web processes.
    expect(REPLAY_TTL_MS).toBe(660_000);
  });

  it('treats two different requests in the same second as different', async () => {
    const { check } = setup();
    expect(await check(request(slashCommandBody({ text: 'healthy', trigger_id: '1' })))).toEqual({ ok: true });
    expect(await check(request(slashCommandBody({ text: 'healthy', trigger_id: '2' })))).toEqual({ ok: true });
  });

  it.each([
    ['no headers', { omit: ['x-slack-signature', 'x-slack-request-timestamp'] }, /missing/],
    ['no signature', { omit: ['x-slack-signature'] }, /missing/],
    ['no timestamp', { omit: ['x-slack-request-timestamp'] }, /missing/],
    ['wrong secret', { secret: 'not-the-secret' }, /signature mismatch/],
    ['garbage signature', { headers: { 'x-slack-signature': 'v0=zz' } }, /signature mismatch/],
    ['other version', { headers: { 'x-slack-signature': 'v1=abc' } }, /unknown signature version/],
    ['non-numeric timestamp', { headers: { 'x-slack-request-timestamp': 'soon' } }, /expected type/],
    ['stale by 301 s', { tsSec: Math.floor(T0 / 1000) - 301 }, /stale/],
    ['ahead by 301 s', { tsSec: Math.floor(T0 / 1000) + 301 }, /future/],
  ])('refuses %s with 401 without touching the replay memory', async (_name, o, reason) => {
    const { store, check } = setup();
    const v = await check(request(slashCommandBody({ text: 'healthy' }), o));
    expect(v).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(reason) });
    expect(store.calls).toHaveLength(0);
  });

  it('accepts timestamps up to 5 minutes either side', async () => {
    const { check } = setup();
    expect(await check(request('a=1', { tsSec: Math.floor(T0 / 1000) - 300 }))).toEqual({ ok: true });
    expect(await check(request('a=2', { tsSec: Math.floor(T0 / 1000) + 300 }))).toEqual({ ok: true });
  });

  it('keeps refusing a replay until its timestamp is stale, then refuses it as stale', async () => {
    let now = T0;
    const { check } = setup(() => now);
    const r = request('a=1');
    expect(await check(r)).toEqual({ ok: true });
    now = T0 + 299_000;
    expect(await check(r)).toMatchObject({ ok: false, reason: /replayed/ });
    now = T0 + 301_000;
    expect(await check(r)).toMatchObject({ ok: false, reason: /stale/ });
  });

  it('lets a bare ssl_check through (Bolt answers it) and refuses one carrying a command or payload', async () => {
    const { store, check } = setup();
    const bare = { req: { headers: { 'content-type': FORM } } as unknown as IncomingMessage, raw: Buffer.from('ssl_check=1&token=legacy') };
    expect(await check(bare)).toEqual({ ok: true });
    for (const body of [
      `ssl_check=1&${slashCommandBody({ text: 'healthy' })}`,
      `${blockActionsBody(buttonClickPayload({ actionId: 'diagbot_rerun', value: '1' }))}&ssl_check=1`,
    ]) {
      const smuggled = { req: { headers: { 'content-type': FORM } } as unknown as IncomingMessage, raw: Buffer.from(body) };
      expect(await check(smuggled)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/ssl_check request carrying other fields/) });
      // Even correctly signed: Slack never sends ssl_check with anything else.
      expect(await check(request(body))).toMatchObject({ ok: false, status: 401 });
    }
    expect(store.calls).toHaveLength(0);
  });

  it('fails closed with 503 when the replay memory errors or does not answer in time', async () => {
    const { opts } = setup();
    const broken: ReplayStore = { set: async () => { throw new Error('Connection is closed.'); } };
    const r = request('a=1');
    expect(await checkSlackRequest(r.req, r.raw, { ...opts, store: broken })).toMatchObject({ ok: false, status: 503, reason: expect.stringMatching(/Connection is closed/) });
    const hung: ReplayStore = { set: () => new Promise(() => undefined) };
    const started = Date.now();
    expect(await checkSlackRequest(r.req, r.raw, { ...opts, store: hung })).toMatchObject({ ok: false, status: 503, reason: expect.stringMatching(/timed out/) });
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

describe('installSlackRequestGuard', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function serve() {
    const seen: Array<{ path: string; rawBody?: string }> = [];
    const logs: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write(c: Buffer, _e, cb) { logs.push(JSON.parse(c.toString())); cb(); } });
    const bolt: RequestListener = (req, res) => {
      const raw = (req as IncomingMessage & { rawBody?: Buffer }).rawBody;
      seen.push({ path: req.url ?? '', rawBody: raw?.toString() });
      res.writeHead(200);
      res.end('bolt');
    };
    const receiver = { requestListener: bolt } as unknown as HTTPReceiver;
    const store = new MemoryStore(() => Date.now());
    installSlackRequestGuard(receiver, { signingSecret: SECRET, store, prefix: 'unit', bodyLimit: 4096, endpoints: ['/slack/events'],
      log: createLogger({ level: 'debug', destination: sink }) });
    server = createServer((req, res) => receiver.requestListener(req, res));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, logs, store };
  }

  it('hands a verified request to Bolt with its body already buffered, once', async () => {
    const { url, seen, logs } = await serve();
    const body = slashCommandBody({ text: 'healthy' });
    const headers = signSlackRequest(SECRET, body) as unknown as Record<string, string>;
    const first = await fetch(`${url}/slack/events`, { method: 'POST', body, headers });
    expect(first.status).toBe(200);
    expect(seen).toEqual([{ path: '/slack/events', rawBody: body }]);
    const again = await fetch(`${url}/slack/events`, { method: 'POST', body, headers });
    expect(again.status).toBe(401);
    expect(seen).toHaveLength(1);
    expect(logs.find((l) => l.msg === 'Slack request refused')).toMatchObject({ level: 40, status: 401, reason: expect.stringMatching(/replayed/) });
  });

  it('leaves other routes and methods to Bolt untouched, and refuses oversized bodies with 413', async () => {
    const { url, seen } = await serve();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/slack/events`)).status).toBe(200);
    expect(seen.map((s) => s.rawBody)).toEqual([undefined, undefined]);
    const big = await fetch(`${url}/slack/events`, { method: 'POST', body: 'x'.repeat(5000), headers: { 'content-type': FORM } });
    expect(big.status).toBe(413);
    expect(big.headers.get('connection')).toBe('close');
    expect(seen).toHaveLength(2);
  });
});
