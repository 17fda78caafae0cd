// Triage speed, measured against floors taken in the same run on the same lab hosts:
//  (a) one host vs an OpenSSH connection running only the slowest single triage command;
//  (b) one host vs the same commands run one after another in one OpenSSH session;
//  (c) 30 hosts in one call vs 1 host, with the commands that timed out and the hosts found
//      unreachable (all are up: any is wrong);
//  (c″, c‴) why (c) is what it is on the lab: the machine CPU it takes, and the SSH connections alone;
//  (d) what finding the app logs costs per host (app_discovery + log_probe, as run);
//  (e) processes started on the host by one diagnosis vs by the same checks as one OpenSSH script.
import { loadInventory } from '../src/config/inventory.js';
import { loadTriageCommands } from '../src/triage/command-set.js';
import { diagnoseHost } from '../src/triage/diagnose-host.js';
import { diagnoseHosts } from '../src/triage/diagnose-hosts.js';
import { renderSameChecks } from './same-checks.js';
import { wrapForHost } from '../src/transport/transport.js';
import { startLab } from '../test/lab/lab.js';
import { hostForks } from './host-forks.js';
import { opensshRun } from './ssh-floor.js';
import { fmt, median } from './stats.js';
import { machineCpuMs } from './machine-cpu.js';
import { availableParallelism } from 'node:os';
import { connectSsh } from '../src/transport/ssh-transport.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const FLEET = Number(process.env.BENCH_FLEET ?? 30);

