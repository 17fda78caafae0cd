import { existsSync, readdirSync } from 'node:fs';
import type { Scenario } from './lab-types.js';

// How each lab app is started and supervised, the way real hosts do it: a shell loop, supervisord
// or runit — and what the app is told about its log. Paths are inside the host's namespace.

const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/** php-fpm's binary is versioned (php-fpm8.2): take whichever the machine has. */
function phpFpm(): string {
  const found = readdirSync('/usr/sbin').filter((f) => /^php-fpm[\d.]+$/.test(f)).sort().pop();
  if (!found || !existsSync(`/usr/sbin/${found}`)) throw new Error('lab: php-fpm is not installed (apt-get install php-fpm)');
  return `/usr/sbin/${found}`;
}

/** The app's command line, run from /srv/app/current. */
export function appArgv(s: Scenario, address: string): string {
  const app = s.app!;
  switch (app.stack) {
    case 'node': return `${q(process.execPath)} server.cjs${app.logVia === 'flag' ? ` --log-file=${app.logPath}` : ''}`;
    case 'python': return '/usr/bin/python3 server.py';
    case 'gunicorn': {
      const dir = app.logPath.slice(0, app.logPath.lastIndexOf('/'));
      return `/usr/bin/python3 /usr/bin/gunicorn --bind ${address}:9000 --workers 1 --threads 8 --error-logfile ${app.logPath} --access-logfile ${dir}/gunicorn-access.log --capture-output wsgi:app`;
    }
    case 'go': return './inventory-svc';
    case 'ruby': return `/usr/bin/puma --bind tcp://${address}:9000 --threads 2:8 --environment production config.ru`;
    case 'php': return `${phpFpm()} --nodaemonize --fpm-config /srv/app/shared/php-fpm.conf`;
  }
}

/** What the app reads from its environment about its log. */
export function appLogEnv(s: Scenario): Record<string, string> {
  const app = s.app!;
  if (app.stack !== 'node' && app.stack !== 'python') return {};
  if (app.logVia === 'stdout' || app.logVia === 'supervisord' || app.logVia === 'svlogd') return { APP_LOG: '-' };
  if (app.logVia === 'flag') return {};
  // Logs under the deploy root's shared/ are opened relative to the working directory (the
  // release), through its log/ or logs/ link, as a Rails or Capistrano app does.
  const shared = /^\/srv\/app\/shared\/(logs?\/.+)$/.exec(app.logPath);
  return { APP_LOG: shared ? shared[1]! : app.logPath, ...(app.logVia === 'file-reopened' ? { APP_LOG_REOPEN: '1' } : {}) };
}

function asUser(s: Scenario, cmd: string): string {
  return s.app!.user ? `setpriv --reuid=${s.app!.user} --regid=${s.app!.user} --init-groups -- ${cmd}` : cmd;
}

/** Shell lines (for the host's init) that start and supervise the app. */
export function superviseApp(s: Scenario, address: string): string {
  const app = s.app!;
  const cmd = asUser(s, appArgv(s, address));
  if (app.logVia === 'supervisord') {
    return `/usr/bin/supervisord -n -c /srv/app/shared/supervisord.conf >/dev/null 2>&1 &`;
  }
  if (app.logVia === 'svlogd') return 'runsv /srv/app/sv/app >/dev/null 2>&1 &';
  const stdout = app.logVia === 'stdout' ? app.logPath : '/srv/app/shared/console.out';
  return `# Supervisor: restart the app 0.5 s after it exits; /srv/app/bin/restart relies on this.
(
  while :; do
    ( cd /srv/app/current && ${app.preExec ?? ':'} && exec ${cmd} ) >>${stdout} 2>&1 &
    echo $! > /run/app.pid
    wait $!
    sleep 0.5
  done
) &`;
}

/** Files the supervisor or the app server needs: [path inside /srv/app, content, mode]. */
export function supervisorFiles(s: Scenario, address: string): Array<[string, string, number]> {
  const app = s.app!;
  const cmd = asUser(s, appArgv(s, address));
  const files: Array<[string, string, number]> = [];
  if (app.logVia === 'supervisord') {
    files.push(['shared/supervisord.conf', `[supervisord]
nodaemon=true
logfile=/var/log/supervisor/supervisord.log
pidfile=/run/supervisord.pid
childlogdir=/var/log/supervisor

[program:shop]
command=${cmd}
directory=/srv/app/current
stdout_logfile=${app.logPath}
redirect_stderr=true
autorestart=true
startsecs=0
`, 0o644]);
  }
  if (app.logVia === 'svlogd') {
    files.push(['sv/app/run', `#!/bin/sh\ncd /srv/app/current || exit 1\nexec 2>&1\nexec ${cmd}\n`, 0o755]);
    files.push(['sv/app/log/run', `#!/bin/sh\nexec svlogd ${app.logPath.slice(0, app.logPath.lastIndexOf('/'))}\n`, 0o755]);
  }
  if (app.stack === 'php') {
    files.push(['shared/php-fpm.conf', `[global]
error_log = /var/log/php-fpm/fpm-master.log
pid = /run/php/fpm.pid
daemonize = no

[shop]
user = www-data
group = www-data
listen = /run/php/shop-fpm.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 2
catch_workers_output = yes
chdir = /srv/app/current
php_admin_value[error_log] = ${app.logPath}
php_admin_flag[log_errors] = on
php_admin_flag[display_errors] = off
php_admin_value[memory_limit] = 16M
php_admin_value[date.timezone] = UTC
`, 0o644]);
  }
  return files;
}
