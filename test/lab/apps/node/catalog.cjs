/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
// Routes every shop release has; scenario route files add (or break) endpoints on top.
const PRODUCTS = [
  { id: 7, name: 'trail shoe', price: 89 },
  { id: 8, name: 'rain jacket', price: 129 },
  { id: 9, name: 'wool socks', price: 12 },
];

module.exports = () => ({
  'GET /': async () => ({ body: { shop: 'ok' } }),
  'GET /health': async () => ({ body: { status: 'ok' } }),
  'GET /api/products': async () => ({ body: PRODUCTS }),
  'GET /api/products/:id': async ({ params }) => {
    const product = PRODUCTS.find((p) => p.id === Number(params.id));
    return product ? { body: product } : { status: 404, body: { error: 'no such product' } };
  },
});
