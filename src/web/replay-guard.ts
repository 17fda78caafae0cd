import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import { verifySlackRequest, type HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../log/logger.js';
import { withTimeout } from '../util/with-timeout.js';
import { HttpError, readBody } from './http-io.js';

// Slack's rules: a request is accepted while its timestamp is within 5 minutes of our clock.
// Bolt 5.1 (HTTPModuleFunctions.parseAndVerifyHTTPRequest → verifySlackRequest) only rejects
// timestamps more than 5 minutes *old*, not ones in the future, and it never remembers what it
// accepted: a captured request can be replayed as often as the attacker likes within the window.
// This guard sits in front of Bolt's request listener for the events endpoint and adds:
// - the same signature check (Bolt's own verifySlackRequest), so only verified requests reach
//   the replay memory (garbage cannot fill Redis or pre-empt a genuine request);
// - a refusal of timestamps more than 5 minutes ahead;
// - single use: each accepted signature is stored with SET NX PX in Redis (shared by every web
//   process); a second use is answered 401; when Redis cannot answer, 503 (fail closed);
// - a refusal of `ssl_check=1` bodies that carry anything else: Bolt answers those unsigned (it
//   strips the rest), but Slack's real check only sends ssl_check and token.
// Bolt then runs exactly as before (it re-verifies the signature on the buffered body).

export const SLACK_MAX_AGE_SEC = 300;
export const SLACK_MAX_AHEAD_SEC = 300;
/** Tolerated clock difference between web processes sharing the replay memory. */
export const CLOCK_SKEW_MS = 60_000;
/**
 * How long a signature is remembered: the whole span during which its timestamp can pass the
 * window check on some process (5 min back + 5 min ahead), plus the clock skew between them.
 */
export const REPLAY_TTL_MS = (SLACK_MAX_AGE_SEC + SLACK_MAX_AHEAD_SEC) * 1000 + CLOCK_SKEW_MS;
const REDIS_TIMEOUT_MS = 1000;
const SSL_CHECK_FIELDS = new Set(['ssl_check', 'token']);
const FORM = 'application/x-www-form-urlencoded';

/** The Redis commands the guard needs (ioredis's `set(key, value, 'PX', ms, 'NX')`). */
export interface ReplayStore {
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<'OK' | null>;
}

export type Verdict =
  | { ok: true }
  | { ok: false; status: 401 | 413 | 408 | 503; reason: string };

export interface SlackGuardOptions {
  signingSecret: string;
  store: ReplayStore;
  /** Key namespace, e.g. the QUEUE_PREFIX, so tests and deployments sharing a Redis stay apart. */
  prefix: string;
  bodyLimit: number;
  nowMs?: () => number;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

export function replayKey(prefix: string, signature: string): string {
  return `${prefix}:slack-replay:${signature}`;
}

/**
 * Decides on a buffered Slack request. Order matters: signature and window first, so only a
 * verified request can claim its signature; then the claim.
 */
export async function checkSlackRequest(req: IncomingMessage, rawBody: Buffer, o: SlackGuardOptions): Promise<Verdict> {
  const text = rawBody.toString();
  if (req.headers['content-type'] === FORM) {
    // Mirrors Bolt's own test for the unsigned ssl_check path.
    const form = parseForm(text);
    if (form.ssl_check === '1') {
      const extra = Object.keys(form).filter((k) => !SSL_CHECK_FIELDS.has(k));
      return extra.length === 0 ? { ok: true }
        : { ok: false, status: 401, reason: `ssl_check request carrying other fields (${extra.slice(0, 5).join(', ')})` };
    }
  }
  const signature = header(req, 'x-slack-signature');
  const timestamp = header(req, 'x-slack-request-timestamp');
  if (signature === undefined || timestamp === undefined) {
    return { ok: false, status: 401, reason: 'missing x-slack-signature or x-slack-request-timestamp header' };
  }
  const now = o.nowMs?.() ?? Date.now();
  const ts = Number(timestamp);
  try {
    verifySlackRequest({ signingSecret: o.signingSecret, body: text, nowMilliseconds: now,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': ts } });
  } catch (err) {
    return { ok: false, status: 401, reason: (err as Error).message };
  }
  if (ts > Math.floor(now / 1000) + SLACK_MAX_AHEAD_SEC) {
    return { ok: false, status: 401, reason: `x-slack-request-timestamp is more than ${SLACK_MAX_AHEAD_SEC} s in the future` };
  }
  // A verified signature is `v0=` + 64 lowercase hex digits (anything else fails the comparison).
  let claimed: 'OK' | null;
  try {
    claimed = await withTimeout(o.store.set(replayKey(o.prefix, signature.slice(3)), String(ts), 'PX', REPLAY_TTL_MS, 'NX'),
      REDIS_TIMEOUT_MS, 'replay memory (Redis)');
  } catch (err) {
    return { ok: false, status: 503, reason: `replay memory unavailable: ${(err as Error).message}` };
  }
  return claimed === 'OK' ? { ok: true } : { ok: false, status: 401, reason: 'replayed request (signature already used)' };
}

function refuse(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...(status === 503 ? { 'retry-after': '5' } : {}), ...headers });
  res.end();
}

/**
 * Puts the guard in front of Bolt's HTTPReceiver for its events endpoint(s). HTTPReceiver's
 * server calls `receiver.requestListener` per request, and Bolt's parser reuses a body already
 * buffered on `req.rawBody`, so the guard reads the body once and hands the same request on.
 */
export function installSlackRequestGuard(receiver: HTTPReceiver, o: SlackGuardOptions & { endpoints: string[]; log: Logger }): void {
  const bolt: RequestListener = receiver.requestListener;
  const guarded: RequestListener = (req, res) => {
    let path: string;
    try { path = new URL(req.url ?? '/', 'http://localhost').pathname; } catch { path = ''; }
    if (req.method?.toUpperCase() !== 'POST' || !o.endpoints.includes(path)) return bolt(req, res);
    void (async () => {
      let raw: Buffer;
      try {
        raw = await readBody(req, o.bodyLimit);
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 400;
        o.log.warn({ status, reason: (err as Error).message }, 'Slack request refused');
        refuse(res, status, err instanceof HttpError ? err.headers : {});
        if (status === 413) res.on('finish', () => req.destroy());
        return;
      }
      const verdict = await checkSlackRequest(req, raw, o);
      if (!verdict.ok) {
        const entry = { status: verdict.status, reason: verdict.reason, path };
        if (verdict.status === 503) o.log.error(entry, 'Slack request refused');
        else o.log.warn(entry, 'Slack request refused');
        refuse(res, verdict.status);
        return;
      }
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
      bolt(req, res);
    })().catch((err: unknown) => {
      o.log.error({ err }, 'Slack request guard failed');
      refuse(res, 500);
    });
  };
  receiver.requestListener = guarded;
}
