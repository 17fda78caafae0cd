import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthRoutes, metricsRoute, type Route } from '../web/health-routes.js';
import { sendText } from '../web/http-io.js';
import type { ServiceContext } from './service-context.js';

export interface HealthServer { port: number; stop(): Promise<void> }

/** Whether /metrics leaves PORT for a listener of its own (METRICS_PORT set). */
export const metricsOnOwnPort = (ctx: ServiceContext) => ctx.config.METRICS_PORT !== undefined;

/** The health routes as PORT serves them, per METRICS_PORT / METRICS_TOKEN. */
export function portHealthRoutes(ctx: ServiceContext): Route[] {
  return healthRoutes(ctx, { metrics: !metricsOnOwnPort(ctx), ...(ctx.config.METRICS_TOKEN ? { metricsToken: ctx.config.METRICS_TOKEN } : {}) });
}

async function serveRoutes(ctx: ServiceContext, routes: Route[], host: string, port: number, what: string): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find((r) => r.path === path && r.method === req.method);
    if (!route) return sendText(res, 404, 'not found');
    Promise.resolve(route.handler(req, res)).catch(() => { if (!res.headersSent) sendText(res, 500, 'error'); });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  ctx.log.info({ port: bound, host }, `${what} listening`);
  return {
    port: bound,
    stop: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

/**
 * `diagbot worker` alone has no Slack receiver, but it is where diagnoses, remediations and Slack
 * calls happen: it serves /healthz, /readyz and (unless METRICS_PORT moves it) /metrics on PORT.
 */
export function startHealthServer(ctx: ServiceContext, host = '0.0.0.0'): Promise<HealthServer> {
  return serveRoutes(ctx, portHealthRoutes(ctx), host, ctx.config.PORT, 'health');
}

/** METRICS_PORT: /metrics alone on METRICS_HOST (loopback unless set), still behind METRICS_TOKEN if one is set. */
export function startMetricsServer(ctx: ServiceContext): Promise<HealthServer> {
  return serveRoutes(ctx, [metricsRoute(ctx.metrics, ctx.config.METRICS_TOKEN)], ctx.config.METRICS_HOST, ctx.config.METRICS_PORT ?? 0, 'metrics');
}
