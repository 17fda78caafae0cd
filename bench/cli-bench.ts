// The installed command as a user runs it, whole process, one lab host, measured side by side
// in one run (interleaved rounds, medians):
//  (a′) `node dist/diagbot.mjs diagnose HOST` vs a hand-written OpenSSH one-liner running the
//       same checks one after another; the unbundled build (dist/src/cli/main.js) alongside;
//  start-up: `diagbot --help` vs `node -e 0`; time from exec to the first SSH packet (the
//       connect() to sshd, from strace) vs a bare `node -e 'net.connect(...)'`;
//  (a′) again across a network: the same host behind a proxy delaying each direction by half of
//       25 and 50 ms RTT (test/helpers/latency-proxy.ts; the lab has no netem), both sides through it.
// Needs `npm run build` first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadInventory } from '../src/config/inventory.js';
import { loadTriageCommands } from '../src/triage/command-set.js';
import { diagnoseHost } from '../src/triage/diagnose-host.js';
import { distantHost } from '../test/helpers/latency-proxy.js';
import { startLab } from '../test/lab/lab.js';
import { oneLiner, renderSameChecks } from './same-checks.js';
import { opensshRun } from './ssh-floor.js';
import { fmt, median } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const ROOT = resolve(import.meta.dirname, '..');
const BUNDLE = join(ROOT, 'dist/diagbot.mjs');
const UNBUNDLED = join(ROOT, 'dist/src/cli/main.js');
for (const f of [BUNDLE, UNBUNDLED]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);

/** Wall-clock ms of one process run to its exit; a non-zero exit other than `okCodes` is an error. */
function timed(argv: string[], okCodes = [0], timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  return new Promise((res, rej) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (okCodes.includes(code ?? -1)) res(performance.now() - started);
      else rej(new Error(`${argv.join(' ')} exited ${code}: ${err.slice(0, 500)}`));
    });
  });
}

