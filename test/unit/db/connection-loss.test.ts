import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, inTransaction } from '../../../src/db/pool.js';
import { probePostgresPool } from '../../../src/triage/postgres-pool-probe.js';

// A "Postgres" that lets clients log in (AuthenticationOk, ReadyForQuery) and then drops the
// connection as soon as a query arrives: a server crash or failover mid-query. The client's
// query must fail, and nothing may surface as an unhandled 'error' (which would kill a diagbot
// process; vitest fails the run on any).

let server: Server;
let url: string;
const sockets = new Set<Socket>();

function message(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), len, body]);
}

beforeAll(async () => {
  server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let started = false;
    sock.on('data', () => {
      if (!started) {
        started = true;
        sock.write(Buffer.concat([message('R', Buffer.alloc(4)), message('Z', Buffer.from('I'))]));
      } else {
        sock.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  url = `postgres://diagbot@127.0.0.1:${port}/diagbot`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('a Postgres connection lost mid-query', () => {
  it('fails the transaction without an unhandled error, and the broken client is not reused', async () => {
    const pool = createPool(url, { max: 1 });
    try {
      await expect(inTransaction(pool, async (c) => c.query('SELECT 1'))).rejects.toThrow(/Connection terminated/);
      // Give a stray 'error' event the chance to surface before the test ends.
      await new Promise((r) => setTimeout(r, 100));
      expect(pool.totalCount).toBe(0);
      await expect(inTransaction(pool, async (c) => c.query('SELECT 1'))).rejects.toThrow(/Connection terminated/);
    } finally {
      await pool.end();
    }
  });

  it('turns into a failed pg_activity probe, not a crash', async () => {
    const out = await probePostgresPool(url, 2000);
    await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatchObject({ id: 'pg_activity', exitCode: 1, error: expect.stringMatching(/postgres probe failed: Connection terminated/) });
  });
});
