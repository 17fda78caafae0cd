import { createRequire } from 'node:module';
import type { Scenario, TrafficStep } from './lab-types.js';

/** The leaky app's request paths (their query strings carry secrets nginx logs). */
const LEAKY_PATHS = (createRequire(import.meta.url)('./apps/node/routes-leaky.cjs') as { PATHS: Record<'settings' | 'payments' | 'export', string> }).PATHS;

// App logs live where real services keep them, never where one default list would look: under
// /var/log/<service>/, in the working directory, named on the command line, as stdout captured by
// a supervisor (a shell loop, supervisord, runit's svlogd), reopened per line so no process holds
// them. diagbot has to discover each one (src/core/app-discovery).
type AppSpec = NonNullable<Scenario['app']>;
const nodeApp = (routes: string, logPath: string, logVia: AppSpec['logVia'] = 'file'): AppSpec => ({ stack: 'node', routes, logPath, logVia });
const pyApp = (routes: string, logPath: string, logVia: AppSpec['logVia'] = 'file'): AppSpec => ({ stack: 'python', routes, logPath, logVia });

/** Normal shop traffic that every app answers with 2xx/3xx/404. */
const browse = (n = 30): TrafficStep[] => [
  { path: '/', count: Math.ceil(n / 3), status: 200 },
  { path: '/api/products', count: Math.ceil(n / 3), status: 200 },
  { path: '/api/products/7', count: Math.floor(n / 3) - 2, status: 200 },
  { path: '/api/products/9999', count: 2, status: 404 },
];


/** What exhausts the pool: 15 leaked checkouts, then orders that time out waiting for a client. */
export const POOL_LEAK_TRAFFIC: TrafficStep[] = [
  { path: '/api/checkout', count: 15, status: 200, concurrency: 1 },
  { path: '/api/orders', count: 16, status: 500, concurrency: 8 },
];

/** Pages the good release serves, then the route the bad release breaks. */
export const BAD_DEPLOY_TRAFFIC: TrafficStep[] = [
  { path: '/', count: 15, status: 200 }, { path: '/api/products/7', count: 15, status: 200 },
  { path: '/api/products', count: 20, status: 500 },
];

