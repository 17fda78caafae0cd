import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cacheFor, digestOf, wrapBundle } from '../../src/cli/code-cache.js';
import type { HostResult } from '../../src/triage/host-result.js';
import { CLI } from '../helpers/run-cli.js';

const lab = inject('lab');
const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'diagbot-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Records every module the CLI process loads: ES modules through a resolve hook, CommonJS ones
// (and native add-ons) from require.cache at exit.
writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.LOADED_LOG, 'esm ' + r.url + '\\n');
  return r;
}`);
writeFileSync(join(dir, 'preload.mjs'), `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
register('./hooks.mjs', import.meta.url);
process.on('exit', () => appendFileSync(process.env.LOADED_LOG, Object.keys(createRequire(import.meta.url).cache).map((f) => 'cjs ' + f + '\\n').join('')));`);

interface Loaded { result: HostResult; esm: string[]; cjs: string[]; packages: string[] }

function diagnoseRecording(host: string): Promise<Loaded> {
  const log = join(dir, `${host}.log`);
  writeFileSync(log, '');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', join(dir, 'preload.mjs'), CLI, 'diagnose', '--inventory', lab.inventoryPath, '--format', 'json', host], {
      env: { ...process.env, NO_COLOR: '1', LOADED_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c; });
    child.stderr.on('data', (c: Buffer) => { err += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) { fail(new Error(`diagnose ${host} exited ${code}: ${err}`)); return; }
      const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      const files = (kind: string) => lines.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length + 1).replace(/^file:\/\//, ''))
        .filter((f) => f.startsWith(ROOT) && !f.startsWith(dir)).map((f) => f.slice(ROOT.length + 1));
      const packages = [...new Set([...files('esm'), ...files('cjs')].flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? []))].sort();
      done({ result: (JSON.parse(out) as { results: HostResult[] }).results[0]!, esm: files('esm'), cjs: files('cjs'), packages });
    });
  });
}

describe('the bundled CLI (dist/diagbot.mjs), as installed', () => {
  it('diagnoses a host from one file: no other module of diagbot, no library resolved from node_modules but ssh2\'s native add-ons', async () => {
    const run = await diagnoseRecording('healthy');
    expect(run.result.reachable, run.result.error ?? '').toBe(true);
    expect(run.result.rootCause).toBeNull();
    // commands/triage.yaml was found from the bundle: the full command set ran.
    expect(run.result.commands.map((c) => c.id)).toEqual(expect.arrayContaining(['nginx_dump', 'memory', 'access_log']));
    expect(run.esm).toEqual(['dist/diagbot.mjs']);
    // Not pg, Slack, BullMQ, Redis, pino or prom-client: a host without Postgres never loads a driver.
    expect(run.packages.filter((p) => !['ssh2', 'cpu-features'].includes(p))).toEqual([]);
  });

  it('loads pg when a host\'s Postgres is probed, and the probe works through the stand-in', async () => {
    const run = await diagnoseRecording('pool-exhausted');
    expect(run.result.rootCause?.category).toBe('db_pool_exhaustion');
    const probe = run.result.commands.find((c) => c.id === 'pg_activity');
    expect(probe, JSON.stringify(run.result.commands.map((c) => c.id))).toBeDefined();
    expect(probe!.error ?? null).toBeNull();
    expect(probe!.exitCode).toBe(0);
    expect(run.packages).toContain('pg');
    expect(run.esm).toEqual(['dist/diagbot.mjs']);
  });
});

describe('the code cache the CLI starts from (dist/diagbot.cjs.cache)', () => {
  const bundle = readFileSync(join(ROOT, 'dist/diagbot.cjs'));

  it('was made from this bundle, and V8 accepts it', () => {
    const data = cacheFor(digestOf(bundle), readFileSync(join(ROOT, 'dist/diagbot.cjs.cache')));
    expect(data?.length).toBeGreaterThan(100_000);
    const script = new vm.Script(wrapBundle(bundle.toString('latin1')), { filename: join(ROOT, 'dist/diagbot.cjs'), cachedData: data! });
    expect(script.cachedDataRejected).toBe(false);
  });

  it('is not used for a bundle edited in place, even one of the same length (V8 checks only the length)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'diagbot-dist-'));
    try {
      for (const f of ['diagbot.mjs', 'diagbot.cjs.cache']) copyFileSync(join(ROOT, 'dist', f), join(copy, f));
      const edited = bundle.toString('latin1').replace('Diagnose HTTP 500s on your hosts', 'Diagnose HTTP 503s on your hosts');
      expect(edited.length).toBe(bundle.length);
      writeFileSync(join(copy, 'diagbot.cjs'), edited, 'latin1');
      const help = spawnSync(process.execPath, [join(copy, 'diagbot.mjs'), '--help'], { encoding: 'utf8', timeout: 30_000 });
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toContain('Diagnose HTTP 503s on your hosts');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('the command set validated when the CLI was bundled', () => {
  it('is not used for an edited commands/triage.yaml: the edit is parsed and guarded as usual', () => {
    const copy = mkdtempSync(join(tmpdir(), 'diagbot-pkg-'));
    try {
      mkdirSync(join(copy, 'dist'));
      for (const f of ['diagbot.mjs', 'diagbot.cjs', 'diagbot.cjs.cache']) copyFileSync(join(ROOT, 'dist', f), join(copy, 'dist', f));
      copyFileSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
      cpSync(join(ROOT, 'commands'), join(copy, 'commands'), { recursive: true });
      const yaml = readFileSync(join(ROOT, 'commands/triage.yaml'), 'utf8');
      const edited = yaml.replace('run: ps -eo pid=,ppid=,user=,rss=,args=\n', 'run: "ps -eo pid=,ppid=,user=,rss=,args=; rm -rf /srv/app"\n');
      expect(edited).not.toBe(yaml);
      writeFileSync(join(copy, 'commands/triage.yaml'), edited);
      const run = spawnSync(process.execPath, [join(copy, 'dist/diagbot.mjs'), 'diagnose', '--inventory', lab.inventoryPath, 'healthy'], { encoding: 'utf8', timeout: 30_000 });
      expect(run.stderr).toMatch(/command "processes" is not read-only/);
      expect(run.status).toBe(2);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
