import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { SCENARIOS } from './scenarios.js';
import type { LogFormat } from './lab-types.js';
import { sshExec } from './host-exec.js';
import { readBanner } from './wait-ready.js';

const lab = inject('lab');

function statusOf(format: LogFormat, line: string): number {
  if (format === 'json') return (JSON.parse(line) as { status: number }).status;
  if (format === 'upstream_first') return Number(line.split(' ')[2]);
  return Number(/" (\d{3}) /.exec(line)?.[1]);
}
const target = (name: string) => ({ address: lab.hosts[name]!.address, privateKeyPath: lab.privateKeyPath, knownHostsPath: lab.knownHostsPath, user: lab.hosts[name]!.sshUser ?? 'root' });

describe('lab smoke', () => {
  it('writes an inventory naming every host', async () => {
    const inventory = await readFile(lab.inventoryPath, 'utf8');
    for (const [name, host] of Object.entries(lab.hosts)) {
      expect(inventory).toContain(`${name}:`);
      expect(inventory).toContain(`address: ${host.address}`);
    }
  });

  // Remediation tests add requests to mutable hosts (after a rollback, /api/products answers 200).
  for (const s of SCENARIOS.filter((x) => x.nginx && !x.mutable)) {
    it(`${s.name}: the real access log holds exactly the statuses the traffic asked for`, async () => {
      const r = await sshExec(target(s.name), `cat ${s.nginx!.accessLog}`);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const seen = new Set(r.stdout.trim().split('\n').map((line) => statusOf(s.nginx!.format, line)));
      // 200 also comes from the lab's /health readiness probe.
      const asked = [...new Set([200, ...s.traffic.map((t) => t.status)])].sort();
      // A request in flight on a crashed worker gets no access-log line; on a busy machine that
      // can be both of a rare status's requests.
      if (s.action === 'crash-workers') expect(asked).toEqual(expect.arrayContaining([...seen]));
      else expect([...seen].sort()).toEqual(asked);
    });
  }

  it('python-no-nginx: the app itself logged Python tracebacks', async () => {
    const r = await sshExec(target('python-no-nginx'), `command -v nginx || echo no-nginx; grep -c "Traceback (most recent call last)" ${lab.hosts['python-no-nginx']!.appLog}`);
    expect(r.stdout).toMatch(/^no-nginx\n[1-9]\d*\n$/);
  });

  it('least-priv: triage is not root, may sudo exactly nginx -T and nginx -t, and cannot see the app\'s descriptors', async () => {
    const r = await sshExec(target('least-priv'), `id -un; id -Gn; sudo -n /usr/sbin/nginx -T >/dev/null 2>&1 && echo T-ok; sudo -n /usr/sbin/nginx -t >/dev/null 2>&1 && echo t-ok
sudo -n /usr/bin/id -u 2>/dev/null || echo other-sudo-refused
p=$(ps -o pid= -u shop | head -n1 | tr -d ' '); ls /proc/$p/fd >/dev/null 2>&1 || echo fd-hidden; ps -o user= -p $p`);
    expect(r.stdout.split('\n')).toEqual(['triage', expect.stringMatching(/\badm\b/), 'T-ok', 't-ok', 'other-sudo-refused', 'fd-hidden', 'shop', '']);
  });

  it("bad-deploy: logrotate left the incident's start in access.log.1 and production.log.1.gz", async () => {
    const r = await sshExec(target('bad-deploy'), 'grep -c " 500 " /var/log/nginx/access.log.1; grep -c " 500 " /var/log/nginx/access.log; zcat /srv/app/shared/log/production.log.1.gz | grep -c "Cannot find module"');
    expect(r.stdout.trim().split('\n').map(Number)).toEqual([20, 4, expect.any(Number)]);
    expect(Number(r.stdout.trim().split('\n')[2])).toBeGreaterThanOrEqual(20);
  });

  it('config-invalid: nginx -t fails on disk while the old config still serves', async () => {
    const r = await sshExec(target('config-invalid'), 'nginx -t 2>&1; echo "rc=$?"');
    expect(r.stdout).toMatch(/unknown directive "proxy_read_timout"[\s\S]*rc=1/);
    expect((await fetch(`http://${lab.hosts['config-invalid']!.address}:8080/health`)).status).toBe(200);
  });

  it('worker-crash: the error log records workers killed by SIGSEGV', async () => {
    const r = await sshExec(target('worker-crash'), 'grep -c "exited on signal 11" /var/log/nginx/error.log');
    expect(Number(r.stdout.trim())).toBeGreaterThanOrEqual(2);
  });

  it('refused: nothing listens on the ssh port', async () => {
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const sock = connect({ host: lab.hosts.refused!.address, port: 2222 });
      sock.on('connect', () => { sock.destroy(); resolve(new Error('connected') as NodeJS.ErrnoException); });
      sock.on('error', resolve);
    });
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('no-banner: the port accepts but never sends an SSH banner', async () => {
    expect(await readBanner(lab.hosts['no-banner']!.address, 2222, 1500)).toBeNull();
  });

  it('wrong-key: the OpenSSH client refuses the host key', async () => {
    const r = await sshExec(target('wrong-key'), 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('healthy: ssh works with the lab key and known_hosts', async () => {
    const r = await sshExec(target('healthy'), 'hostname');
    expect(r).toMatchObject({ code: 0, stdout: 'healthy\n' });
  });
});
