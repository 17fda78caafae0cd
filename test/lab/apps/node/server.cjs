/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
// The lab's shop app. Routes come from ./routes.cjs (one file per scenario); this file is
// the HTTP plumbing and the app's own log, which is what diagbot reads as "app log".
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

// Where the log goes varies per lab host, as it does on real ones: a file named by APP_LOG or by
// --log-file=PATH, kept open or reopened per line (APP_LOG_REOPEN=1, like PHP's error_log), or
// stdout (APP_LOG=-) for a supervisor to capture.
const flag = process.argv.find((a) => a.startsWith('--log-file='));
const LOG = flag ? flag.slice('--log-file='.length) : process.env.APP_LOG || '-';
const toStdout = LOG === '-';
if (!toStdout) fs.mkdirSync(path.dirname(LOG), { recursive: true });
// Opened once, like any logger: the app must still log when it runs out of descriptors.
const reopen = process.env.APP_LOG_REOPEN === '1';
const logFd = toStdout ? 1 : reopen ? -1 : fs.openSync(LOG, 'a');

function log(level, message) {
  const line = `${new Date().toISOString()} ${level} [shop] ${message}\n`;
  // Synchronous on purpose: the lab waits for log lines right after the response.
  if (logFd >= 0) fs.writeSync(logFd, line);
  else fs.appendFileSync(LOG, line);
}

const ctx = { log, env: process.env, release: path.basename(__dirname) };
const routes = require('./routes.cjs')(ctx);

function match(method, pathname) {
  const exact = routes[`${method} ${pathname}`];
  if (exact) return { handler: exact, params: {} };
  const m = /^\/api\/products\/(\d+)$/.exec(pathname);
  if (m && routes[`${method} /api/products/:id`]) return { handler: routes[`${method} /api/products/:id`], params: { id: m[1] } };
  return null;
}

const server = http.createServer(async (req, res) => {
  const started = Date.now();
  const url = new URL(req.url, 'http://shop.local');
  const route = match(req.method, url.pathname);
  let status = 404;
  let body = { error: 'not found' };
  try {
    if (route) ({ status = 200, body } = await route.handler({ req, url, params: route.params }));
  } catch (err) {
    status = 500;
    body = { error: 'internal server error' };
    log('ERROR', `${req.method} ${url.pathname} failed: ${err.stack}`);
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  log(status >= 500 ? 'WARN' : 'INFO', `${req.method} ${url.pathname} ${status} ${Date.now() - started}ms`);
});

server.listen(Number(process.env.APP_PORT), process.env.APP_ADDR, () => {
  log('INFO', `release ${ctx.release} listening on ${process.env.APP_ADDR}:${process.env.APP_PORT} (pid ${process.pid})`);
});
