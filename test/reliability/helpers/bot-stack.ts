import type pg from 'pg';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack.js';
import { serviceEnv } from '../../helpers/diagbot-service.js';
import { startDiagbotProcess, stopAll, type DiagbotProcess } from './bot.js';
import { checkPool } from './private-postgres.js';

/** A service of the test's own that diagbot connects to by URL and the test stops at the end. */
export interface OwnedService { url: string; stop(): Promise<void> }

export interface BotStack<R extends OwnedService, P extends OwnedService> {
  fake: FakeSlack;
  redis: R;
  postgres: P;
  /** The test's own connection for checking what diagbot stored. */
  pool: pg.Pool;
  /** `diagbot web` first, then `diagbot worker`. */
  procs: DiagbotProcess[];
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * What most reliability tests stand on: the fake Slack, a Redis and a Postgres side of their own
 * (whichever kind the test breaks), and `diagbot web` + `diagbot worker` as processes using them.
 */
export async function startBotStack<R extends OwnedService, P extends OwnedService>(o: {
  channel: { id: string; name: string };
  redis: () => Promise<R>;
  postgres: () => Promise<P>;
  inventoryPath: string;
  extra?: Record<string, string>;
}): Promise<BotStack<R, P>> {
  const fake = await startFakeSlack({ channels: [o.channel] });
  const [redis, postgres] = await Promise.all([o.redis(), o.postgres()]);
  const env = serviceEnv({ databaseUrl: postgres.url, slackApiUrl: fake.url, inventoryPath: o.inventoryPath, redisUrl: redis.url,
    extra: { LOG_LEVEL: 'info', ...o.extra } });
  const procs = [await startDiagbotProcess('web', env), await startDiagbotProcess('worker', env)];
  const pool = checkPool(postgres.url);
  return {
    fake, redis, postgres, pool, procs, env,
    async stop() {
      await stopAll(procs);
      await pool.end();
      await fake.close();
      await Promise.all([redis.stop(), postgres.stop()]);
    },
  };
}
