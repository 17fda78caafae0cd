import { resolve } from 'node:path';
import { runner } from 'node-pg-migrate';
import { DB_TIMEOUTS } from './pool.js';
import type { Logger } from '../log/logger.js';
import { packageRoot } from '../util/package-root.js';


/**
 * Applies pending migrations. Several processes may start at once: the advisory lock makes
 * the others wait, then find nothing left to do.
 */
export async function migrate(databaseUrl: string, log: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl: { connectionString: databaseUrl, connectionTimeoutMillis: DB_TIMEOUTS.connectMs, statement_timeout: 60_000 },
    dir: resolve(packageRoot(), 'migrations'),
    direction: 'up',
    migrationsTable: 'diagbot_migrations',
    advisoryLockMode: 'wait',
    singleTransaction: true,
    checkOrder: true,
    logger: { debug: () => undefined, info: (m: string) => log.debug({ component: 'migrate' }, m),
      warn: (m: string) => log.warn({ component: 'migrate' }, m), error: (m: string) => log.error({ component: 'migrate' }, m) },
  });
  return applied.map((m) => m.name);
}
