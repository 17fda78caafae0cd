import { createRequire } from 'node:module';
import type { Scenario, TrafficStep } from './lab-types.js';

/** The leaky app's request paths (their query strings carry secrets nginx logs). */
const LEAKY_PATHS = (createRequire(import.meta.url)('./apps/node/routes-leaky.cjs') as { PATHS: Record<'settings' | 'payments' | 'export', string> }).PATHS;

const SHARED_LOG = '/srv/app/shared/log/app.log';
const VAR_LOG = '/var/log/app/app.log';

/** Normal shop traffic that every app answers with 2xx/3xx/404. */
const browse = (n = 30): TrafficStep[] => [
  { path: '/', count: Math.ceil(n / 3), status: 200 },
  { path: '/api/products', count: Math.ceil(n / 3), status: 200 },
  { path: '/api/products/7', count: Math.floor(n / 3) - 2, status: 200 },
  { path: '/api/products/9999', count: 2, status: 404 },
];

const nodeApp = (routes: string, logPath = SHARED_LOG) => ({ stack: 'node' as const, routes, logPath });
const pyApp = (routes: string, logPath = SHARED_LOG) => ({ stack: 'python' as const, routes, logPath });

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
    app: nodeApp('routes-healthy.cjs'),
    traffic: [...browse(40), { path: '/old-shop', count: 3, status: 301 }, { path: '/favicon-missing.png', count: 2, status: 404 }],
  },
  {
    name: 'combined-format', octet: 12, expected: 'upstream_app_error', ssh: 'real',
    nginx: { format: 'combined', accessLog: '/var/log/nginx/shop.access.log' },
    app: nodeApp('routes-combined-format.cjs'),
    traffic: [...browse(), { path: '/api/cart', count: 20, status: 500 }],
  },
  {
    name: 'app-bug', octet: 13, expected: 'upstream_app_error', ssh: 'real',
    nginx: { format: 'json', accessLog: '/var/log/nginx/access.json.log' },
    app: nodeApp('routes-app-bug.cjs'),
    traffic: [...browse(), { path: '/api/orders', count: 20, status: 500 }],
  },
  {
    name: 'python-no-nginx', octet: 14, expected: 'unhandled_exception', ssh: 'real',
    app: pyApp('routes_no_nginx.py', VAR_LOG),
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
    app: pyApp('routes_healthy.py'),
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
    app: pyApp('routes_intercepted.py'),
    traffic: [
      { path: '/', count: 15, status: 200 }, { path: '/api/products', count: 15, status: 200 },
      { path: '/api/products/9999', count: 10, status: 500 }, { path: '/api/inventory', count: 10, status: 500 },
    ],
  },
  {
    name: 'config-invalid', octet: 17, expected: 'nginx_config_invalid', ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-healthy.cjs'),
    traffic: browse(),
    action: 'break-config',
  },
  {
    name: 'worker-crash', octet: 18, expected: 'worker_crash', ssh: 'real',
    nginx: { format: 'json', accessLog: '/var/log/nginx/access.log', workers: 2 },
    app: nodeApp('routes-healthy.cjs'),
    traffic: browse(45),
    action: 'crash-workers',
  },
  {
    name: 'fd-exhausted', octet: 19, expected: 'fd_exhaustion', ssh: 'real',
    nginx: { format: 'upstream_first', accessLog: '/var/log/nginx/access.log' },
    app: { ...nodeApp('routes-fd-exhausted.cjs', VAR_LOG), preExec: 'ulimit -n 64' },
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
    app: nodeApp('routes-oom.cjs'),
    // Each failing request lets a child node die of V8 heap exhaustion (~1 s CPU): keep it few.
    traffic: [...browse(), { path: '/api/recommendations', count: 6, status: 500, concurrency: 2 }],
  },
  {
    name: 'disk-full', octet: 21, expected: 'disk_full', ssh: 'real',
    nginx: { format: 'json', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-disk-full.cjs'),
    // A tiny tmpfs filled to the brim is the uploads volume; df -P shows it at 100%.
    setup: `mkdir -p /srv/app/shared/uploads
mount -t tmpfs -o size=512k tmpfs /srv/app/shared/uploads
dd if=/dev/zero of=/srv/app/shared/uploads/.upload-cache bs=4k 2>/dev/null || true`,
    traffic: [...browse(), { path: '/api/uploads', method: 'POST', count: 20, status: 500 }],
  },
  {
    name: 'pool-exhausted', octet: 22, expected: 'db_pool_exhaustion', ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-pool-exhausted.cjs'),
    postgres: true,
    traffic: [...browse(), ...POOL_LEAK_TRAFFIC],
  },
  {
    name: 'bad-deploy', octet: 23, expected: 'bad_deploy', ssh: 'real',
    nginx: { format: 'upstream_first', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-bad-deploy.cjs'),
    badDeploy: true,
    traffic: BAD_DEPLOY_TRAFFIC,
  },
  {
    name: 'dependency-down', octet: 24, expected: 'dependency_down', ssh: 'real',
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-dependency-down.cjs'),
    traffic: [...browse(), { path: '/api/stock', count: 20, status: 500 }],
  },
  { name: 'refused', octet: 25, expected: 'host_unreachable', ssh: 'none', traffic: [] },
  { name: 'no-banner', octet: 26, expected: 'host_unreachable', ssh: 'silent', traffic: [] },
  { name: 'wrong-key', octet: 27, expected: 'host_unreachable', ssh: 'real', traffic: [] },
  // Remediation tests change the next two (see remediation-lab.ts); nothing else may assume their state.
  {
    name: 'rollback', octet: 28, expected: 'bad_deploy', ssh: 'real', mutable: true,
    nginx: { format: 'upstream_first', accessLog: '/var/log/nginx/access.log' },
    app: nodeApp('routes-bad-deploy.cjs'),
    badDeploy: true,
    traffic: BAD_DEPLOY_TRAFFIC,
  },
  {
    name: 'pool-kill', octet: 29, expected: 'db_pool_exhaustion', ssh: 'real', mutable: true,
    nginx: { format: 'main', accessLog: '/var/log/nginx/access.log' },
    // pool-exhausted's app plus an idle superuser session ('ops-console') that must survive a kill.
    app: nodeApp('routes-pool-kill.cjs'),
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
    app: nodeApp('routes-leaky.cjs'),
    traffic: [
      ...browse(),
      { path: LEAKY_PATHS.settings, count: 12, status: 500 },
      { path: LEAKY_PATHS.payments, count: 10, status: 500 },
      { path: LEAKY_PATHS.export, count: 6, status: 500, concurrency: 1 },
    ],
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
