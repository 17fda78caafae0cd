import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthRoutes } from '../web/health-routes.js';
import { sendText } from '../web/http-io.js';
import type { ServiceContext } from './service-context.js';

export interface HealthServer { port: number; stop(): Promise<void> }

/**
 * `diagbot worker` alone has no Slack receiver, but it is where diagnoses, remediations and Slack
 * calls happen: it serves /healthz, /readyz and /metrics on PORT so it can be probed and scraped.
 */
export async function startHealthServer(ctx: ServiceContext, host = '0.0.0.0'): Promise<HealthServer> {
  const routes = healthRoutes(ctx);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find((r) => r.path === path && r.method === req.method);
    if (!route) return sendText(res, 404, 'not found');
    Promise.resolve(route.handler(req, res)).catch(() => { if (!res.headersSent) sendText(res, 500, 'error'); });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.config.PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ctx.log.info({ port }, 'health listening');
  return {
    port,
    stop: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
