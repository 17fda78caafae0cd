import { describe, expect, it } from 'vitest';
import { chooseAppLogs } from '../../../src/core/app-discovery/choose-logs.js';
import { findServices } from '../../../src/core/app-discovery/find-services.js';
import { logCandidates } from '../../../src/core/app-discovery/log-candidates.js';
import { parseProcDiscovery } from '../../../src/core/parsers/proc-discovery.js';
import { parseProcesses } from '../../../src/core/parsers/processes.js';
import { collectUpstreams } from '../../../src/core/parsers/nginx-upstreams.js';
import { parseNginxText } from '../../../src/core/parsers/nginx-tokenize.js';
import { discover } from './captured.js';

const reads = (host: string) => {
  const { choice } = discover(host);
  return [...choice.files, ...choice.journals].map((f) => `${f.target} <- ${f.how}`);
};

describe('app log discovery on captured lab hosts', () => {
  it('gunicorn: the files its master holds open, named for gunicorn (not python3)', () => {
    const { search } = discover('py-pool');
    expect(search.discovery!.services.map((s) => s.via)).toEqual([expect.stringMatching(/^proxy_pass target/)]);
    expect(reads('py-pool')).toEqual([
      expect.stringMatching(/^\/var\/log\/orders\/gunicorn-(error|access)\.log <- held open by gunicorn pid \d+$/),
      expect.stringMatching(/^\/var\/log\/orders\/gunicorn-(error|access)\.log <- held open by gunicorn pid \d+$/),
    ]);
  });

  it('supervisord: the app writes a pipe, the supervisor writes the file', () => {
    expect(reads('intercepted')[0]).toMatch(/^\/var\/log\/supervisor\/shop-stdout\.log <- stdout of python3 pid \d+ via supervisord pid \d+$/);
  });

  it("runit: the app's stdout goes to svlogd, its sibling under runsv", () => {
    expect(reads('oom')).toEqual([expect.stringMatching(/^\/var\/log\/recommender\/current <- stdout of node pid \d+ via svlogd pid \d+$/)]);
  });

  it('a log reopened per line (held by nobody) is found in the working directory', () => {
    expect(reads('python-no-nginx')).toEqual([expect.stringMatching(/\/logs\/invoices\.log <- in .*\/logs\/ \(logs\/ in the working directory of python3 pid \d+\)$/)]);
  });

  it('a log named only by --log-file is found from the command line', () => {
    expect(reads('pool-exhausted')).toEqual(['/var/log/orders/orders.log <- named by --log-file in the command line of node pid ' + /node pid (\d+)/.exec(reads('pool-exhausted')[0]!)![1]]);
  });

  it("php-fpm: the pool's error_log comes from the config the master's title names", () => {
    const r = reads('php-fpm');
    expect(r).toContainEqual(expect.stringMatching(/^\/var\/log\/php-fpm\/shop-error\.log <- named in \/srv\/app\/shared\/php-fpm\.conf/));
    expect(r).toContainEqual(expect.stringMatching(/^\/var\/log\/php-fpm\/fpm-master\.log <- held open by php-fpm pid \d+$/));
  });

  it('not root: no descriptors, so the app is found by its user and its log by the convention for that name', () => {
    const { search } = discover('least-priv');
    expect(search.discovery!.fdBlind).toBe(true);
    expect(reads('least-priv')).toEqual(['/var/log/shop/shop.log <- in /var/log/shop/ (conventional place for "shop")']);
  });

  it('an LB: the upstream is another inventory host, named and not searched', () => {
    const { search, choice } = discover('lb-front');
    expect(search.discovery!.services).toEqual([]);
    expect(search.discovery!.remote.map((r) => [r.text, r.peer])).toEqual([['127.0.10.35:9000', 'app-behind']]);
    expect(choice.files).toEqual([]);
  });

  it('a release dir symlinked to shared/log is read once, and source files in the working directory never', () => {
    const r = reads('bad-deploy');
    expect(r.filter((x) => x.includes('production.log'))).toHaveLength(1);
    expect(r.join('\n')).not.toMatch(/\.(cjs|js|json)\s/);
  });
});

const PS = `    1     0 root      1000 /lib/systemd/systemd
  300     1 root     20000 /usr/bin/python3 /usr/bin/gunicorn --bind 127.0.0.1:8000 orders.wsgi
  301   300 orders   40000 /usr/bin/python3 /usr/bin/gunicorn --bind 127.0.0.1:8000 orders.wsgi
  400     1 root      3000 nginx: master process /usr/sbin/nginx -g daemon on; master_process on;
  401   400 www-data  3000 nginx: worker process
`;

