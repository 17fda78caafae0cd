import type { LogFormat, Scenario } from './lab-types.js';

// Field orders differ on purpose: diagbot must read the format from `nginx -T`, not assume one.
const LOG_FORMATS: Record<Exclude<LogFormat, 'combined'>, string> = {
  main: `log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                    '"$http_referer" "$http_user_agent" upstream_status=$upstream_status rt=$request_time';`,
  upstream_first: `log_format upstream_first '$time_iso8601 $upstream_status $status $request_method $request_uri '
                              '$body_bytes_sent $remote_addr $request_time';`,
  json: `log_format json escape=json '{"time":"$time_iso8601","remote_addr":"$remote_addr",'
                      '"request":"$request","status":$status,"upstream_status":"$upstream_status",'
                      '"upstream_addr":"$upstream_addr","request_time":$request_time,'
                      '"user_agent":"$http_user_agent"}';`,
};

export function nginxConf(s: Scenario): string {
  const n = s.nginx!;
  const format = n.format === 'combined' ? '' : LOG_FORMATS[n.format];
  const accessLog = n.format === 'combined' ? `access_log ${n.accessLog};` : `access_log ${n.accessLog} ${n.format};`;
  return `user www-data;
worker_processes ${n.workers ?? 1};
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;

events {
    worker_connections 512;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    server_tokens off;

    ${format}
    ${accessLog}

    include /etc/nginx/conf.d/*.conf;
}
`;
}

/** Where `location /` sends requests: the host's own app, php-fpm's socket, or another host (LB). */
function backend(s: Scenario, address: string, upstreamAddress: string | undefined): { upstream: string; pass: string } {
  if (s.app?.stack === 'php') {
    return { upstream: '', pass: `fastcgi_pass unix:/run/php/shop-fpm.sock;
        include /etc/nginx/fastcgi_params;
        fastcgi_param SCRIPT_FILENAME /srv/app/current/index.php;` };
  }
  if (upstreamAddress) {
    return { upstream: `upstream shop_backend {\n    server ${upstreamAddress}:9000 max_fails=0;\n    keepalive 8;\n}\n\n`, pass: `proxy_pass http://shop_backend;
        proxy_http_version 1.1;
        proxy_set_header Connection "";` };
  }
  return { upstream: '', pass: `proxy_pass http://${address}:9000;` };
}

export function siteConf(s: Scenario, address: string, upstreamAddress?: string): string {
  const n = s.nginx!;
  const b = backend(s, address, upstreamAddress);
  return `${b.upstream}server {
    listen ${address}:8080;
    server_name shop.lab;
    proxy_read_timeout 30s;
${n.extra ?? ''}

    location = /old-shop { return 301 /; }
${(n.locations ?? '').replace(/\$LAB_ADDR/g, address)}

    location / {
        ${b.pass}
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
}
`;
}

/** The edit that breaks config-invalid: a typo nginx -t rejects ("unknown directive"). */
export function breakSiteConf(conf: string): string {
  return conf.replace('proxy_read_timeout 30s;', 'proxy_read_timout 30s;');
}
