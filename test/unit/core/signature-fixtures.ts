import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandOutput, RawHostOutputs } from '../../../src/core/types.js';
import { hostInfo, lines, mainLine, out } from './raw.js';
import { appLog, at, browse, host, NOW } from './scenario-hosts.js';

// Loads test/fixtures/signatures/<stack>/*.log (format: that directory's README.md) and builds the
// hosts the corpus puts them on: one signal in the app or kernel log, with or without 5xx.

const ROOT = fileURLToPath(new URL('../../fixtures/signatures/', import.meta.url));

export interface SignatureFixture {
  stack: string;
  name: string;
  source: string;
  expect: string | null;
  log: 'app' | 'kernel:journalctl' | 'kernel:kern.log' | 'kernel:dmesg';
  stamped: boolean;
  summary: RegExp | null;
  trace: string | null;
  healthyOnly: boolean;
  body: string;
}

function parse(stack: string, name: string, text: string): SignatureFixture {
  const all = text.split('\n');
  const head: Record<string, string> = {};
  let i = 0;
  for (; i < all.length && all[i]!.startsWith('# '); i++) {
    const m = /^# ([a-z-]+): (.*)$/.exec(all[i]!);
    if (m) head[m[1]!] = m[2]!;
  }
  const log = (head.log ?? 'app') as SignatureFixture['log'];
  return {
    stack, name, log,
    source: head.source ?? '',
    expect: head.expect ?? null,
    stamped: head.stamped !== 'no',
    summary: head.summary ? new RegExp(head.summary) : null,
    trace: head.trace ?? null,
    healthyOnly: head['healthy-only'] === 'yes',
    body: all.slice(i).join('\n'),
  };
}

export function loadSignatureFixtures(root = ROOT): SignatureFixture[] {
  return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) =>
    readdirSync(root + d.name).filter((f) => f.endsWith('.log')).sort()
      .map((f) => parse(d.name, f.replace(/\.log$/, ''), readFileSync(`${root}${d.name}/${f}`, 'utf8'))));
}

const deployAt = Date.parse(NOW) - 8 * 60_000;
const s = (ms: number) => Math.floor(ms / 1000);
/** A release that went live 8 minutes before the host's clock, with a previous one to roll back to. */
export const freshDeploy = out('releases', `current /srv/app/releases/20261121005200\nlink_mtime ${s(deployAt)}\n` +
  `release ${s(deployAt - 6 * 3600_000)} /srv/app/releases/20261120185200\nrelease ${s(deployAt)} /srv/app/releases/20261121005200\n`);

/** 20 passthrough 500s at 00:57, after 30 healthy requests. */
export const fiveXX = () => browse(10) + lines(20, (i) => mainLine(at(3, i), 'GET /api/orders', 500, '500'));

function logOutput(f: SignatureFixture): CommandOutput {
  if (f.log.startsWith('kernel:')) return out('kernel_log', `source ${f.log.slice(7)}\n${f.body}`);
  // A stamp-less block (runtime stderr, console logger) takes its time from the line before it.
  const lead = f.stamped ? '' : `${at(2)} INFO [shop] GET /api/orders 200 3ms\n`;
  return appLog(`${lead}${f.body}`, '/var/log/shop/app.log');
}

export function hostWith(f: SignatureFixture, opts: { errors: boolean; hoursLater?: number }): RawHostOutputs {
  const extra = opts.hoursLater ?? 0;
  const log = logOutput(f);
  const replace: Record<string, CommandOutput> = {};
  if (log.id === 'kernel_log') replace.kernel_log = log;
  if (f.expect === 'bad_deploy') replace.releases = freshDeploy;
  // Same boot, later clock: dmesg stamps keep their wall time, everything in the logs is old.
  if (extra > 0) replace.host_info = hostInfo(new Date(Date.parse(NOW) + extra * 3600_000).toISOString(), 86_400 + extra * 3600);
  return host({
    access: opts.errors ? fiveXX() : browse(5),
    app: log.id === 'app_log' ? log : undefined,
    replace,
  });
}
