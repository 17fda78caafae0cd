import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port.js';

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export interface AlertInput {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface AlertmanagerOptions {
  webhookUrl: string;
  bearerToken?: string;
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  resolveTimeout?: string;
  sendResolved?: boolean;
  /** Parent for the instance's own temp dir (config, storage, log); defaults to the OS temp dir. */
  dir?: string;
}

export interface Alertmanager {
  url: string;
  pid: number;
  dir: string;
  postAlerts(alerts: AlertInput[]): Promise<void>;
  /** Re-posts the alerts with endsAt = now, which is how Prometheus resolves them. */
  resolveAlerts(alerts: AlertInput[]): Promise<void>;
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

const READY_TIMEOUT_MS = 10_000;
const HTTP_TIMEOUT_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function alertmanagerConfig(opts: AlertmanagerOptions): string {
  const webhook: Record<string, unknown> = { url: opts.webhookUrl, send_resolved: opts.sendResolved ?? true };
  // 0.25 takes Prometheus common http_config; `authorization` replaced the deprecated `bearer_token`.
  if (opts.bearerToken !== undefined) {
    webhook.http_config = { authorization: { type: 'Bearer', credentials: opts.bearerToken } };
  }
  return stringify({
    global: { resolve_timeout: opts.resolveTimeout ?? '5m' },
    route: {
      receiver: 'webhook',
      group_by: opts.groupBy ?? ['alertname'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '1s',
      repeat_interval: opts.repeatInterval ?? '1h',
    },
    receivers: [{ name: 'webhook', webhook_configs: [webhook] }],
  });
}


function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const signal = (s: NodeJS.Signals) => { try { process.kill(-child.pid!, s); } catch { /* group already gone */ } };
  signal('SIGTERM');
  const timer = sleep(5_000).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timer])) === 'timeout') {
    signal('SIGKILL');
    await exited;
  }
}

async function waitReady(url: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`alertmanager exited (${child.exitCode ?? child.signalCode}) before ready:\n${tail(logPath, 20)}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(100);
  }
  throw new Error(`alertmanager not ready at ${url} within ${READY_TIMEOUT_MS} ms (last: ${last}):\n${tail(logPath, 20)}`);
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`POST ${url} -> HTTP ${res.status}: ${await res.text()}`);
}

async function startOnce(opts: AlertmanagerOptions, dir: string, attempt: number): Promise<Alertmanager> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(dir, `alertmanager-${attempt}.log`);
  const logFd = openSync(logPath, 'a');
  const child = spawn(ALERTMANAGER_BIN, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, `data-${attempt}`)}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // Without it the webhook's externalURL carries the machine's hostname.
    `--web.external-url=${url}`,
    // Empty disables HA gossip, which would otherwise bind 0.0.0.0:9094 and delay sends by peer position.
    '--cluster.listen-address=',
  ], { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${ALERTMANAGER_BIN}`);
  // If the test worker dies without stop(), don't leave the daemon behind.
  const onExit = () => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } };
  process.once('exit', onExit);
  const shutdown = async () => {
    await killGroup(child);
    process.removeListener('exit', onExit);
  };
  try {
    await waitReady(url, child, logPath);
  } catch (err) {
    await shutdown();
    throw err;
  }
  const post = (alerts: AlertInput[]) => postJson(`${url}/api/v2/alerts`, alerts);
  return {
    url, pid, dir,
    postAlerts: post,
    resolveAlerts: (alerts) => {
      const now = new Date().toISOString();
      return post(alerts.map((a) => ({ ...a, endsAt: now })));
    },
    stop: async () => {
      await shutdown();
      await rm(dir, { recursive: true, force: true });
    },
    logTail: (lines = 30) => tail(logPath, lines),
  };
}

/** Starts the real Debian Alertmanager on a free loopback port, sending every alert to one webhook. */
export async function startAlertmanager(opts: AlertmanagerOptions): Promise<Alertmanager> {
  if (!existsSync(ALERTMANAGER_BIN)) {
    throw new Error(`${ALERTMANAGER_BIN} not found: apt-get install -y prometheus-alertmanager`);
  }
  const dir = await mkdtemp(join(opts.dir ?? tmpdir(), 'alertmanager-'));
  await writeFile(join(dir, 'alertmanager.yml'), alertmanagerConfig(opts));
  let lastErr: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(opts, dir, attempt);
    } catch (err) {
      lastErr = err;
      if (!/address already in use/.test(String(err))) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastErr;
}
