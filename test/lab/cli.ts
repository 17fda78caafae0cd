import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab, DEFAULT_LAB_DIR } from './lab.js';
import { killRecorded } from './pids.js';
import { releaseLab } from './lab-owner.js';
import { stopLabPostgres } from './lab-postgres.js';

const USAGE = `usage: node --import tsx test/lab/cli.ts up [--bench [N]] [--only a,b] [--dir DIR]
       node --import tsx test/lab/cli.ts down [--dir DIR]
  up      start the lab (all scenarios; with --bench only the N bench copies unless --only is given)
          and stay up until Ctrl-C or \`down\`
  down    stop whatever pids.json says a lab left running`;

async function main(): Promise<number> {
  // `--bench` alone means the default fleet of 20.
  const args = process.argv.slice(2);
  const b = args.indexOf('--bench');
  if (b >= 0 && !/^\d+$/.test(args[b + 1] ?? '')) args.splice(b + 1, 0, '20');
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { bench: { type: 'string' }, only: { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const dir = values.dir ?? DEFAULT_LAB_DIR;
  const cmd = positionals[0];
  if (values.help || (cmd !== 'up' && cmd !== 'down')) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (cmd === 'down') {
    await stopLabPostgres(dir);
    const killed = await killRecorded(dir);
    // Whoever owned it (a `cli up`, a test run) notices pids.json is gone; the dir is free again.
    for (const f of ['lab.json', 'leases']) await rm(join(dir, f), { recursive: true, force: true });
    await releaseLab(dir, { anyOwner: true });
    console.log(killed.length ? `lab: stopped ${killed.join(', ')}` : 'lab: nothing running');
    return 0;
  }
  const bench = values.bench === undefined ? 0 : Number(values.bench);
  if (!Number.isInteger(bench) || bench < 0 || bench > 250) {
    console.error(`--bench must be an integer 0..250, got ${values.bench}`);
    return 2;
  }
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const lab = await startLab({ dir, bench, scenarios: only ?? (bench ? [] : undefined) });
  for (const [name, h] of Object.entries(lab.hosts)) {
    console.log(`${name.padEnd(18)} ${h.address.padEnd(13)} ssh:${h.sshPort}${h.httpPort ? ` http:${h.httpPort}` : ''.padEnd(10)}  expected: ${h.expected ?? '(healthy)'}`);
  }
  console.log(`\ninventory: ${lab.inventoryPath}\nstop with Ctrl-C or: node --import tsx test/lab/cli.ts down`);
  const how = await new Promise<'signal' | 'down'>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
    setInterval(() => existsSync(join(dir, 'pids.json')) || resolve('down'), 500).unref();
    setInterval(() => undefined, 60_000); // keep the event loop alive while we wait
  });
  if (how === 'signal') await lab.stop();
  console.log(how === 'signal' ? 'lab: stopped' : 'lab: stopped by `down`');
  return 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
