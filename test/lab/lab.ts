import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, LabHost, Scenario } from './lab-types.js';
import { SCENARIOS, benchScenarios, scenarioAddress } from './scenarios.js';
import { prepareHostDir, outsidePath } from './host-dir.js';
import { spawnNamespaceHost, spawnSilentListener } from './namespace-host.js';
import { postgresSpec, startLabPostgres, stopLabPostgres, type LabPostgres } from './lab-postgres.js';
import { killGroups, killRecorded, savePids, type LabProcess } from './pids.js';
import { generateKey, SSH_PORT } from './sshd.js';
import { writeKnownHosts } from './known-hosts.js';
import { writeInventory } from './inventory.js';
import { waitForHttp, waitForSsh, waitUntil } from './wait-ready.js';
import { driveTraffic } from './traffic.js';
import { AFTER_ROTATION, breakConfig, crashWorkers, rotateLogs } from './scenario-actions.js';
import { mapLimit } from './map-limit.js';
import { claimLab, releaseLab, waitForBorrowers } from './lab-owner.js';
import { assertAddressesFree } from './address-check.js';

export type { Lab, LabHost, LabInfo } from './lab-types.js';

export const DEFAULT_LAB_DIR = fileURLToPath(new URL('../../.lab', import.meta.url));

interface Planned {
  scenario: Scenario;
  address: string;
  hostDir?: string;
  publicKey?: string;
  postgres?: LabPostgres;
}

const countLines = async (path: string) => (await readFile(path, 'utf8').catch(() => '')).split('\n').length - 1;

