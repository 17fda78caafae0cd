import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Admin connection to the machine's Postgres (trust auth on 127.0.0.1, as CI sets it up). */
export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase { url: string; name: string; drop(): Promise<void> }

/** A fresh database per test file, so files can run in parallel without seeing each other. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `diagbot_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await admin.connect().catch((err: Error) => {
    throw new Error(`tests need PostgreSQL at ${PG_ADMIN_URL} (start it: see .ci/run): ${err.message}`);
  });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(), name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
      await c.connect();
      try {
        // A client just ended may still be saying goodbye: forced out then, its "terminating
        // connection" error reaches no listener and fails the run. Wait (≤ 2 s) for them to go.
        for (let i = 0; i < 40; i++) {
          const r = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (r.rows[0]!.n === 0) break;
          await new Promise((res) => setTimeout(res, 50));
        }
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
