import { parseNginxDump } from './nginx-dump.js';
import { walkDirectives, type Directive } from './nginx-tokenize.js';
import { collectUpstreams, type UpstreamTarget } from './nginx-upstreams.js';

// The facts triage needs from the running nginx configuration: where it logs and in which
// format, how many workers it wants, and whether it intercepts upstream errors.

export interface LogFormatDef {
  name: string;
  escape: 'default' | 'json' | 'none';
  template: string;
}

export interface AccessLogDirective {
  /** Raw path argument (may be `off`, `syslog:…`, contain variables…). */
  path: string;
  format: string;
  where: string;
}

export interface ErrorLogDirective {
  path: string;
  level: string;
  where: string;
}

export interface InterceptDirective {
  directive: string;
  where: string;
}

export interface ErrorPageDirective {
  codes: number[];
  target: string;
  where: string;
}

export interface NginxConfig {
  /** Config files nginx read, main first. */
  files: string[];
  /** `auto`, a number, or null when the directive is absent (nginx default 1). */
  workerProcesses: number | 'auto' | null;
  logFormats: Record<string, LogFormatDef>;
  accessLogs: AccessLogDirective[];
  errorLogs: ErrorLogDirective[];
  /** True when some http server or location has no access_log and inherits nginx's default. */
  usesDefaultAccessLog: boolean;
  /** True when no main-level error_log is set, so the compiled-in default applies. */
  usesDefaultErrorLog: boolean;
  intercepts: InterceptDirective[];
  errorPages: ErrorPageDirective[];
  /** Where requests go: *_pass targets with upstream blocks expanded. */
  upstreams: UpstreamTarget[];
  notes: string[];
}

export const COMBINED_FORMAT: LogFormatDef = {
  name: 'combined',
  escape: 'default',
  template: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
};

function describe(parents: readonly Directive[]): string {
  const parts = parents
    .filter((p) => p.name === 'server' || p.name === 'location' || p.name === 'http')
    .map((p) => {
      if (p.name === 'location') return `location ${p.args.join(' ')}`;
      if (p.name === 'server') {
        const sn = p.block?.find((d) => d.name === 'server_name')?.args.join(' ');
        const listen = p.block?.find((d) => d.name === 'listen')?.args[0];
        return `server ${sn || listen || ''}`.trim();
      }
      return p.name;
    });
  return parts.length > 0 ? parts.join(' > ') : 'main';
}

function parseLogFormat(d: Directive): LogFormatDef | null {
  const [name, ...rest] = d.args;
  if (!name) return null;
  let escape: LogFormatDef['escape'] = 'default';
  const first = rest[0];
  if (first?.startsWith('escape=')) {
    const v = first.slice('escape='.length);
    escape = v === 'json' ? 'json' : v === 'none' ? 'none' : 'default';
    rest.shift();
  }
  return { name, escape, template: rest.join('') };
}

const INTERCEPT_DIRECTIVES = new Set(['proxy_intercept_errors', 'fastcgi_intercept_errors', 'uwsgi_intercept_errors', 'scgi_intercept_errors', 'grpc_intercept_errors']);

/** True when a block (http/server) or its descendants declare an access_log in its own scope. */
function declaresAccessLog(block: readonly Directive[] | undefined): boolean {
  return (block ?? []).some((d) => d.name === 'access_log');
}

/** Does any server (or a bare http) lack an access_log, so nginx's default log applies? */
function defaultAccessLogApplies(tree: readonly Directive[]): boolean {
  const http = tree.filter((d) => d.name === 'http');
  return http.some((h) => {
    if (declaresAccessLog(h.block)) return false;
    const servers = (h.block ?? []).filter((d) => d.name === 'server');
    return servers.length === 0 || servers.some((s) => !declaresAccessLog(s.block));
  });
}

export function parseNginxConfig(dumpText: string): NginxConfig | null {
  const dump = parseNginxDump(dumpText);
  if (!dump.ok) return null;
  const upstreams = collectUpstreams(dump.tree);
  const cfg: NginxConfig = {
    files: dump.files,
    workerProcesses: null,
    logFormats: { combined: COMBINED_FORMAT },
    accessLogs: [],
    errorLogs: [],
    usesDefaultAccessLog: defaultAccessLogApplies(dump.tree),
    usesDefaultErrorLog: !dump.tree.some((d) => d.name === 'error_log'),
    intercepts: [],
    errorPages: [],
    upstreams: upstreams.targets,
    notes: [...dump.notes, ...upstreams.notes],
  };
  walkDirectives(dump.tree, (d, parents) => {
    const where = describe(parents);
    switch (d.name) {
      case 'worker_processes': {
        const v = d.args[0];
        if (v === 'auto') cfg.workerProcesses = 'auto';
        else if (v && /^\d+$/.test(v)) cfg.workerProcesses = Number(v);
        break;
      }
      case 'log_format': {
        const f = parseLogFormat(d);
        if (f) cfg.logFormats[f.name] = f;
        break;
      }
      case 'access_log': {
        const [path, format] = d.args;
        if (!path) break;
        const fmt = format && !format.includes('=') && format !== 'gzip' ? format : 'combined';
        cfg.accessLogs.push({ path, format: path === 'off' ? '' : fmt, where });
        break;
      }
      case 'error_log': {
        const [path, level] = d.args;
        if (path) cfg.errorLogs.push({ path, level: level ?? 'error', where });
        break;
      }
      case 'error_page': {
        const codes = d.args.filter((a) => /^\d{3}$/.test(a)).map(Number);
        const target = d.args[d.args.length - 1] ?? '';
        cfg.errorPages.push({ codes, target, where });
        break;
      }
      default:
        if (INTERCEPT_DIRECTIVES.has(d.name) && d.args[0] === 'on') cfg.intercepts.push({ directive: d.name, where });
    }
  });
  return cfg;
}
