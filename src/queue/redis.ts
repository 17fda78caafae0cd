import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config/redis-target.js';

export type { Redis } from 'ioredis';

/** One server or Sentinel-managed primary (a Redis), or a Cluster: BullMQ and the replay guard take either. */
export type RedisConnection = Redis | Cluster;

/**
 * Producers (web) fail fast when Redis is gone, so a webhook gets its 503 at once instead of
 * waiting in ioredis's offline queue; workers wait and reconnect, as BullMQ requires.
 */
function roleOptions(role: 'producer' | 'worker'): RedisOptions {
  return {
    connectTimeout: 3000,
    lazyConnect: false,
    enableAutoPipelining: false,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    ...(role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3000 }
      : { maxRetriesPerRequest: null }),
  };
}

export function createRedis(target: RedisTarget, role: 'producer' | 'worker'): RedisConnection {
  const opts = roleOptions(role);
  let redis: RedisConnection;
  if (target.kind === 'single') {
    redis = new Redis(target.url, opts);
  } else if (target.kind === 'sentinel') {
    redis = new Redis({
      ...opts,
      sentinels: target.sentinels, name: target.name, db: target.db,
      ...(target.username ? { username: target.username } : {}), ...(target.password ? { password: target.password } : {}),
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      // A primary that was demoted (SENTINEL FAILOVER, or a crashed one back as a replica) answers
      // READONLY: that means "reconnect and ask the sentinels again", not "fail the command".
      // (Not ioredis's failoverDetector: a +switch-master arriving while it was still connecting
      // ended the connection for good, and the worker never reconnected.)
      sentinelRetryStrategy: (times) => Math.min(200 * times, 2000),
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    });
  } else {
    const { retryStrategy: _unused, enableOfflineQueue, ...perNode } = opts;
    redis = new Cluster(target.nodes, {
      redisOptions: { ...perNode, ...(target.username ? { username: target.username } : {}),
        ...(target.password ? { password: target.password } : {}), ...(target.tls ? { tls: {} } : {}) },
      enableOfflineQueue: enableOfflineQueue ?? true,
      clusterRetryStrategy: (times) => Math.min(200 * times, 2000),
      // Slots move during a failover or resharding: follow MOVED/ASK rather than fail at once.
      maxRedirections: 16, retryDelayOnFailover: 200, retryDelayOnClusterDown: 500,
      enableReadyCheck: true,
    });
  }
  // Connection errors are reported by readiness and by the calls that fail; an 'error' event
  // without a listener would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves once the connection is ready, so a fresh process does not refuse its first webhook. */
export function waitForRedis(redis: RedisConnection, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { redis.off('ready', onReady); reject(new Error(`not ready within ${timeoutMs} ms`)); }, timeoutMs);
    const onReady = () => { clearTimeout(timer); resolve(); };
    redis.once('ready', onReady);
  });
}
