import { findOutput, problemNote, splitLines, usableStdout } from './command-outputs.js';
import { parseNginxConfig, type NginxConfig } from './parsers/nginx-config.js';
import type { CommandOutput } from './types.js';
import { hasControls } from './visible-controls.js';

// Which log files the logs phase should tail, read from the running nginx configuration rather
// than assumed. Every path returned is absolute and plain; everything skipped is explained.

export interface LogTargetPlan {
  nginxPresent: boolean;
  accessLogs: string[];
  errorLogs: string[];
  notes: string[];
}

/** nginx's built-in locations when the config names none (Debian/Ubuntu/RHEL packages). */
export const DEFAULT_ACCESS_LOG = '/var/log/nginx/access.log';
export const DEFAULT_ERROR_LOG = '/var/log/nginx/error.log';

/** Why a log path cannot be tailed as a file, or null when it can. */
export function unusableLogPath(path: string): string | null {
  if (path === 'off') return 'logging is off';
  if (path.startsWith('syslog:')) return 'sent to syslog';
  if (path.startsWith('memory:')) return 'an in-memory debug buffer';
  if (path === 'stderr' || path === '/dev/stderr' || path === '/dev/stdout') return 'a standard stream, not a file';
  if (path.includes('$')) return 'the path contains variables';
  if (/\n/.test(path) || hasControls(path)) return 'the path contains control characters';
  if (!path.startsWith('/')) return 'a relative path (the nginx prefix is unknown)';
  return null;
}

export function isNoNginx(out: CommandOutput | undefined): boolean {
  return out !== undefined && !out.error && out.stdout.trim() === 'no-nginx';
}

function fromConfig(cfg: NginxConfig, notes: string[]): { access: string[]; error: string[] } {
  const access: string[] = [];
  const error: string[] = [];
  const take = (list: string[], path: string, kind: string, where: string) => {
    const why = unusableLogPath(path);
    if (why) notes.push(`${kind} log ${JSON.stringify(path)} (${where}) skipped: ${why}`);
    else if (!list.includes(path)) list.push(path);
  };
  for (const a of cfg.accessLogs) take(access, a.path, 'access', a.where);
  for (const e of cfg.errorLogs) take(error, e.path, 'error', e.where);
  if (cfg.usesDefaultAccessLog && !access.includes(DEFAULT_ACCESS_LOG)) {
    access.push(DEFAULT_ACCESS_LOG);
    notes.push(`some server has no access_log; using nginx's default ${DEFAULT_ACCESS_LOG} (combined format)`);
  }
  if (cfg.usesDefaultErrorLog && !error.includes(DEFAULT_ERROR_LOG)) {
    error.push(DEFAULT_ERROR_LOG);
    notes.push(`no main-level error_log; assuming the compiled-in default ${DEFAULT_ERROR_LOG}`);
  }
  return { access, error };
}

function fromOpenLogs(out: CommandOutput | undefined, notes: string[]): { access: string[]; error: string[] } {
  const access: string[] = [];
  const error: string[] = [];
  const text = usableStdout(out);
  if (!text) {
    notes.push('the running nginx holds no log files we could see (nginx_open_logs empty or failed)');
    return { access, error };
  }
  for (const raw of splitLines(text)) {
    const path = raw.trim().replace(/ \(deleted\)$/, '');
    if (!path) continue;
    const why = unusableLogPath(path);
    if (why) { notes.push(`open log ${JSON.stringify(path)} skipped: ${why}`); continue; }
    const base = path.slice(path.lastIndexOf('/') + 1);
    const list = /error/i.test(base) ? error : access;
    if (!list.includes(path)) list.push(path);
  }
  return { access, error };
}

export function planLogTargets(outputs: CommandOutput[]): LogTargetPlan {
  const dumpText = usableStdout(findOutput(outputs, 'nginx_dump'));
  return planFromConfig(outputs, dumpText ? parseNginxConfig(dumpText) : null);
}

/** Same as planLogTargets for a caller that already parsed the `nginx -T` output. */
export function planFromConfig(outputs: CommandOutput[], cfg: NginxConfig | null): LogTargetPlan {
  const notes: string[] = [];
  const dump = findOutput(outputs, 'nginx_dump');
  if (isNoNginx(dump) || isNoNginx(findOutput(outputs, 'nginx_test'))) {
    return { nginxPresent: false, accessLogs: [], errorLogs: [], notes: ['nginx is not installed on this host'] };
  }
  const dumpText = usableStdout(dump);
  let logs: { access: string[]; error: string[] };
  if (cfg) {
    logs = fromConfig(cfg, notes);
  } else {
    const why = dump ? (problemNote(dump) ?? firstLine(dumpText) ?? 'no output') : 'not collected';
    notes.push(`nginx -T gave no configuration (${why}); using the log files the running nginx holds open instead`);
    logs = fromOpenLogs(findOutput(outputs, 'nginx_open_logs'), notes);
  }
  // A failed or empty `nginx -T` says nothing about absence (only "no-nginx" does), so the
  // caller still looks at the open files.
  const nginxPresent = dump !== undefined || logs.access.length + logs.error.length > 0;
  return { nginxPresent, accessLogs: logs.access, errorLogs: logs.error, notes };
}

function firstLine(text: string | null): string | null {
  const line = text?.split('\n').find((l) => /\[emerg\]|failed/.test(l)) ?? text?.split('\n')[0];
  return line ? line.trim() : null;
}
