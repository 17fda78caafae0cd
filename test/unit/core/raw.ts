import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandOutput, RawHostOutputs } from '../../../src/core/types.js';

// Builders for RawHostOutputs from captured fixtures, so rule tests read like a host's state.

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function fixture(path: string): string {
  return readFileSync(FIXTURES + path, 'utf8');
}

export function out(id: string, stdout: string, extra: Partial<CommandOutput> = {}): CommandOutput {
  return { id, exitCode: 0, stdout, stderr: '', durationMs: 5, truncated: false, timedOut: false, ...extra };
}

/** host_info for a host whose clock reads `iso`. */
export function hostInfo(iso: string, uptimeS = 86_400, nproc = 2): CommandOutput {
  return out('host_info', `now ${Math.floor(Date.parse(iso) / 1000)}\nuptime ${uptimeS}.42\nnproc ${nproc}\nhostname web-1\n`);
}

export function raw(commands: CommandOutput[], context: Partial<RawHostOutputs['context']> = {}): RawHostOutputs {
  return { host: 'web-1', context: { hasPostgres: false, hasDeploy: false, appLogGlobs: [], ...context }, commands };
}

/** A normal machine: real ps/df/meminfo/fd/kernel output captured on this box. */
export function normalHostFacts(): CommandOutput[] {
  return [
    out('processes', fixture('host/processes-with-nginx.txt')),
    out('fd_usage', fixture('host/fd_usage-with-nginx.txt')),
    out('disk', fixture('host/disk.txt')),
    out('memory', fixture('host/memory.txt')),
    out('kernel_log', fixture('host/kernel_log.txt')),
    out('nginx_open_logs', fixture('host/nginx_open_logs-with-nginx.txt')),
  ];
}

/** The lab's `main` format (combined + upstream_status + request_time). */
export const MAIN_FORMAT_CONF = `# configuration file /etc/nginx/nginx.conf:
user www-data;
worker_processes 2;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
events {
    worker_connections 512;
}
http {
    log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                    '"$http_referer" "$http_user_agent" upstream_status=$upstream_status rt=$request_time';
    access_log /var/log/nginx/access.log main;
    include /etc/nginx/conf.d/*.conf;
}

# configuration file /etc/nginx/conf.d/shop.conf:
server {
    listen 127.0.10.13:8080;
    server_name shop.lab;
    location / {
        proxy_pass http://127.0.10.13:9000;
    }
}
`;

export function nginxWith(conf: string, test = 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n'): CommandOutput[] {
  return [
    out('nginx_dump', `${test}${conf}`),
    out('nginx_test', test),
  ];
}

/** An access-log line in the `main` format. */
export function mainLine(iso: string, request: string, status: number, upstream: string, ua = 'curl/8.5.0'): string {
  const d = new Date(iso);
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  const t = `${pad(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  return `127.0.0.1 - - [${t}] "${request} HTTP/1.1" ${status} 42 "-" "${ua}" upstream_status=${upstream} rt=0.004`;
}

export function lines(n: number, make: (i: number) => string): string {
  return `${Array.from({ length: n }, (_, i) => make(i)).join('\n')}\n`;
}
