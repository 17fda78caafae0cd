// Log files, log directories and config files a process's command line names: the flags app
// servers and runtimes use for them (gunicorn, uwsgi, puma, php-fpm, the JVM, .NET, Go flags).

export interface CmdlineHint {
  kind: 'file' | 'dir' | 'config';
  value: string;
  how: string;
}

const FILE_FLAGS = /^--?(?:log-?file|logfile|log-?file-?name|error-?log(?:file)?|errorlog|access-?log(?:file)?|accesslog|log|log-?to|logto|daemonize|log-?output|output-?log|stdout|stderr|log_file|log-file-path)$/i;
const DIR_FLAGS = /^--?(?:log-?dir|logdir|log-?path|log-?directory|log_dir|logs-?dir)$/i;
const CONFIG_FLAGS = /^(?:-c|-C|-y|--config|--conf|--config-file|--configfile|--ini|--fpm-config|--settings|--xml|--yaml|--json)$/;
const JVM_FILE = /^-D(?:logging\.file(?:\.name)?|log\.file|logfile|log4j\.logfile|app\.log\.file)=(.+)$/;
const JVM_DIR = /^-D(?:logging\.(?:file\.)?path|log\.dir|log\.path|logs\.dir|LOG_DIR|catalina\.base)=(.+)$/;
const JVM_CONFIG = /^-D(?:logback\.configurationFile|log4j2?\.configurationFile|log4j\.configuration|logging\.config|java\.util\.logging\.config\.file)=(?:file:)?(.+)$/;
const CONFIG_FILE = /\.(?:conf|ini|ya?ml|toml|xml|cfg|config\.js|conf\.py|rb)$/;

function absolute(p: string, cwd: string | null): string | null {
  const v = p.replace(/^["']|["']$/g, '');
  if (!v || v === '-' || /^(?:stdout|stderr|syslog|journal|off|null|\/dev\/.*)$/i.test(v)) return null;
  if (v.startsWith('/')) return v;
  if (!cwd || v.includes('://') || v.startsWith('~')) return null;
  return `${cwd.replace(/\/$/, '')}/${v.replace(/^\.\//, '')}`;
}

export function cmdlineLogHints(args: string, cwd: string | null): CmdlineHint[] {
  const words = args.trim().split(/\s+/);
  const out: CmdlineHint[] = [];
  const push = (kind: CmdlineHint['kind'], raw: string, flag: string) => {
    const v = absolute(raw, cwd);
    if (v && !v.split('/').includes('..')) out.push({ kind, value: v, how: `named by ${flag}` });
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    const [flag, inline] = eq > 0 && w.startsWith('-') && !w.startsWith('-D') ? [w.slice(0, eq), w.slice(eq + 1)] : [w, undefined];
    const value = inline ?? words[i + 1];
    let m: RegExpExecArray | null;
    if ((m = JVM_FILE.exec(w))) push('file', m[1]!, w.slice(0, w.indexOf('=')));
    else if ((m = JVM_DIR.exec(w))) push('dir', m[1]!, w.slice(0, w.indexOf('=')));
    else if ((m = JVM_CONFIG.exec(w))) push('config', m[1]!, w.slice(0, w.indexOf('=')));
    else if (value !== undefined && FILE_FLAGS.test(flag)) { push('file', value, flag); if (inline === undefined) i++; }
    else if (value !== undefined && DIR_FLAGS.test(flag)) { push('dir', value, flag); if (inline === undefined) i++; }
    else if (value !== undefined && CONFIG_FLAGS.test(flag)) { push('config', value, flag); if (inline === undefined) i++; }
    else if (i > 0 && !w.startsWith('-') && CONFIG_FILE.test(w) && !/\.(?:rb|py|js)$/.test(w)) push('config', w, 'an argument');
  }
  // Process titles: "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)".
  const title = /\((\/[^()\s]+\.conf)\)/.exec(args);
  if (title) out.push({ kind: 'config', value: title[1]!, how: 'named in the process title' });
  return out;
}
