import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log/logger.js';
import { createServiceContext, type ServiceContext } from '../../src/service/service-context.js';
import { startWeb } from '../../src/service/web.js';
import { startWorker } from '../../src/service/worker.js';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789';
export const TEST_WEBHOOK_TOKEN = 'test-webhook-token-0123456789';
export const TEST_BOT_TOKEN = 'xoxb-test-token';
export const ALERT_CHANNEL = 'C0ALERTS';

export interface ServiceUnderTest {
  url: string;
  ctx: ServiceContext;
  /** Every JSON log line the service wrote, parsed. */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** The environment a test service runs with; each test gets its own queue prefix. */
export function serviceEnv(o: { databaseUrl: string; slackApiUrl: string; inventoryPath: string; redisUrl?: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: o.slackApiUrl,
    DATABASE_URL: o.databaseUrl, REDIS_URL: o.redisUrl ?? 'redis://127.0.0.1:6379', DIAGBOT_INVENTORY: o.inventoryPath,
    ALERT_CHANNEL, WEBHOOK_TOKEN: TEST_WEBHOOK_TOKEN, PORT: '0', LOG_LEVEL: 'debug',
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`, DIAGNOSE_TIMEOUT_MS: '15000', ...o.extra,
  };
}

/** Web + worker in this process, on 127.0.0.1 and a free port. */
export async function startService(env: Record<string, string>, roles: { web?: boolean; worker?: boolean } = { web: true, worker: true }): Promise<ServiceUnderTest> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      cb();
    },
  });
  const log = createLogger({ level: 'debug', destination: sink });
  const ctx = await createServiceContext(roles.web ? 'start' : 'worker', env, log);
  const web = roles.web ? await startWeb(ctx, { host: '127.0.0.1' }) : null;
  const worker = roles.worker ? await startWorker(ctx, { sweepEveryMs: 2000 }) : null;
  return {
    url: web ? `http://127.0.0.1:${web.port}` : '', ctx, logs,
    async stop() {
      await web?.stop();
      await worker?.stop();
      await ctx.close();
    },
  };
}
