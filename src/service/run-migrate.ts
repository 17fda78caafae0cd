import { loadServiceConfig } from '../config/service-config.js';
import { migrate } from '../db/migrate.js';
import { createLogger } from '../log/logger.js';

/** `diagbot migrate`: applies pending migrations and says what it did. */
export async function runMigrate(env: Record<string, string | undefined> = process.env, out = process.stdout): Promise<void> {
  const config = loadServiceConfig(env, 'migrate');
  const applied = await migrate(config.DATABASE_URL, createLogger({ level: config.LOG_LEVEL }));
  out.write(applied.length > 0 ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database is up to date\n');
}
