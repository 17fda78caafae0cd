import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { describeConfig, loadServiceConfig } from '../../../src/config/service-config.js';

const GOOD = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-secret', DATABASE_URL: 'postgres://u:pw@db/diagbot',
  ALERT_CHANNEL: 'C0123ABC', WEBHOOK_TOKEN: 'a-long-webhook-token-123',
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadServiceConfig({ ...GOOD, ...env }, 'start');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

describe('Redis deployment in the environment', () => {
  it('redis:// and rediss:// name one server', () => {
    expect(loadServiceConfig({ ...GOOD, REDIS_URL: 'rediss://:pw@cache:6380/2' }, 'start').redis)
      .toEqual({ kind: 'single', url: 'rediss://:pw@cache:6380/2' });
  });

  it('redis+sentinel:// names the sentinels, the master name, the database and the password', () => {
    const cfg = loadServiceConfig({ ...GOOD, REDIS_URL: 'redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2,[::1]:26380/mymaster/3' }, 'start');
    expect(cfg.redis).toEqual({ kind: 'sentinel', name: 'mymaster', db: 3, tls: false, password: 's3cret',
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }, { host: '::1', port: 26380 }] });
    // Logged without the password.
    expect(describeConfig(cfg).REDIS_URL).toBe('redis+sentinel://:****@10.0.0.1:26379,10.0.0.2:26379,[::1]:26380/mymaster/3');
    expect(JSON.stringify(describeConfig(cfg))).not.toContain('s3cret');
  });

  it('REDIS_SENTINELS + REDIS_SENTINEL_NAME (+ REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD) name the same', () => {
    const cfg = loadServiceConfig({ ...GOOD, REDIS_SENTINELS: 's1:26379, s2:26379', REDIS_SENTINEL_NAME: 'diagbot',
      REDIS_PASSWORD: 'primary-pw', REDIS_SENTINEL_PASSWORD: 'sentinel-pw' }, 'start');
    expect(cfg.redis).toEqual({ kind: 'sentinel', name: 'diagbot', db: 0, tls: false, password: 'primary-pw', sentinelPassword: 'sentinel-pw',
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }] });
    const logged = JSON.stringify(describeConfig(cfg));
    expect(logged).not.toContain('primary-pw');
    expect(logged).not.toContain('sentinel-pw');
  });

  it('a Cluster: QUEUE_PREFIX gets a {hash tag} when it has none, and keeps one it has', () => {
    const derived = loadServiceConfig({ ...GOOD, REDIS_URL: 'redis+cluster://n1:7000,n2:7001' }, 'start');
    expect(derived.redis).toEqual({ kind: 'cluster', tls: false, nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }] });
    expect(derived.QUEUE_PREFIX).toBe('{diagbot}');
    expect(derived.queuePrefixGiven).toBe('diagbot');
    const kept = loadServiceConfig({ ...GOOD, REDIS_CLUSTER_NODES: 'n1:7000', QUEUE_PREFIX: 'prod-{diagbot}' }, 'start');
    expect(kept.redis.kind).toBe('cluster');
    expect(kept.QUEUE_PREFIX).toBe('prod-{diagbot}');
    expect(kept.queuePrefixGiven).toBeUndefined();
    // Outside a Cluster the prefix is used as given.
    expect(loadServiceConfig(GOOD, 'start').QUEUE_PREFIX).toBe('diagbot');
  });

  it('lists every Redis problem with the rest, at once', () => {
    expect(problems({ REDIS_URL: 'redis+sentinel://s1:26379,s2:99999', PORT: '70000' })).toEqual([
      'PORT: Too big: expected number to be <=65535',
      'REDIS_URL sentinels: "s2:99999" is not host:port',
      'REDIS_URL: redis+sentinel:// needs the master name after the hosts (redis+sentinel://host:26379,host:26379/mymaster)',
    ]);
    expect(problems({ REDIS_SENTINELS: 's1:26379' })).toEqual([
      'REDIS_SENTINEL_NAME is not set (required with REDIS_SENTINELS: the master name the sentinels monitor)',
    ]);
    expect(problems({ REDIS_SENTINEL_NAME: 'mymaster' })).toEqual(['REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not (list the sentinels as host:port,...)']);
    expect(problems({ REDIS_URL: 'redis://x', REDIS_CLUSTER_NODES: 'n1:7000' })).toEqual(['REDIS_URL and REDIS_CLUSTER_NODES are both set: name the Redis deployment one way only']);
    expect(problems({ REDIS_URL: 'memcached://x' })).toEqual(['REDIS_URL: must start with redis://, rediss://, redis+sentinel:// or redis+cluster://']);
    expect(problems({ REDIS_URL: 'redis+cluster://n1:7000/2' })).toEqual(['REDIS_URL: a Redis Cluster has only database 0; drop the path after the hosts']);
    expect(problems({ QUEUE_PREFIX: 'a{}b' })).toEqual([expect.stringMatching(/^QUEUE_PREFIX: .*hash tag/)]);
  });
});

describe('metrics exposure settings', () => {
  it('METRICS_TOKEN, METRICS_PORT and METRICS_HOST are read, the token is never logged', () => {
    const cfg = loadServiceConfig({ ...GOOD, METRICS_TOKEN: 'scrape-token-0123456789', METRICS_PORT: '9464' }, 'start');
    expect(cfg).toMatchObject({ METRICS_TOKEN: 'scrape-token-0123456789', METRICS_PORT: 9464, METRICS_HOST: '127.0.0.1' });
    expect(JSON.stringify(describeConfig(cfg))).not.toContain('scrape-token-0123456789');
    expect(loadServiceConfig(GOOD, 'start').METRICS_PORT).toBeUndefined();
  });

  it('refuses a short token, a METRICS_PORT equal to PORT and a bad host, with the rest', () => {
    expect(problems({ METRICS_TOKEN: 'short', METRICS_PORT: '3000', METRICS_HOST: 'a host' })).toEqual([
      'METRICS_TOKEN: must be at least 16 characters',
      'METRICS_HOST: must be an address to listen on, like 127.0.0.1 or 0.0.0.0',
    ]);
    expect(problems({ METRICS_PORT: '3000' })).toEqual(['METRICS_PORT: must differ from PORT (3000); unset it to serve /metrics on PORT']);
  });
});
