import { describe, expect, it } from 'vitest';
import { planLogTargets } from '../../../src/core/plan-log-targets.js';
import { fixture, out } from './raw.js';

describe('planLogTargets', () => {
  it('lists the file logs of the running config and explains every skipped one', () => {
    const plan = planLogTargets([out('nginx_dump', fixture('nginx/dump-json-multi.txt'))]);
    expect(plan.nginxPresent).toBe(true);
    expect(plan.accessLogs).toEqual(['/tmp/ngx1/logs/access.json', '/tmp/ngx1/logs/app-access.log']);
    expect(plan.errorLogs).toEqual(['/tmp/ngx1/logs/error.log', '/tmp/ngx1/logs/app-error.log']);
    const notes = plan.notes.join('\n');
    expect(notes).toMatch(/syslog:server=127\.0\.0\.1:514.*syslog/);
    expect(notes).toMatch(/\$host\.log.*variables/);
    expect(notes).toMatch(/"off".*logging is off/);
    expect(notes).toMatch(/\/dev\/stdout.*standard stream/);
    expect(notes).toMatch(/\/dev\/stderr.*standard stream/);
  });

  it('uses nginx defaults when the config names no log', () => {
    const plan = planLogTargets([out('nginx_dump', fixture('nginx/dump-defaults.txt'))]);
    expect(plan.accessLogs).toEqual(['/var/log/nginx/access.log']);
    expect(plan.errorLogs).toEqual(['/var/log/nginx/error.log']);
    expect(plan.notes.join('\n')).toMatch(/default/);
  });

  it('falls back to the files the running nginx holds open when nginx -T fails', () => {
    const plan = planLogTargets([
      out('nginx_dump', fixture('nginx/dump-invalid.txt'), { exitCode: 1 }),
      out('nginx_open_logs', '/var/log/nginx/shop.access.log\n/var/log/nginx/error.log\n/var/log/nginx/app-error.log\n'),
    ]);
    expect(plan.nginxPresent).toBe(true);
    expect(plan.accessLogs).toEqual(['/var/log/nginx/shop.access.log']);
    expect(plan.errorLogs).toEqual(['/var/log/nginx/error.log', '/var/log/nginx/app-error.log']);
    expect(plan.notes[0]).toMatch(/nginx -T gave no configuration.*open instead/);
  });

  it('reports nginx as absent on a host without it', () => {
    const plan = planLogTargets([out('nginx_dump', 'no-nginx\n'), out('nginx_test', 'no-nginx\n')]);
    expect(plan).toMatchObject({ nginxPresent: false, accessLogs: [], errorLogs: [] });
  });

  it('tolerates missing, failed and timed-out commands', () => {
    expect(planLogTargets([])).toMatchObject({ nginxPresent: false, accessLogs: [] });
    const plan = planLogTargets([
      out('nginx_dump', '', { exitCode: null, error: 'channel closed', timedOut: true }),
      out('nginx_open_logs', '', { exitCode: null, error: 'channel closed' }),
    ]);
    expect(plan.accessLogs).toEqual([]);
    expect(plan.notes.join('\n')).toMatch(/channel closed/);
  });

  it('never returns a relative path or one with a newline', () => {
    const dump = `# configuration file /etc/nginx/nginx.conf:
events {}
http {
  access_log logs/access.log;
  access_log "/var/log/a\nb.log";
  server { access_log /var/log/nginx/ok.log; }
}
`;
    const plan = planLogTargets([out('nginx_dump', dump)]);
    expect(plan.accessLogs).toEqual(['/var/log/nginx/ok.log']);
    expect(plan.notes.join('\n')).toMatch(/relative path/);
  });
});
