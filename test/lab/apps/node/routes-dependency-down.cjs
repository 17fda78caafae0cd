/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
const http = require('node:http');

// The stock service this app depends on; it is down (nothing listens there).
const STOCK_URL = process.env.STOCK_URL;

function fetchStock() {
  return new Promise((resolve, reject) => {
    const req = http.get(`${STOCK_URL}/stock`, { timeout: 2000 }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve(JSON.parse(data)));
    });
    req.on('timeout', () => req.destroy(new Error('stock service timed out')));
    req.on('error', reject);
  });
}

module.exports = (ctx) => ({
  ...require('./catalog.cjs')(ctx),
  'GET /api/stock': async () => ({ body: await fetchStock() }),
});