const lab = await startLab({ scenarios: ['healthy'], bench: FLEET });
try {
  const inventory = loadInventory(lab.inventoryPath);
  const one = inventory.hosts.get('bench-1')!;
  const fleet = Array.from({ length: FLEET }, (_, i) => inventory.hosts.get(`bench-${i + 1}`)!);
  const commands = loadTriageCommands();
  const opts = { timeoutMs: 30_000, commands };

  // Warm up once, and learn which command is slowest and which log files exist.
  const warm = await diagnoseHost(one, opts);
  if (!warm.result.reachable || !warm.raw) throw new Error(`bench host unreachable: ${warm.result.error}`);
  // The same targets diagbot chose: nginx's logs, the probe's places, the app logs it found.
  // Every check of the command set that applies to the host; `ran` is the subset diagbot ran
  // (an on-demand one such as nginx_open_logs only when nginx -T named no log).
  const ran = new Set(warm.raw.commands.map((c) => c.id));
  const timeoutOf = new Map(commands.map((c) => [c.id, c.timeoutMs]));
  const scripts = renderSameChecks(one, commands, warm.raw).map((c) => ({ id: c.id, script: wrapForHost(c.script, timeoutOf.get(c.id)!) }));
  const sequential = scripts.map((s) => `${s.script} >/dev/null 2>&1`).join('; ');
  const sequentialRan = scripts.filter((s) => ran.has(s.id)).map((s) => `${s.script} >/dev/null 2>&1`).join('; ');

  // The slowest command is judged over OpenSSH itself, so the floor is the true worst.
  const perCommand = new Map<string, number[]>();
  for (let r = 0; r < 3; r++) {
    for (const s of scripts) {
      const arr = perCommand.get(s.id) ?? [];
      arr.push(await opensshRun(one, s.script));
      perCommand.set(s.id, arr);
    }
  }
  const [slowestId] = [...perCommand].sort((a, b) => median(b[1]) - median(a[1]))[0]!;
  const slowestScript = scripts.find((s) => s.id === slowestId)!.script;

  const samples = { forks: [] as number[], naiveForks: [] as number[], naiveRanForks: [] as number[], fleetTimeouts: [] as number[], fleetUnreachable: [] as number[], discovery: [] as number[], diag: [] as number[], floor: [] as number[], seq: [] as number[], fleet: [] as number[], single: [] as number[], fleetFloor: [] as number[], fleetCpu: [] as number[], singleCpu: [] as number[],
    fleetMachine: [] as number[], singleMachine: [] as number[], connects: [] as number[] };
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  for (let r = 0; r < ROUNDS; r++) {
    samples.floor.push(await opensshRun(one, slowestScript));
    let t = performance.now();
    const d = await diagnoseHost(one, opts);
    samples.diag.push(performance.now() - t);
    samples.discovery.push(d.result.commands.filter((c) => c.id === 'app_discovery' || c.id === 'log_probe').reduce((n, c) => n + c.durationMs, 0));
    samples.seq.push(await opensshRun(one, sequential));
    t = performance.now();
    let cpu = process.cpuUsage();
    let all: Awaited<ReturnType<typeof diagnoseHosts>> = [];
    samples.fleetMachine.push(await machineCpuMs(async () => { all = await diagnoseHosts(fleet, opts); }));
    samples.fleet.push(performance.now() - t);
    samples.fleetCpu.push(cpuMs(process.cpuUsage(cpu)));
    samples.fleetUnreachable.push(all.filter((d) => !d.result.reachable).length);
    samples.fleetTimeouts.push(all.reduce((n, d) => n + d.result.commands.filter((c) => c.timedOut).length, 0));
    t = performance.now();
    cpu = process.cpuUsage();
    samples.singleMachine.push(await machineCpuMs(() => diagnoseHost(fleet[r % FLEET]!, opts)));
    samples.single.push(performance.now() - t);
    samples.singleCpu.push(cpuMs(process.cpuUsage(cpu)));
    // The lab's 20 hosts share this machine's cores: the same commands over 20 OpenSSH
    // sessions at once show how much of (c) is the hosts' own work.
    t = performance.now();
    await Promise.all(fleet.map((h) => opensshRun(h, sequential)));
    samples.fleetFloor.push(performance.now() - t);
    // Only the SSH connections (TCP, key exchange, host key, login), no command at all.
    t = performance.now();
    await Promise.all(fleet.map(async (h) => (await connectSsh(h)).close()));
    samples.connects.push(performance.now() - t);
    samples.forks.push(await hostForks(one, () => diagnoseHost(one, opts)));
    samples.naiveForks.push(await hostForks(one, () => opensshRun(one, sequential)));
    samples.naiveRanForks.push(await hostForks(one, () => opensshRun(one, sequentialRan)));
  }
  const worst = (xs: number[]) => Math.max(...xs);
  const cores = availableParallelism();
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<keyof typeof samples, number>;
  const rows = [
    ['(a) one host vs OpenSSH running only the slowest command', `${fmt(m.diag)} vs ${fmt(m.floor)} (${slowestId})`, (m.diag / m.floor).toFixed(2) + '×', '≤ 1.3×'],
    ['(b) one host vs the same commands in one OpenSSH session', `${fmt(m.diag)} vs ${fmt(m.seq)} (${scripts.length} commands)`, (m.seq / m.diag).toFixed(2) + '× faster', '≥ 2×'],
    [`(c) ${FLEET} hosts in one call vs 1 host`, `${fmt(m.fleet)} vs ${fmt(m.single)}`, (m.fleet / m.single).toFixed(2) + '×', '≤ 3×'],
    [`(c) commands timed out / hosts unreachable in the ${FLEET}-host calls (worst round)`, `${worst(samples.fleetTimeouts)} / ${worst(samples.fleetUnreachable)}`, '', '0 / 0'],
    [`(c″) machine CPU (the lab hosts' sshd and commands, and diagbot): ${FLEET} hosts vs 1 host`, `${fmt(m.fleetMachine)} vs ${fmt(m.singleMachine)}`,
      `${(m.fleetMachine / cores / m.single).toFixed(1)}× one host at the least`, `(context: ÷ ${cores} cores)`],
    [`(c‴) ${FLEET} SSH connections alone (no command) vs 1 host's whole diagnosis`, `${fmt(m.connects)} vs ${fmt(m.single)}`, (m.connects / m.single).toFixed(2) + '×', '(context)'],
    [`(c′) ${FLEET} hosts vs the same commands over ${FLEET} OpenSSH sessions at once`, `${fmt(m.fleet)} vs ${fmt(m.fleetFloor)}`, (m.fleet / m.fleetFloor).toFixed(2) + '×', '(context)'],
    ['(d) finding the app logs on one host (app_discovery + log_probe)', `${fmt(m.discovery)} of ${fmt(m.diag)}`, `${Math.round((100 * m.discovery) / m.diag)}%`, '< 150 ms'],
    ['(e) processes started on the host: one diagnosis vs the command set as one OpenSSH script', `${m.forks} vs ${m.naiveForks} (${scripts.length} commands)`, (m.forks / m.naiveForks).toFixed(2) + '×', '≤ 1×'],
    ['(e′) … vs only the commands diagbot ran, as one OpenSSH script', `${m.forks} vs ${m.naiveRanForks} (${scripts.filter((s) => ran.has(s.id)).length} commands)`, (m.forks / m.naiveRanForks).toFixed(2) + '×', '(context)'],
    [`diagbot's own CPU: ${FLEET} hosts vs 1 host`, `${fmt(m.fleetCpu)} vs ${fmt(m.singleCpu)}`, (m.fleetCpu / m.singleCpu).toFixed(1) + '×', '(context)'],
  ];
  console.log(`\ndiagbot triage benchmark — medians of ${ROUNDS} rounds, ${new Date().toISOString()}\n`);
  console.log('| measure | figures | ratio | goal |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
} finally {
  await lab.stop();
}
