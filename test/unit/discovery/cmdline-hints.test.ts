import { describe, expect, it } from 'vitest';
import { cmdlineLogHints } from '../../../src/core/app-discovery/cmdline-hints.js';

const values = (args: string, cwd: string | null = '/srv/app/releases/1') => cmdlineLogHints(args, cwd).map((h) => `${h.kind}:${h.value}`);

describe('log hints in command lines', () => {
  it('reads app-server and runtime flags', () => {
    expect(values('/usr/bin/python3 /usr/bin/gunicorn --error-logfile /var/log/orders/error.log --access-logfile=/var/log/orders/access.log wsgi:app'))
      .toEqual(['file:/var/log/orders/error.log', 'file:/var/log/orders/access.log']);
    expect(values('java -Xmx2g -Dlogging.file.name=/var/log/billing/billing.log -Dlogging.file.path=/var/log/billing -Dlogback.configurationFile=/etc/billing/logback.xml -jar billing.jar'))
      .toEqual(['file:/var/log/billing/billing.log', 'dir:/var/log/billing', 'config:/etc/billing/logback.xml']);
    expect(values('uwsgi --ini /etc/uwsgi/apps-enabled/shop.ini --logto /var/log/uwsgi/shop.log'))
      .toEqual(['config:/etc/uwsgi/apps-enabled/shop.ini', 'file:/var/log/uwsgi/shop.log']);
    expect(values('puma 5.6.5 (tcp://0.0.0.0:9292) [shop]')).toEqual([]);
    expect(values('/usr/local/bin/orders -log-dir /var/log/orders -addr :8080')).toEqual(['dir:/var/log/orders']);
  });

  it('resolves relative paths against the working directory, never outside it by ..', () => {
    expect(values('node server.js --log-file=log/app.log')).toEqual(['file:/srv/app/releases/1/log/app.log']);
    expect(values('node server.js --log-file=../../../etc/shadow')).toEqual([]);
    expect(values('node server.js --log-file=log/app.log', null)).toEqual([]);
    expect(values('node server.js --log-file=-')).toEqual([]);
  });

  it('takes the config path from a php-fpm master title', () => {
    expect(values('php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)')).toEqual(['config:/etc/php/8.2/fpm/php-fpm.conf']);
  });
});
