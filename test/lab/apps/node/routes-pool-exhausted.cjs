/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 15, connectionTimeoutMillis: 1000 });
// The reporting job keeps its own connections open; they sit idle most of the time.
const reporting = new Pool({ connectionString: process.env.DATABASE_URL, max: 2, idleTimeoutMillis: 0 });

module.exports = (ctx) => {
  pool.on('error', (err) => ctx.log('ERROR', `idle client error: ${err.stack}`));
  reporting.on('error', (err) => ctx.log('ERROR', `reporting client error: ${err.stack}`));
  Promise.all([reporting.query('SELECT 1'), reporting.query('SELECT 1')])
    .then(() => ctx.log('INFO', 'reporting pool warmed up (2 connections)'))
    .catch((err) => ctx.log('ERROR', `reporting pool warm-up failed: ${err.stack}`));

  let checkouts = 0;
  return {
    ...require('./catalog.cjs')(ctx),
    // Bug: the success path returns before releasing the client. Every second checkout
    // also leaves its transaction open ("idle in transaction").
    'GET /api/checkout': async () => {
      const client = await pool.connect();
      // A killed backend must not crash the process; releasing it with the error lets
      // the pool replace it (this is what makes the pool-kill remediation work).
      client.on('error', (err) => {
        ctx.log('ERROR', `checkout connection lost: ${err.message}`);
        client.release(err);
      });
      checkouts += 1;
      if (checkouts % 2 === 0) await client.query('BEGIN');
      const { rows } = await client.query('SELECT count(*)::int AS n FROM orders');
      return { body: { order: rows[0].n + 1 } };
    },
    'GET /api/orders': async () => {
      const { rows } = await pool.query('SELECT id, total FROM orders ORDER BY id LIMIT 10');
      return { body: rows };
    },
  };
};