export async function startLab(opts: { scenarios?: string[]; bench?: number; dir?: string } = {}): Promise<Lab> {
  const t0 = Date.now();
  const dir = resolve(opts.dir ?? DEFAULT_LAB_DIR);
  const names = opts.scenarios ?? SCENARIOS.map((s) => s.name);
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`lab: unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const plan: Planned[] = [
    ...SCENARIOS.filter((s) => names.includes(s.name)).map((s) => ({ scenario: s, address: scenarioAddress(s) })),
    ...benchScenarios(opts.bench ?? 0),
  ];

  await claimLab(dir);
  // A crashed earlier run may still hold the addresses; its pids.json says what to kill.
  await killRecorded(dir);
  await rm(join(dir, 'lab.json'), { force: true });
  try {
    await assertAddressesFree(plan.map((p) => p.address));
  } catch (err) {
    await releaseLab(dir);
    throw err;
  }
  await rm(join(dir, 'hosts'), { recursive: true, force: true });
  await rm(join(dir, 'pg'), { recursive: true, force: true });
  await mkdir(join(dir, 'hosts'), { recursive: true });

  const procs: LabProcess[] = [];
  const record = async (p: LabProcess) => {
    procs.push(p);
    await savePids(dir, procs);
  };
  const teardown = async () => {
    if (procs.some((p) => p.name.startsWith('lab-postgres'))) await stopLabPostgres(dir);
    killGroups(procs);
    await killRecorded(dir);
    await rm(join(dir, 'lab.json'), { force: true });
    await releaseLab(dir);
  };
  const stop = async () => {
    await waitForBorrowers(dir);
    await teardown();
  };

  try {
    const privateKeyPath = join(dir, 'id_ed25519');
    const knownHostsPath = join(dir, 'known_hosts');
    const authorizedKeys = join(dir, 'authorized_keys');
    await writeFile(authorizedKeys, `${await generateKey(privateKeyPath, 'diagbot-lab-client')}\n`);
    await chmod(privateKeyPath, 0o600);

    // Each database starts alongside the hosts; only its own host waits for it (its app
    // connects at start). Every rejection is awaited below, so none goes unhandled.
    const databases = new Map(plan.filter((p) => p.scenario.postgres).map((p) =>
      [p, startLabPostgres(dir, p.scenario.name, p.address, postgresSpec(p.scenario)!, record)] as const));
    const settled = Promise.allSettled(databases.values());

    try {
      await mapLimit(plan, 6, async (p) => {
        if (p.scenario.ssh === 'none') return;
        if (p.scenario.ssh === 'silent') return record(spawnSilentListener(p.scenario.name, p.address, SSH_PORT, dir));
        p.postgres = await databases.get(p);
        const upstream = p.scenario.upstreamHost ? plan.find((q) => q.scenario.name === p.scenario.upstreamHost)?.address : undefined;
        Object.assign(p, await prepareHostDir(dir, p.scenario, p.address, { authorizedKeys, postgres: p.postgres, labDir: dir, ...(upstream ? { upstreamAddress: upstream } : {}) }));
        await record(spawnNamespaceHost(p.scenario.name, p.hostDir!));
      });
    } finally {
      await settled;
    }

    const wrongKey = await generateKey(join(dir, 'impostor_ed25519'), 'not-the-wrong-key-host');
    await writeKnownHosts(knownHostsPath, plan.filter((p) => p.publicKey).map((p) => ({
      address: p.address,
      publicKey: p.scenario.name === 'wrong-key' ? wrongKey : p.publicKey!,
    })));
    const target = (p: Planned) => ({ address: p.address, privateKeyPath, knownHostsPath });

    await mapLimit(plan, 8, async (p) => {
      const s = p.scenario;
      if (s.ssh === 'real') await waitForSsh(p.address, SSH_PORT);
      // App first, then nginx: probing nginx before its upstream listens would log 502s.
      const behind = s.upstreamHost ? plan.find((q) => q.scenario.name === s.upstreamHost) : undefined;
      if (behind) await waitForHttp(`http://${behind.address}:9000/health`);
      if (s.app && s.app.stack !== 'php') await waitForHttp(`http://${p.address}:9000/health`, s.app.stack === 'go' || s.app.stack === 'ruby' ? 60_000 : undefined);
      if ((s.app || behind) && s.nginx) await waitForHttp(`http://${p.address}:8080/health`);
    });
    const tReady = Date.now();

    await mapLimit(plan.filter((p) => p.scenario.traffic.length), 6, async (p) => {
      const s = p.scenario;
      const base = `http://${p.address}:${s.nginx ? 8080 : 9000}`;
      if (s.action === 'break-config') await breakConfig(p.hostDir!, target(p));
      const during = s.action === 'crash-workers' ? crashWorkers(target(p)) : Promise.resolve();
      const result = await driveTraffic(base, s.traffic);
      await during;
      if (s.action === 'rotate-logs') {
        // nginx writes the access line when the request ends; rotate only once all are there.
        const log = outsidePath(p.hostDir!, s.nginx!.accessLog);
        await waitUntil(`${result.answered} access log lines in ${log}`, async () => (await countLines(log)) >= result.answered, 10_000);
        await rotateLogs(p.hostDir!, s);
        const after = await driveTraffic(base, AFTER_ROTATION);
        result.answered = after.answered;
      }
      // nginx writes the access line when the request ends; wait until all of them are there.
      if (s.nginx) {
        const log = outsidePath(p.hostDir!, s.nginx.accessLog);
        await waitUntil(`${result.answered} access log lines in ${log}`, async () => (await countLines(log)) >= result.answered, 10_000);
      }
    });

    const hosts: Record<string, LabHost> = {};
    for (const p of plan) {
      const s = p.scenario;
      hosts[s.name] = {
        address: p.address, sshPort: SSH_PORT, expected: s.expected,
        ...(s.app || s.nginx ? { httpPort: s.nginx ? 8080 : 9000 } : {}),
        ...(s.mutable ? { mutable: true } : {}),
        ...(s.app ? { appLog: s.app.logPath } : {}),
        ...(s.sshUser ? { sshUser: s.sshUser } : {}),
        ...(p.postgres ? { postgresUrl: p.postgres.diagbotUrl, postgresSuperuserUrl: p.postgres.superuserUrl } : {}),
      };
    }
    const inventoryPath = join(dir, 'inventory.yaml');
    await writeInventory(inventoryPath, { privateKeyPath, knownHostsPath },
      plan.map((p) => ({ scenario: p.scenario, name: p.scenario.name, address: p.address, postgresUrl: p.postgres?.diagbotUrl })));

    const startMs = Date.now() - t0;
    const info = { dir, inventoryPath, knownHostsPath, privateKeyPath, hosts, startMs };
    // Written last: borrowers treat its presence (with our pid) as "ready".
    await writeFile(join(dir, 'lab.json'), `${JSON.stringify({ ...info, ownerPid: process.pid }, null, 2)}\n`);
    console.log(`lab: ${plan.length} hosts ready in ${startMs} ms (hosts up ${tReady - t0} ms, traffic ${Date.now() - tReady} ms)`);
    return { ...info, stop };
  } catch (err) {
    await teardown();
    throw err;
  }
}
