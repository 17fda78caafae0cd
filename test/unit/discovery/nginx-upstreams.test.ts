import { describe, expect, it } from 'vitest';
import { collectUpstreams, describeTarget } from '../../../src/core/parsers/nginx-upstreams.js';
import { parseNginxText } from '../../../src/core/parsers/nginx-tokenize.js';
import { captured } from './captured.js';
import { parseNginxConfig } from '../../../src/core/parsers/nginx-config.js';

const targets = (conf: string) => collectUpstreams(parseNginxText(conf, '/etc/nginx/nginx.conf'));

describe('nginx upstream targets', () => {
  it('expands upstream blocks and reads every *_pass form', () => {
    const { targets: t, notes } = targets(`http {
      upstream app { server 10.0.3.13:8080 weight=2; server app-4.internal:8080; server unix:/run/app.sock; }
      server { listen 80; server_name shop;
        location / { proxy_pass http://app; }
        location /api/ { proxy_pass http://127.0.0.1:9000/api/; }
        location /v6 { proxy_pass http://[::1]:9001; }
        location ~ \\.php$ { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
        location /py { uwsgi_pass 127.0.0.1:3031; }
        location /grpc { grpc_pass grpc://10.0.3.20:50051; }
        location /sock { proxy_pass http://unix:/run/gunicorn.sock:/; }
        location /plain { proxy_pass http://legacy; }
        location /dyn { proxy_pass http://$backend; }
      } }`);
    expect(t.map(describeTarget)).toEqual(['10.0.3.13:8080', 'app-4.internal:8080', 'unix:/run/app.sock', '127.0.0.1:9000', '[::1]:9001',
      'unix:/run/php/php8.2-fpm.sock', '127.0.0.1:3031', '10.0.3.20:50051', 'unix:/run/gunicorn.sock', 'legacy:80']);
    expect(t[0]).toMatchObject({ upstream: 'app', directive: 'proxy_pass', where: 'server shop > location /' });
    expect(notes.join(' ')).toMatch(/\$backend.*only known at request time/);
  });

  it('finds the LB host upstream in the captured nginx -T', () => {
    const cfg = parseNginxConfig(captured('lb-front').commands.find((c) => c.id === 'nginx_dump')!.stdout)!;
    expect(cfg.upstreams.map(describeTarget)).toEqual(['127.0.10.35:9000']);
    expect(cfg.upstreams[0]!.upstream).toBe('shop_backend');
  });
});
