import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { Metrics } from '../metrics/metrics.js';
import type { RedisConnection } from '../queue/redis.js';
import { withTimeout } from '../util/with-timeout.js';
import { bearerMatches } from './bearer-auth.js';
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

export interface Route { path: string; method: string; handler: (req: IncomingMessage, res: ServerResponse) => unknown }

/** /metrics alone, behind METRICS_TOKEN when one is set (bearer, compared in constant time). */
export function metricsRoute(metrics: Metrics, token?: string): Route {
  return {
    path: '/metrics', method: 'GET',
    handler: async (req: IncomingMessage, res: ServerResponse) => {
      if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="diagbot metrics"');
        return sendText(res, 401, 'unauthorized: send Authorization: Bearer <METRICS_TOKEN>');
      }
      sendText(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
    },
  };
}

/**
 * /healthz and /readyz, always open (orchestrators probe them without credentials), and
 * /metrics unless it is served on its own listener (`metrics: false`).
 */
export function healthRoutes(deps: { pool: pg.Pool; redis: RedisConnection; metrics: Metrics },
  opts: { metrics?: boolean; metricsToken?: string } = {}): Route[] {
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
    ...(opts.metrics === false ? [] : [metricsRoute(deps.metrics, opts.metricsToken)]),
  ];
}
