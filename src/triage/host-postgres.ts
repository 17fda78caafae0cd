import pg from 'pg';

/**
 * One short session on a host's database (the pool probe, the pool-kill remediation), every step
 * bounded by `timeoutMs`. The URL stays in diagbot: it never reaches a host's command line.
 */
export async function withHostPostgres<T>(url: string, timeoutMs: number, applicationName: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: url, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 500, application_name: applicationName,
  });
  // A server that dies or ends our session mid-query would otherwise emit an unhandled 'error'
  // and kill the process; the query's own rejection is what gets reported.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.end().catch(() => undefined);
  }
}