describe('discovery on a systemd host (journal) and its edges', () => {
  const proc = parseProcDiscovery(`uid 0
listen tcp 0100007F:1F40 1111
listen tcp 00000000:0050 2222
S 300 5 1111
S 301 5 1111
S 400 6 2222
O 300 1 socket:[9999]
O 300 2 socket:[9999]
O 301 1 socket:[9999]
C 300 /opt/orders
C 301 /opt/orders
G 300 0::/system.slice/orders.service
G 301 0::/system.slice/orders.service
`);
  const rows = parseProcesses(PS).rows;
  const upstreams = collectUpstreams(parseNginxText('http { server { location / { proxy_pass http://localhost:8000; } } }', 'x')).targets;
  const ctx = { hostname: 'web-1', selfAddress: '10.0.3.11', peers: [{ name: 'db-1', address: '10.0.3.30' }] };

  it('ties proxy_pass localhost:8000 to the gunicorn master and its unit; stdout to the journal', () => {
    const found = findServices(proc, rows, upstreams, ctx);
    expect(found.services).toHaveLength(1);
    const s = found.services[0]!;
    expect([s.listenerPid, s.unit, s.members.map((m) => `${m.pid}:${m.role}`)]).toEqual([300, 'orders.service', ['300:listener', '301:worker']]);
    const cands = logCandidates(s, proc, {});
    const choice = chooseAppLogs(cands, '', 0, new Set());
    expect(choice.journals).toEqual([expect.objectContaining({ target: 'orders.service', how: 'journal of orders.service (its stdout goes to the journal)' })]);
    // /var/log/orders and /opt/orders/log(s) are probed: the unit, the user and the install root say "orders".
    expect(cands.filter((c) => c.kind === 'dir').map((c) => c.value)).toEqual(expect.arrayContaining(['/var/log/orders', '/opt/orders/log', '/opt/orders/logs']));
  });

  it('a loopback target nothing listens on is reported down; a foreign address is remote, never local', () => {
    const down = findServices(proc, rows, collectUpstreams(parseNginxText('http { server { location / { proxy_pass http://127.0.0.1:9999; } location /x { proxy_pass http://10.0.9.9:8000; } } }', 'x')).targets, ctx);
    expect(down.down.map((t) => `${t.host}:${t.port}`)).toEqual(['127.0.0.1:9999']);
    expect(down.remote.map((r) => [r.text, r.peer])).toEqual([['10.0.9.9:8000', null]]);
    expect(down.services).toEqual([]);
  });

  it('without nginx, every listening app process is a candidate, never sshd or nginx', () => {
    const s = findServices(proc, rows, null, ctx);
    expect(s.services.map((x) => x.listenerPid)).toEqual([300]);
  });

  it('choosing: rotated generations, stale files, binary names and empty files are not read; the cap holds', () => {
    const now = 1_800_000_000_000;
    const day = 86_400_000;
    const probe = [
      ...Array.from({ length: 9 }, (_, i) => `F ${(now - i * 1000) / 1000} 100 81a4 1:${i} /var/log/orders/w${i}.log`),
      `F ${now / 1000} 100 81a4 2:1 /var/log/orders/app.log.1`, `F ${now / 1000} 100 81a4 2:2 /var/log/orders/app.log.2.gz`,
      `F ${now / 1000} 100 81a4 2:3 /var/log/orders/app.log-20261201`, `F ${(now - 30 * day) / 1000} 100 81a4 2:4 /var/log/orders/old.log`,
      `F ${now / 1000} 0 81a4 2:5 /var/log/orders/empty.log`, `F ${now / 1000} 100 81a4 2:6 /var/log/orders/orders.pid`,
      `F ${now / 1000} 100 41ed 2:7 /var/log/orders/subdir`,
    ].join('\n');
    const c = chooseAppLogs([{ kind: 'dir', value: '/var/log/orders', how: 'conventional', rank: 6 }], probe, now, new Set());
    expect(c.files.map((f) => f.target)).toEqual(['w0', 'w1', 'w2', 'w3', 'w4', 'w5'].map((n) => `/var/log/orders/${n}.log`));
    expect(c.skipped).toEqual(expect.arrayContaining([expect.stringMatching(/w6\.log \(over the cap/), expect.stringMatching(/old\.log \(not written for over 7 days\)/)]));
  });
});

describe('a container behind docker-proxy, and what its json-file log reads as', () => {
  it('finds the container by its IP and reads its json-file log, unwrapped to "TIME message"', async () => {
    const { appLogText } = await import('../../../src/core/app-log-text.js');
    const proc = parseProcDiscovery('uid 0\nlisten tcp 00000000:1F90 777\nS 900 4 777\n');
    const rows = parseProcesses(`  900     1 root  3000 /usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80\n`).rows;
    const upstreams = collectUpstreams(parseNginxText('http { server { location / { proxy_pass http://127.0.0.1:8080; } } }', 'x')).targets;
    const [svc] = findServices(proc, rows, upstreams, { hostname: 'web-1', selfAddress: null, peers: [] }).services;
    const cands = logCandidates(svc!, proc, {});
    expect(cands).toContainEqual(expect.objectContaining({ kind: 'container_ip', value: '172.17.0.2' }));
    const id = 'c'.repeat(64);
    const dir = `/var/lib/docker/containers/${id}`;
    const choice = chooseAppLogs(cands, `X 172.17.0.2 ${dir}\nF 1800000000 120 81a4 8:1 ${dir}/${id}-json.log\n`, 1_800_000_000_000, new Set());
    expect(choice.files.map((f) => [f.target, f.how])).toEqual([[`${dir}/${id}-json.log`, 'json-file log of the container behind docker-proxy pid 900 (172.17.0.2)']]);
    const text = appLogText([{ id: 'app_log', target: `${dir}/${id}-json.log`, exitCode: 0, stderr: '', durationMs: 1, truncated: false, timedOut: false,
      stdout: `==> ${dir}/${id}-json.log <==\n{"log":"ERROR connect ECONNREFUSED 10.0.0.5:5432\\n","stream":"stderr","time":"2026-12-02T20:01:02.5Z"}\n` }]);
    expect(text!.trimEnd()).toBe(`==> ${dir}/${id}-json.log <==\n2026-12-02T20:01:02.5Z ERROR connect ECONNREFUSED 10.0.0.5:5432`);
  });
});
