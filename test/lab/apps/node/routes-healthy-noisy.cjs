/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
// A healthy shop with a noisy log, as real ones have: warnings at start, errors it handles itself
// (a missing product is a logged NotFoundError and a 404), a dev-time file watcher that hit the
// inotify limit (ENOSPC that is no disk), a cache that reconnects, users searching for alarming
// words. None of it answers a 5xx; diagbot must stay quiet.
module.exports = (ctx) => {
  const base = require('./catalog.cjs')(ctx);
  ctx.log('WARN', 'config: option request_timeout is deprecated, use http.timeout (timeout 30s)');
  ctx.log('ERROR', "watcher: Error: ENOSPC: System limit for number of file watchers reached, watch '/srv/app/current'");
  ctx.log('WARN', 'cache: connect ECONNREFUSED 127.0.0.1:6390 — retrying in 1s');
  ctx.log('INFO', 'cache: reconnected to 127.0.0.1:6390 after 1 attempt(s); 0 errors since');
  return {
    ...base,
    'GET /api/products/:id': async (req) => {
      const r = await base['GET /api/products/:id'](req);
      if (r.status === 404) ctx.log('ERROR', `NotFoundError: product ${req.params.id} not found (answered 404)`);
      return r;
    },
    'GET /api/search': async ({ url }) => {
      ctx.log('INFO', `search q="${url.searchParams.get('q')}" results=0 error_count=0`);
      return { body: { results: [] } };
    },
  };
};
