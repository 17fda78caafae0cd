import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { Metrics } from '../metrics/metrics.js';
import type { RedisConnection } from '../queue/redis.js';
import { withTimeout } from '../util/with-timeout.js';
import { sendJson, sendText } from './http-io.js';

const CHECK_TIMEOUT_MS = 2000;

async function check(what: string, fn: () => Promise<unknown>): Promise<string | null> {
  try {
    await withTimeout(fn(), CHECK_TIMEOUT_MS, 'check');
    return null;
  } catch (err) {
    return `${what}: ${(err as Error).message.split('\n')[0]}`;
  }
}

export function healthRoutes(deps: { pool: pg.Pool; redis: RedisConnection; metrics: Metrics }) {
  return [
    { path: '/healthz', method: 'GET', handler: (_req: IncomingMessage, res: ServerResponse) => sendJson(res, 200, { ok: true }) },
    {
      path: '/readyz', method: 'GET',
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
        const problems = (await Promise.all([
          check('postgres', () => deps.pool.query('SELECT 1')),
          check('redis', () => deps.redis.ping()),
        ])).filter((p): p is string => p !== null);
        sendJson(res, problems.length === 0 ? 200 : 503, { ok: problems.length === 0, problems });
      },
    },
    {
      path: '/metrics', method: 'GET',
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
        sendText(res, 200, await deps.metrics.registry.metrics(), deps.metrics.registry.contentType);
      },
    },
  ];
}