const hasStrace = spawnSync('strace', ['-V']).status === 0;
/** ms from the process's execve to its first connect() to `port`, from strace's timestamps. */
function execToConnect(argv: string[], port: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'diagbot-bench-'));
  try {
    const out = join(dir, 'trace');
    spawnSync('strace', ['-f', '--seccomp-bpf', '-ttt', '-e', 'trace=execve,connect', '-o', out, ...argv], { stdio: 'ignore', timeout: 60_000 });
    const lines = readFileSync(out, 'utf8').split('\n');
    const at = (l: string | undefined) => Number(l?.split(/\s+/)[1]);
    const exec = lines.find((l) => /execve\(/.test(l) && /= 0$/.test(l));
    const conn = lines.find((l) => l.includes('connect(') && l.includes(`htons(${port})`));
    if (!exec || !conn) throw new Error(`no execve/connect to port ${port} in the trace of ${argv.join(' ')}`);
    return (at(conn) - at(exec)) * 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lab = await startLab({ scenarios: [], bench: 1 });
try {
  const inventory = loadInventory(lab.inventoryPath);
  const host = inventory.hosts.get('bench-1')!;
  const warm = await diagnoseHost(host, { timeoutMs: 30_000, commands: loadTriageCommands() });
  if (!warm.result.reachable || !warm.raw) throw new Error(`bench host unreachable: ${warm.result.error}`);
  const checks = renderSameChecks(host, loadTriageCommands(), warm.raw);
  const script = oneLiner(checks);
  const diagnose = (cli: string) => [process.execPath, cli, 'diagnose', '--inventory', lab.inventoryPath, '--format', 'json', 'bench-1'];
  const bare = [process.execPath, '-e', `require('net').connect(${host.port}, ${JSON.stringify(host.address)}).on('error', () => {}).on('connect', function () { this.destroy(); })`];

  const s = { bundle: [] as number[], unbundled: [] as number[], ssh: [] as number[], help: [] as number[], helpUnbundled: [] as number[], node: [] as number[],
    connBundle: [] as number[], connUnbundled: [] as number[], connBare: [] as number[] };
  for (let r = 0; r < ROUNDS + 1; r++) {
    // Round 0 warms the page cache and the host; interleaving keeps load changes from favouring one side.
    const round = {
      ssh: await opensshRun(host, script), bundle: await timed(diagnose(BUNDLE)), unbundled: await timed(diagnose(UNBUNDLED)),
      node: await timed([process.execPath, '-e', '0']), help: await timed([process.execPath, BUNDLE, '--help']),
      helpUnbundled: await timed([process.execPath, UNBUNDLED, '--help']),
    };
    if (r > 0) for (const [k, v] of Object.entries(round)) s[k as keyof typeof round].push(v);
    if (hasStrace && r > 0) {
      s.connBare.push(execToConnect(bare, host.port));
      s.connBundle.push(execToConnect(diagnose(BUNDLE), host.port));
      s.connUnbundled.push(execToConnect(diagnose(UNBUNDLED), host.port));
    }
  }
  const m = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, median(v)])) as Record<keyof typeof s, number>;
  const far: Array<{ rtt: number; cli: number; ssh: number }> = [];
  for (const rtt of [25, 50]) {
    const d = await distantHost(host, rtt);
    try {
      const cli = [process.execPath, BUNDLE, 'diagnose', '--inventory', d.inventoryPath, '--format', 'json', 'bench-1'];
      const x = { cli: [] as number[], ssh: [] as number[] };
      for (let r = 0; r < Math.max(3, Math.ceil(ROUNDS / 2)) + 1; r++) {
        const round = { ssh: await opensshRun(d.host, script), cli: await timed(cli) };
        if (r > 0) { x.ssh.push(round.ssh); x.cli.push(round.cli); }
      }
      far.push({ rtt, cli: median(x.cli), ssh: median(x.ssh) });
    } finally { await d.close(); }
  }
  const rows = [
    ['(a′) `node dist/diagbot.mjs diagnose` vs OpenSSH one-liner, same checks in sequence', `${fmt(m.bundle)} vs ${fmt(m.ssh)} (${checks.length} checks)`, `${(m.bundle / m.ssh).toFixed(2)}×`, '≤ 1.0×'],
    ['(a′) unbundled `node dist/src/cli/main.js diagnose` vs the same one-liner', `${fmt(m.unbundled)} vs ${fmt(m.ssh)}`, `${(m.unbundled / m.ssh).toFixed(2)}×`, '(before)'],
    ['bundle saves per diagnose (unbundled − bundled)', `${fmt(m.unbundled - m.bundle)}`, '', '(context)'],
    ['`diagbot --help` (bundle) vs `node -e 0`', `${fmt(m.help)} vs ${fmt(m.node)}`, `+${fmt(m.help - m.node)}`, '(context)'],
    ['`diagbot --help` (unbundled) vs `node -e 0`', `${fmt(m.helpUnbundled)} vs ${fmt(m.node)}`, `+${fmt(m.helpUnbundled - m.node)}`, '(before)'],
  ];
  for (const f of far) rows.push([`(a′) the same across ${f.rtt} ms RTT`, `${fmt(f.cli)} vs ${fmt(f.ssh)}`, `${(f.cli / f.ssh).toFixed(2)}×`, '(context)']);
  if (hasStrace) {
    rows.push(
      ['exec → first SSH packet: bundle vs bare `node -e net.connect()`', `${fmt(m.connBundle)} vs ${fmt(m.connBare)}`, `+${fmt(m.connBundle - m.connBare)}`, '≤ +50 ms'],
      ['exec → first SSH packet: unbundled vs bare node', `${fmt(m.connUnbundled)} vs ${fmt(m.connBare)}`, `+${fmt(m.connUnbundled - m.connBare)}`, '(before)'],
    );
  }
  console.log(`\ndiagbot CLI benchmark (whole process, one lab host) — medians of ${ROUNDS} interleaved rounds, ${new Date().toISOString()}\n`);
  console.log('| measure | figures | ratio | goal |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  if (!hasStrace) console.log('\n(strace not installed: time to the first SSH packet not measured)');
} finally {
  await lab.stop();
}
