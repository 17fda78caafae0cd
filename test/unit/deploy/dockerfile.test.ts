import { describe, expect, it } from 'vitest';
import { SERVICE_SETTINGS } from '../../../src/config/service-config.js';
import { execForm, parseDockerfile, repoFile, type DockerStage } from './repo-files.js';

const { preamble, stages } = parseDockerfile(repoFile('Dockerfile'));
const final = stages[stages.length - 1]!;
const ops = (stage: DockerStage, op: string) => stage.instructions.filter((i) => i.op === op);
/** COPY instructions as { from, sources, dest }. */
const copies = (stage: DockerStage) => ops(stage, 'COPY').map((c) => {
  const words = c.args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length) ?? null;
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1]! };
});
const pkg = JSON.parse(repoFile('package.json')) as { bin: Record<string, string> };

describe('Dockerfile', () => {
  it('has a build stage and a separate runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((s) => ops(s, 'RUN').some((r) => /npm run build/.test(r.args)));
    expect(build, 'a stage runs npm run build').toBeDefined();
    expect(build).not.toBe(final);
    expect(ops(build!, 'RUN').some((r) => /\bnpm ci\b/.test(r.args))).toBe(true);
  });

  it('copies into the build stage everything tsconfig.build.json compiles', () => {
    const build = stages.find((s) => ops(s, 'RUN').some((r) => /npm run build/.test(r.args)))!;
    const include = (JSON.parse(repoFile('tsconfig.build.json')) as { include: string[] }).include;
    const copied = copies(build).flatMap((c) => c.sources);
    for (const dir of include) expect(copied, dir).toContain(dir);
    expect(copied).toEqual(expect.arrayContaining(['tsconfig.json', 'tsconfig.build.json']));
  });

  it('ships only production dependencies: node_modules comes from an `npm ci --omit=dev` stage', () => {
    const nm = copies(final).filter((c) => c.sources.some((s) => s.endsWith('node_modules')));
    expect(nm).toHaveLength(1);
    const source = stages.find((s) => s.name === nm[0]!.from);
    expect(source, `stage ${nm[0]!.from}`).toBeDefined();
    expect(ops(source!, 'RUN').some((r) => /npm ci\b.*--omit=dev/.test(r.args))).toBe(true);
    expect(ops(final, 'RUN').every((r) => !/\bnpm (ci|install)\b/.test(r.args)), 'no npm install in the runtime stage').toBe(true);
  });

  it('puts dist/, migrations/, commands/ and package.json in the runtime image', () => {
    const c = copies(final);
    expect(c.find((x) => x.from === 'build' && x.sources.some((s) => s.endsWith('/dist')))).toBeDefined();
    for (const dir of ['migrations', 'commands']) {
      expect(c.find((x) => x.from === null && x.sources.includes(dir)), dir).toBeDefined();
    }
    // dist/ is an ES module package only with package.json beside it, and packageRoot() finds it.
    expect(c.find((x) => x.from === null && x.sources.includes('package.json'))).toBeDefined();
  });

  it('runs as a non-root user in the final stage', () => {
    const users = ops(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]!.args.split(':')[0]!;
    expect(['root', '0', '']).not.toContain(user);
    // Nothing after the last USER switches back to root.
    const lastUser = users[users.length - 1]!;
    expect(final.instructions.filter((i) => i.line > lastUser.line && i.op === 'RUN')).toEqual([]);
  });

  it('has a HEALTHCHECK on /healthz that needs no curl and has a timeout', () => {
    const hc = ops(final, 'HEALTHCHECK');
    expect(hc).toHaveLength(1);
    const cmd = hc[0]!.args.replace(/^(--\S+\s+)*CMD\s+/, '');
    const argv = execForm(cmd);
    expect(argv, 'exec form, no shell needed').not.toBeNull();
    expect(argv![0]).toBe('node');
    expect(argv!.join(' ')).toMatch(/\/healthz/);
    expect(argv!.join(' ')).toMatch(/process\.env\.PORT/);
    expect(argv!.join(' ')).toMatch(/AbortSignal\.timeout\(\d+\)/);
    expect(hc[0]!.args).not.toMatch(/\b(curl|wget)\b/);
    expect(hc[0]!.args).toMatch(/--timeout=\d+s/);
  });

  it('runs the diagbot CLI: the package bin as ENTRYPOINT, `start` by default', () => {
    const entry = execForm(ops(final, 'ENTRYPOINT').at(-1)!.args)!;
    expect(entry).toEqual(['node', `/app/${pkg.bin.diagbot}`]);
    expect(execForm(ops(final, 'CMD').at(-1)!.args)).toEqual(['start']);
    expect(ops(final, 'WORKDIR').at(-1)!.args).toBe('/app');
  });

  it('listens where it says: the default PORT is the exposed port', () => {
    const env = ops(final, 'ENV').map((e) => e.args).join(' ');
    const port = /\bPORT=(\d+)/.exec(env)?.[1];
    expect(port).toBeDefined();
    expect(ops(final, 'EXPOSE').map((e) => e.args)).toContain(port);
  });

  it('bakes in no secrets', () => {
    const secretLike = /(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE|_KEY)\b/i;
    for (const ins of [...preamble, ...stages.flatMap((s) => s.instructions)].filter((i) => i.op === 'ENV' || i.op === 'ARG')) {
      expect(ins.args, `line ${ins.line}`).not.toMatch(secretLike);
      // Settings other than paths and the port come from the environment at run time.
      for (const key of SERVICE_SETTINGS.filter((k) => !['PORT', 'DIAGBOT_INVENTORY'].includes(k))) {
        expect(ins.args, `line ${ins.line}`).not.toMatch(new RegExp(`\\b${key}=`));
      }
    }
    for (const c of stages.flatMap(copies)) {
      for (const s of c.sources) expect(s).not.toMatch(/(^|\/)(\.env|deploy|known_hosts|id_[a-z0-9]+|.*\.pem|.*\.key)$/);
      expect(c.sources, 'no whole-context COPY . (it would take whatever is lying around)').not.toContain('.');
    }
  });

  it('.dockerignore keeps secrets, host config and build output out of the context', () => {
    const ignored = repoFile('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['.env', 'deploy', 'known_hosts', 'node_modules', 'dist', '.git']) expect(ignored, p).toContain(p);
    expect(ignored).toContain('!.env.example');
  });
});
