// Shared bits of the attack suite: sending requests, reading back what the service did, cleaning up.
import { Redis } from 'ioredis';
import type { FakeSlack } from '../fakes/fake-slack.js';
import { TEST_WEBHOOK_TOKEN } from '../helpers/diagbot-service.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface HttpAnswer { status: number; text: string; json: unknown }

export async function postWebhook(base: string, path: string, body: string | unknown, opts: { authorization?: string | null; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const authorization = opts.authorization === undefined ? `Bearer ${TEST_WEBHOOK_TOKEN}` : opts.authorization;
  const res = await fetch(`${base}${path}`, {
    method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    headers: { 'content-type': 'application/json', ...(authorization !== null ? { authorization } : {}) },
  });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json };
}

/** Every key under `${prefix}:` with its content as text (strings, hashes, lists, sets, zsets, streams). */
export async function dumpRedisPrefix(prefix: string, url = REDIS_URL): Promise<Map<string, string>> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const out = new Map<string, string>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        let value: unknown;
        if (type === 'string') value = await redis.get(key);
        else if (type === 'hash') value = await redis.hgetall(key);
        else if (type === 'list') value = await redis.lrange(key, 0, -1);
        else if (type === 'set') value = await redis.smembers(key);
        else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
        else if (type === 'stream') value = await redis.xrange(key, '-', '+');
        else value = `(${type})`;
        out.set(key, typeof value === 'string' ? value : JSON.stringify(value));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out;
}

/** Removes a test's queue prefix from the shared Redis. */
export async function deleteRedisPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every Web API and response_url call the fake saw, as one string per call. */
export function fakeCallTexts(fake: FakeSlack): string[] {
  return fake.calls.map((c) => `${c.method} ${JSON.stringify(c.body)}`);
}
