// `ps -eo pid=,ppid=,user=,rss=,args=`: is the nginx master alive, how many workers does it have,
// and which application processes run.

export interface ProcessRow {
  pid: number;
  ppid: number;
  user: string;
  rssKb: number;
  args: string;
}

export interface ProcessEvidence {
  nginxMasters: ProcessRow[];
  /** Workers whose parent is a master (shutting-down workers excluded). */
  nginxWorkers: ProcessRow[];
  appProcesses: ProcessRow[];
  /** Every process, for walking a service's tree (parents, workers, supervisors). */
  rows: ProcessRow[];
  total: number;
}

const APP_RE = /(?:^|\/)(?:node|nodejs|python[\d.]*|gunicorn|uwsgi|uvicorn|java|ruby|puma|unicorn|rails|php-fpm[\d.]*|dotnet|bundle|deno|bun)(?:\s|:|$)/;

export function parseProcesses(text: string): ProcessEvidence {
  const rows: ProcessRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) rows.push({ pid: +m[1]!, ppid: +m[2]!, user: m[3]!, rssKb: +m[4]!, args: m[5]! });
  }
  const nginxMasters = rows.filter((r) => /^nginx: master process/.test(r.args));
  const masterPids = new Set(nginxMasters.map((r) => r.pid));
  const nginxWorkers = rows.filter((r) => /^nginx: worker process$/.test(r.args.trim()) && masterPids.has(r.ppid));
  const appProcesses = rows.filter((r) => !r.args.startsWith('[') && APP_RE.test(r.args.split(' ')[0] ?? ''));
  return { nginxMasters, nginxWorkers, appProcesses, rows, total: rows.length };
}
