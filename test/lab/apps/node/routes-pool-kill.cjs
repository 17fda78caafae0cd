/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
// pool-exhausted's shop (run as the non-superuser owner role `shop`), plus an operator's
// console left connected as superuser: an idle session a pool-kill must never touch.
const { Client } = require('pg');

module.exports = (ctx) => {
  const ops = new Client({ connectionString: process.env.OPS_DATABASE_URL, application_name: 'ops-console' });
  // If it is ever terminated, say so and stay gone: its absence is the evidence.
  ops.on('error', (err) => ctx.log('ERROR', `ops-console connection lost: ${err.message}`));
  ops.connect()
    .then(() => ops.query('SELECT 1'))
    .then(() => ctx.log('INFO', 'ops-console connected'))
    .catch((err) => ctx.log('ERROR', `ops-console connect failed: ${err.stack}`));
  return require('./routes-pool-exhausted.cjs')(ctx);
};
