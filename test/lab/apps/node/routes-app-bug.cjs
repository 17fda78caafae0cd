/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
const orders = [{ id: 1, total: 89 }, { id: 2, total: 12, customer: { id: 'c-9' } }];

function customerIds(list) {
  // Bug: order 1 was imported without a customer.
  return list.map((order) => order.customer.id);
}

module.exports = (ctx) => ({
  ...require('./catalog.cjs')(ctx),
  'GET /api/orders': async () => ({ body: { customers: customerIds(orders) } }),
});
