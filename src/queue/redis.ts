import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * Producers (web) fail fast when Redis is gone, so a webhook gets its 503 at once instead of
 * waiting in ioredis's offline queue; workers wait and reconnect, as BullMQ requires.
 */
export function createRedis(url: string, role: 'producer' | 'worker'): Redis {
  const opts: RedisOptions = {
    connectTimeout: 3000,
    lazyConnect: false,
    enableAutoPipelining: false,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    ...(role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3000 }
      : { maxRetriesPerRequest: null }),
  };
  const redis = new Redis(url, opts);
  // Connection errors are reported by readiness and by the calls that fail; an 'error' event
  // without a listener would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves once the connection is ready, so a fresh process does not refuse its first webhook. */
export function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { redis.off('ready', onReady); reject(new Error(`not ready within ${timeoutMs} ms`)); }, timeoutMs);
    const onReady = () => { clearTimeout(timer); resolve(); };
    redis.once('ready', onReady);
  });
}
