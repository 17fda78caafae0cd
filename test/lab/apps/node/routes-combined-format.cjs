/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
const carts = { 'u-1': { items: [{ sku: 7, qty: 1 }] } };

module.exports = (ctx) => ({
  ...require('./catalog.cjs')(ctx),
  // Bug: anonymous visitors have no cart entry, and nobody checks.
  'GET /api/cart': async ({ url }) => {
    const cart = carts[url.searchParams.get('user') ?? 'anonymous'];
    return { body: { count: cart.items.length } };
  },
});
