import type { ServiceRole } from '../config/service-config.js';
import { startHealthServer, startMetricsServer, type HealthServer } from './health-server.js';
import { createServiceContext } from './service-context.js';
import { startWeb, type WebHandle } from './web.js';
import { startWorker, type WorkerHandle } from './worker.js';

/**
 * `diagbot start|web|worker`: runs until SIGTERM/SIGINT, then stops taking work, lets running
 * jobs finish within SHUTDOWN_TIMEOUT_MS, and exits. A job still running at the deadline is
 * picked up again by another worker once its lock expires.
 */
export async function runService(role: Exclude<ServiceRole, 'migrate'>, env: Record<string, string | undefined> = process.env): Promise<void> {
  const ctx = await createServiceContext(role, env);
  const { log } = ctx;
  let web: WebHandle | undefined;
  let worker: WorkerHandle | undefined;
  let health: HealthServer | undefined;
  let metricsServer: HealthServer | undefined;
  try {
    if (ctx.config.METRICS_PORT !== undefined) metricsServer = await startMetricsServer(ctx);
    if (role !== 'worker') web = await startWeb(ctx);
    else health = await startHealthServer(ctx);
    if (role !== 'web') worker = await startWorker(ctx);
  } catch (err) {
    await metricsServer?.stop().catch(() => undefined);
    await ctx.close();
    throw err;
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal, deadlineMs: ctx.config.SHUTDOWN_TIMEOUT_MS }, 'shutting down');
      const deadline = setTimeout(() => {
        log.error('shutdown deadline passed with work still running; exiting anyway');
        process.exit(1);
      }, ctx.config.SHUTDOWN_TIMEOUT_MS);
      deadline.unref();
      (async () => {
        await web?.stop().catch((err) => log.warn({ err }, 'web stop failed'));
        await worker?.stop().catch((err) => log.warn({ err }, 'worker stop failed'));
        await health?.stop().catch(() => undefined);
        await metricsServer?.stop().catch(() => undefined);
        await ctx.close();
        log.info('stopped');
        resolve();
      })();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
