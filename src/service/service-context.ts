import { hostname } from 'node:os';
import type pg from 'pg';
import { ConfigError } from '../config/config-error.js';
import { loadInventory, type Inventory } from '../config/inventory.js';
import { describeConfig, loadServiceConfig, type ServiceConfig, type ServiceRole } from '../config/service-config.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { JobQueues } from '../queue/job-queues.js';
import { createRedis, waitForRedis, type RedisConnection } from '../queue/redis.js';
import { loadRemediations } from '../remediation/definitions.js';
import { loadTriageCommands } from '../triage/command-set.js';

/** Everything a web or worker process shares: built once from validated config. */
export interface ServiceContext {
  config: ServiceConfig;
  inventory: Inventory;
  log: Logger;
  pool: pg.Pool;
  redis: RedisConnection;
  queues: JobQueues;
  metrics: Metrics;
  /** Identifies this process in leases and logs. */
  instanceId: string;
  close(): Promise<void>;
}

/**
 * Validates env and inventory together, so one start shows every problem, then connects and
 * migrates. Config problems throw ConfigError before anything connects.
 */
export async function createServiceContext(role: ServiceRole, env: Record<string, string | undefined>, log?: Logger): Promise<ServiceContext> {
  const problems: string[] = [];
  let inventory: Inventory | undefined;
  const collect = <T>(load: () => T): T | undefined => {
    try { return load(); } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const config: ServiceConfig | undefined = collect(() => loadServiceConfig(env, role));
  if (role !== 'migrate') {
    // Each file is checked even when another is broken, so one start lists every problem.
    inventory = collect(() => loadInventory(config?.DIAGBOT_INVENTORY ?? env.DIAGBOT_INVENTORY ?? './inventory.yaml', env));
    collect(loadTriageCommands);
    collect(loadRemediations);
  }
  if (problems.length > 0 || !config) throw new ConfigError(problems, 'diagbot configuration');
  const logger = log ?? createLogger({ level: config.LOG_LEVEL });
  const instanceId = `${hostname()}:${process.pid}:${role}`;
  logger.info({ role, instanceId, config: describeConfig(config) }, 'starting');
  if (config.queuePrefixGiven !== undefined) {
    logger.warn({ given: config.queuePrefixGiven, used: config.QUEUE_PREFIX },
      'Redis Cluster: QUEUE_PREFIX has no {hash tag}, so BullMQ keys would span slots; using the prefix wrapped in braces (set QUEUE_PREFIX={name} to choose)');
  }

  const pool = createPool(config.DATABASE_URL, { applicationName: `diagbot-${role}` });
  const applied = await migrate(config.DATABASE_URL, logger);
  if (applied.length > 0) logger.info({ applied }, 'database migrated');
  const redis = createRedis(config.redis, 'producer');
  await waitForRedis(redis, 10_000).catch(async (err: Error) => {
    redis.disconnect();
    await pool.end();
    throw new Error(`cannot reach Redis at ${describeConfig(config).REDIS_URL}: ${err.message}`);
  });
  const queues = new JobQueues(redis, config.QUEUE_PREFIX, 3000, config.DIAGNOSE_RETRY_BASE_MS);
  return {
    config, inventory: inventory ?? { path: null, hosts: new Map() }, log: logger, pool, redis, queues,
    metrics: createMetrics({ jobCounts: () => queues.jobCounts() }), instanceId,
    async close() {
      await queues.close();
      redis.disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
