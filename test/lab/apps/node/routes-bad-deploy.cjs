/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
// Release with the new price formatter. Its dependency never made it into the release.
module.exports = (ctx) => {
  const base = require('./catalog.cjs')(ctx);
  return {
    ...base,
    'GET /api/products': async (args) => {
      const pad = require('left-pad-v2');
      const { body } = await base['GET /api/products'](args);
      return { body: body.map((p) => ({ ...p, label: pad(String(p.price), 6) })) };
    },
  };
};
