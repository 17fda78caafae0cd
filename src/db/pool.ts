import pg from 'pg';

/** Every query and connect attempt is bounded, so a dead Postgres turns into a fast 503. */
export const DB_TIMEOUTS = { connectMs: 3000, statementMs: 10_000, idleInTransactionMs: 30_000 };

export function createPool(databaseUrl: string, opts: { max?: number; applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 10,
    connectionTimeoutMillis: DB_TIMEOUTS.connectMs,
    statement_timeout: DB_TIMEOUTS.statementMs,
    query_timeout: DB_TIMEOUTS.statementMs + 1000,
    idle_in_transaction_session_timeout: DB_TIMEOUTS.idleInTransactionMs,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'diagbot',
    keepAlive: true,
  });
  // An idle client losing its server emits 'error' on the pool; without a listener that kills the process.
  pool.on('error', () => undefined);
  return pool;
}

/** A pool or a client inside a transaction: stores take either. */
export type Queryable = pg.Pool | pg.PoolClient;

/** Runs fn in a transaction on one client; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // The pool stops listening for a client's errors while it is checked out: a server that dies
  // mid-transaction would emit an unhandled 'error' and kill the process. The query in flight
  // fails too, so the listener only has to note it (and the broken client is not pooled again).
  let lost: Error | undefined;
  const onError = (err: Error) => { lost = err; };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
}