export const SCENARIOS: Scenario[] = [
  {
    name: 'healthy', octet: 11, expected: null, ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-healthy.cjs', '/var/log/shop/shop.log'),
    traffic: [...browse(40), { path: '/old-shop', count: 3, status: 301 }, { path: '/favicon-missing.png', count: 2, status: 404 }],
  },
  {
    name: 'combined-format', octet: 12, expected: 'upstream_app_error', ssh: 'real',
    nginx: { format: 'combined', accessLog: '/var/log/nginx/shop.access.log' },
    // stdout only; the supervisor loop appends it to a file.
    app: nodeApp('routes-combined-format.cjs', '/var/log/shop-stdout.out', 'stdout'),
    traffic: [...browse(), { path: '/api/cart', count: 20, status: 500 }],
  },
  {
    name: 'app-bug', octet: 13, expected: 'upstream_app_error', ssh: 'real',
    nginx: { format: 'json', accessLog: '/var/log/nginx/access.json.log' },
    // Rails-style: log/production.log in the working directory (the release, linked to shared/).
    app: nodeApp('routes-app-bug.cjs', '/srv/app/shared/log/production.log'),
    traffic: [...browse(), { path: '/api/orders', count: 20, status: 500 }],
  },
  {
    name: 'python-no-nginx', octet: 14, expected: 'unhandled_exception', ssh: 'real',
    // Reopened per line (never held open), in logs/ of the working directory.
    app: pyApp('routes_no_nginx.py', '/srv/app/shared/logs/invoices.log', 'file-reopened'),
    // The machine has nginx installed; this host must not. Replace /usr/sbin by a tmpfs of
    // links to everything in it but nginx (sshd re-execs itself from /usr/sbin per login).
    setup: `mkdir -p /run/lab-sbin && mount --bind /usr/sbin /run/lab-sbin
mount -t tmpfs -o mode=755 lab-sbin /usr/sbin
for f in /run/lab-sbin/*; do [ "\${f##*/}" = nginx ] || ln -s "$f" /usr/sbin/; done`,
    traffic: [...browse(), { path: '/api/invoices', count: 20, status: 500 }],
  },
  {
    name: 'rewrite-loop', octet: 15, expected: 'nginx_internal_error', ssh: 'real',
    nginx: {
      format: 'upstream_first', accessLog: '/var/log/nginx/access.log',
      // A legacy-URL migration rewrote /catalog to /shop and a later one /shop back to /catalog.
      locations: `
    location /catalog/ { rewrite ^/catalog/(.*)$ /shop/$1 last; }
    location /shop/ { rewrite ^/shop/(.*)$ /catalog/$1 last; }`,
    },
    app: pyApp('routes_healthy.py', '/var/log/catalog/app.log'),
    traffic: [...browse(), { path: '/catalog/shoes', count: 20, status: 500 }],
  },
  {
    name: 'intercepted', octet: 16, expected: 'intercepted_upstream_error', ssh: 'real',
    nginx: {
      format: 'main', accessLog: '/var/log/nginx/shop-access.log',
      // Verified against nginx 1.22: the error pages do not exist, so try_files falls back to
      // /errors/50x.html, which does not exist either -> internal redirection cycle -> 500,
      // while $upstream_status keeps the upstream's 404/503.
      extra: `
    proxy_intercept_errors on;
    error_page 404 /errors/404.html;
    error_page 502 503 504 /errors/50x.html;`,
      locations: `
    location /errors/ { internal; root /srv/www; try_files $uri /errors/50x.html; }`,
    },
    // stdout captured by a real supervisord.
    app: pyApp('routes_intercepted.py', '/var/log/supervisor/shop-stdout.log', 'supervisord'),
    traffic: [
      { path: '/', count: 15, status: 200 }, { path: '/api/products', count: 15, status: 200 },
      { path: '/api/products/9999', count: 10, status: 500 }, { path: '/api/inventory', count: 10, status: 500 },
    ],
  },
  {
    name: 'config-invalid', octet: 17, expected: 'nginx_config_invalid', ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-healthy.cjs', '/var/log/shop/shop.log'),
    traffic: browse(),
    action: 'break-config',
  },
  {
    name: 'worker-crash', octet: 18, expected: 'worker_crash', ssh: 'real',
    nginx: { format: 'json', accessLog: '/var/log/nginx/access.log', workers: 2 },
    app: nodeApp('routes-healthy.cjs', '/var/log/shop/shop.log'),
    traffic: browse(45),
    action: 'crash-workers',
  },
  {
    name: 'fd-exhausted', octet: 19, expected: 'fd_exhaustion', ssh: 'real',
    nginx: { format: 'upstream_first', accessLog: '/var/log/nginx/access.log' },
    // Named on the command line (--log-file=…).
    app: { ...nodeApp('routes-fd-exhausted.cjs', '/var/log/reports/reports.log', 'flag'), preExec: 'ulimit -n 64' },
    traffic: [
      ...browse(15),
      { path: '/api/session', count: 45, status: 200, concurrency: 1 },
      // One at a time: parallel reports would also starve accept() and turn 500s into 502s.
      { path: '/api/report', count: 20, status: 500, concurrency: 1 },
    ],
  },
  {
    name: 'oom', octet: 20, expected: 'memory_exhaustion', ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    // stdout through runit: runsv starts the app and svlogd writes /var/log/recommender/current.
    app: nodeApp('routes-oom.cjs', '/var/log/recommender/current', 'svlogd'),
    // Each failing request lets a child node die of V8 heap exhaustion (~1 s CPU): keep it few.
    traffic: [...browse(), { path: '/api/recommendations', count: 6, status: 500, concurrency: 2 }],
  },
  {
    name: 'disk-full', octet: 21, expected: 'disk_full', ssh: 'real',
    nginx: { format: 'json', accessLog: '/var/log/nginx/access.log' },
    // The Capistrano place: shared/log of the deploy root.
    app: nodeApp('routes-disk-full.cjs', '/srv/app/shared/log/uploads.log'),
    // A tiny tmpfs filled to the brim is the uploads volume; df -P shows it at 100%.
    setup: `mkdir -p /srv/app/shared/uploads
mount -t tmpfs -o size=512k tmpfs /srv/app/shared/uploads
dd if=/dev/zero of=/srv/app/shared/uploads/.upload-cache bs=4k 2>/dev/null || true`,
    traffic: [...browse(), { path: '/api/uploads', method: 'POST', count: 20, status: 500 }],
  },
  {
    name: 'pool-exhausted', octet: 22, expected: 'db_pool_exhaustion', ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    // Named on the command line and reopened per line: only the flag says where it is.
    app: { ...nodeApp('routes-pool-exhausted.cjs', '/var/log/orders/orders.log', 'flag'), preExec: 'export APP_LOG_REOPEN=1' },
    postgres: true,
    traffic: [...browse(), ...POOL_LEAK_TRAFFIC],
  },
  {
    name: 'bad-deploy', octet: 23, expected: 'bad_deploy', ssh: 'real',
    nginx: { format: 'upstream_first', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-bad-deploy.cjs', '/srv/app/shared/log/production.log'),
    badDeploy: true,
    traffic: BAD_DEPLOY_TRAFFIC,
    // logrotate (copytruncate, compress) right after the first 5xx: the deploy, the first 5xx and
    // the first new errors are only in access.log.1 and production.log.1.gz.
    action: 'rotate-logs',
  },
  {
    name: 'dependency-down', octet: 24, expected: 'dependency_down', ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-dependency-down.cjs', '/var/log/stock/stock.log'),
    traffic: [...browse(), { path: '/api/stock', count: 20, status: 500 }],
  },
  { name: 'refused', octet: 25, expected: 'host_unreachable', ssh: 'none', traffic: [] },
  { name: 'no-banner', octet: 26, expected: 'host_unreachable', ssh: 'silent', traffic: [] },
  { name: 'wrong-key', octet: 27, expected: 'host_unreachable', ssh: 'real', traffic: [] },
  // Remediation tests change the next two (see remediation-lab.ts); nothing else may assume their state.
  {
    name: 'rollback', octet: 28, expected: 'bad_deploy', ssh: 'real', mutable: true,
    nginx: { format: 'upstream_first', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-bad-deploy.cjs', '/var/log/shop/shop.log'),
    badDeploy: true,
    traffic: BAD_DEPLOY_TRAFFIC,
  },
  {
    name: 'pool-kill', octet: 29, expected: 'db_pool_exhaustion', ssh: 'real', mutable: true,
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    // pool-exhausted's app plus an idle superuser session ('ops-console') that must survive a kill.
    app: nodeApp('routes-pool-kill.cjs', '/var/log/shop/shop.log'),
    // 15 + 2 (shop) + 1 (ops-console) = 18 held; non-superusers get max - 3 reserved = 27 slots,
    // so the diagbot role keeps 9: its own two plus the sessions tests open beside it (bystanders
    // that must survive a kill, superuser readers), which all count against the same slots.
    postgres: { maxConnections: 30, roles: 'least-privilege' },
    traffic: [...browse(), ...POOL_LEAK_TRAFFIC],
  },
  // An app whose errors log credentials (fake ones, in 50+ formats): the attack suite checks none
  // of them ever leaves diagbot unmasked (test/attack/secret-redaction.test.ts).
  {
    name: 'leaky', octet: 30, expected: 'upstream_app_error', ssh: 'real', mutable: true,
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-leaky.cjs', '/var/log/shop/shop.log'),
    traffic: [
      ...browse(),
      { path: LEAKY_PATHS.settings, count: 12, status: 500 },
      { path: LEAKY_PATHS.payments, count: 10, status: 500 },
      { path: LEAKY_PATHS.export, count: 6, status: 500, concurrency: 1 },
    ],
  },
  // A Python app behind gunicorn whose SQLAlchemy pool (3 connections) leaks: requests wait for a
  // connection and fail ("QueuePool limit … reached") while Postgres has 100 slots, most free.
  {
    name: 'py-pool', octet: 31, expected: 'db_pool_exhaustion', ssh: 'real',
    nginx: {
      format: 'main', accessLog: '/var/log/nginx/orders.access.log',
      locations: `
    location /api/orders/export { proxy_pass http://$LAB_ADDR:9000; proxy_read_timeout 1s; }`,
    },
    app: { stack: 'gunicorn', routes: 'wsgi.py', logPath: '/var/log/orders/gunicorn-error.log', logVia: 'self' },
    postgres: { maxConnections: 100, roles: 'superuser' },
    traffic: [...browse(), { path: '/api/checkout', count: 3, status: 200, concurrency: 1 },
      { path: '/api/orders', count: 8, status: 500, concurrency: 4 }, { path: '/api/orders/export', count: 4, status: 504, concurrency: 4 }],
  },
  // A Go service under runit: runsv runs it, svlogd writes its stdout to /var/log/inventory/current.
  {
    name: 'go-runit', octet: 32, expected: 'dependency_down', ssh: 'real',
    nginx: { format: 'json', accessLog: '/var/log/nginx/inventory.log' },
    app: { stack: 'go', routes: 'main.go', logPath: '/var/log/inventory/current', logVia: 'svlogd' },
    traffic: [...browse(), { path: '/api/stock', count: 20, status: 500 }],
  },
  // PHP-FPM on a unix socket: workers reopen the pool's error_log per message, the config names it.
  {
    name: 'php-fpm', octet: 33, expected: 'memory_exhaustion', ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: { stack: 'php', routes: 'index.php', logPath: '/var/log/php-fpm/shop-error.log', logVia: 'self' },
    traffic: [...browse(), { path: '/api/report', count: 8, status: 500, concurrency: 2 }],
  },
  // An nginx-only load balancer in front of app-behind (another lab host): it has no app at all.
  {
    name: 'lb-front', octet: 34, expected: 'upstream_app_error', ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/lb.access.log' },
    upstreamHost: 'app-behind',
    traffic: [...browse(), { path: '/api/payments', count: 20, status: 500 }],
  },
  // The app tier behind lb-front: Ruby (puma + Rack), no nginx, Logger to log/ in its working dir.
  {
    name: 'app-behind', octet: 35, expected: 'dependency_down', ssh: 'real',
    app: { stack: 'ruby', routes: 'config.ru', logPath: '/srv/app/shared/log/production.log', logVia: 'self' },
    traffic: [],
  },
  // Healthy, with a noisy log: yesterday's incident (stack traces, refused connections, ENOSPC) in
  // the same file, handled errors that answered 404, warnings and alarming words. Expect silence.
  {
    name: 'healthy-noisy', octet: 37, expected: null, ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-healthy-noisy.cjs', '/var/log/shop/shop.log'),
    seedAppLog: 'yesterday',
    traffic: [...browse(30), { path: '/api/products/4242', count: 6, status: 404 },
      { path: '/api/search?q=connection%20refused', count: 3, status: 200 }, { path: '/api/search?q=out%20of%20memory%20error', count: 2, status: 200 }],
  },
  // Least privilege: diagbot logs in as `triage` (group adm, sudo only for nginx -T / nginx -t);
  // the app runs as `shop`, so its descriptors are not readable: discovery goes by name.
  {
    name: 'least-priv', octet: 36, expected: 'upstream_app_error', ssh: 'real', sshUser: 'triage',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: { ...nodeApp('routes-app-bug.cjs', '/var/log/shop/shop.log'), user: 'shop' },
    traffic: [...browse(), { path: '/api/orders', count: 20, status: 500 }],
  },
];

/**
 * Third octet of the scenario addresses (127.0.B.x; bench copies on 127.0.B+10.x). One lab runs
 * per block, so checkouts working side by side each pick their own (DIAGBOT_LAB_BLOCK, default 10).
 */
export const LAB_BLOCK = labBlock(process.env.DIAGBOT_LAB_BLOCK);

function labBlock(v: string | undefined): number {
  if (v === undefined || v === '') return 10;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 240) throw new Error(`DIAGBOT_LAB_BLOCK must be an integer 1..240 (got ${JSON.stringify(v)})`);
  return n;
}

/** Downstream the dependency-down app calls; nothing ever listens there. */
export const DEAD_DEPENDENCY = `127.0.${LAB_BLOCK}.99:9999`;

export function scenarioAddress(s: Scenario): string {
  return `127.0.${LAB_BLOCK}.${s.octet}`;
}

/** Copies of `healthy` for load tests, on 127.0.B+10.1..n. */
export function benchScenarios(n: number): { scenario: Scenario; address: string }[] {
  const healthy = SCENARIOS.find((s) => s.name === 'healthy')!;
  return Array.from({ length: n }, (_, i) => ({
    scenario: { ...healthy, name: `bench-${i + 1}` },
    address: `127.0.${LAB_BLOCK + 10}.${i + 1}`,
  }));
}
