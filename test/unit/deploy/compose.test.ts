import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseInventory } from '../../../src/config/inventory.js';
import { loadServiceConfig, SERVICE_SETTINGS } from '../../../src/config/service-config.js';
import { envExampleKeys, envExampleValue, parseDockerfile, repoFile } from './repo-files.js';

interface Healthcheck { test?: string | string[]; disable?: boolean }
interface BindMount { type: string; source: string; target: string; read_only?: boolean }
interface Service {
  image?: string; build?: string | { context: string }; command?: string[]; ports?: string[];
  environment?: Record<string, string>; env_file?: string | string[]; volumes?: (string | BindMount)[];
  depends_on?: Record<string, { condition: string }>; healthcheck?: Healthcheck;
  container_name?: string; stop_grace_period?: string;
}

const text = repoFile('docker-compose.yml');
// Compose merges `<<: *anchor` keys (YAML 1.1); so does this parse.
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const { services } = compose;
const diagbot = ['web', 'worker'] as const;
const env = (name: string) => services[name]!.environment ?? {};
/** `${VAR}`, `${VAR:-x}`, `${VAR:?msg}` and `$VAR` references, as Compose interpolates them. */
const interpolated = [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? m[2]!);
const substitute = (v: string) => v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}/g, 'pw-from-env');
const seconds = (d: string) => {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m || (!m[1] && !m[2])) throw new Error(`unparsed duration ${d}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
};
const binds = (name: string) => (services[name]!.volumes ?? []).filter((v): v is BindMount => typeof v === 'object' && v.type === 'bind');

describe('docker-compose.yml', () => {
  it('defines exactly web, worker, redis and postgres', () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis', 'web', 'worker']);
  });

  it('runs the diagbot image as `web` and as `worker`', () => {
    for (const name of diagbot) {
      const s = services[name]!;
      expect(s.build, name).toBe('.');
      expect(s.command, name).toEqual([name]);
    }
    expect(services.web!.image).toBe(services.worker!.image);
  });

  it('publishes the web port (the one PORT sets) and nothing for workers, so they scale', () => {
    const [published] = services.web!.ports ?? [];
    expect(published).toBeDefined();
    expect(published!.split(':').at(-1)).toBe(env('web').PORT);
    expect(services.worker!.ports).toBeUndefined();
    expect(services.worker!.container_name, '--scale needs generated names').toBeUndefined();
  });

  it('runs Redis with AOF and noeviction', () => {
    const cmd = services.redis!.command!;
    const flag = (name: string) => cmd[cmd.indexOf(name) + 1];
    expect(cmd[0]).toBe('redis-server');
    expect(flag('--appendonly')).toBe('yes');
    expect(flag('--maxmemory-policy')).toBe('noeviction');
  });

  it('keeps Redis and Postgres data in named volumes', () => {
    expect(services.redis!.volumes).toContain('redis-data:/data');
    expect(services.postgres!.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(['postgres-data', 'redis-data']);
  });

  it('health-checks Redis and Postgres, and leaves the image HEALTHCHECK on for web and worker', () => {
    for (const name of ['redis', 'postgres']) {
      const test = services[name]!.healthcheck?.test;
      expect(Array.isArray(test) && ['CMD', 'CMD-SHELL'].includes(test[0]!), name).toBe(true);
    }
    expect((services.redis!.healthcheck!.test as string[]).join(' ')).toMatch(/redis-cli ping/);
    expect((services.postgres!.healthcheck!.test as string[]).join(' ')).toMatch(/pg_isready/);
    for (const name of diagbot) expect(services[name]!.healthcheck?.disable, name).not.toBe(true);
    const { stages } = parseDockerfile(repoFile('Dockerfile'));
    expect(stages.at(-1)!.instructions.some((i) => i.op === 'HEALTHCHECK')).toBe(true);
  });

  it('starts web and worker only once Redis and Postgres are healthy', () => {
    for (const name of diagbot) {
      expect(services[name]!.depends_on, name).toEqual({
        redis: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' },
      });
    }
  });

  it('documents in .env.example every variable it interpolates and every setting it passes', () => {
    const documented = envExampleKeys();
    expect(interpolated.length).toBeGreaterThan(0);
    for (const v of interpolated) expect(documented, `\${${v}}`).toContain(v);
    for (const name of diagbot) {
      expect(services[name]!.env_file, name).toBe('.env');
      for (const key of Object.keys(env(name))) {
        expect(documented, `${name}: ${key}`).toContain(key);
        expect(SERVICE_SETTINGS, `${name}: ${key} is a diagbot setting`).toContain(key);
      }
    }
  });

  it('points diagbot at these services with settings diagbot accepts', () => {
    for (const name of diagbot) {
      const e = Object.fromEntries(Object.entries(env(name)).map(([k, v]) => [k, substitute(v)]));
      const cfg = loadServiceConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing-secret', ALERT_CHANNEL: 'C0123ABC',
        WEBHOOK_TOKEN: 'a-long-webhook-token', ...e }, name);
      expect(new URL(cfg.REDIS_URL).hostname).toBe('redis');
      const db = new URL(cfg.DATABASE_URL);
      const pgEnv = env('postgres');
      expect([db.hostname, db.username, db.pathname.slice(1)]).toEqual(['postgres', pgEnv.POSTGRES_USER, pgEnv.POSTGRES_DB]);
      expect(env('postgres').POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
      expect(e.DATABASE_URL).toContain(':pw-from-env@');
    }
  });

  it('mounts inventory, known_hosts and the SSH key read-only where the inventory defaults look', () => {
    const { stages } = parseDockerfile(repoFile('Dockerfile'));
    const home = /\bHOME=(\S+)/.exec(stages.at(-1)!.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' '))?.[1];
    expect(home).toBeDefined();
    for (const name of diagbot) {
      const mounts = binds(name);
      expect(mounts.map((m) => m.source).sort()).toEqual(['./deploy/diagbot_ssh_key', './deploy/inventory.yaml', './deploy/known_hosts']);
      for (const m of mounts) expect(m.read_only, m.target).toBe(true);
      const inventoryTarget = env(name).DIAGBOT_INVENTORY!;
      expect(mounts.find((m) => m.source.endsWith('inventory.yaml'))!.target).toBe(inventoryTarget);
      // The documented inventory (docs/cli.md) uses the defaults; inside the container they must land on the mounts.
      const previousHome = process.env.HOME;
      process.env.HOME = home;
      try {
        const host = parseInventory('hosts:\n  web-1: { address: 10.0.3.11 }\n', inventoryTarget).hosts.get('web-1')!;
        expect(host.knownHostsPath).toBe(mounts.find((m) => m.source.endsWith('known_hosts'))!.target);
        expect(host.privateKeyPath).toBe(mounts.find((m) => m.source.endsWith('ssh_key'))!.target);
        expect(posix.dirname(host.knownHostsPath)).toBe(posix.dirname(inventoryTarget));
      } finally {
        process.env.HOME = previousHome;
      }
    }
  });

  it('gives running jobs longer to finish on stop than SHUTDOWN_TIMEOUT_MS', () => {
    const shutdownMs = Number(envExampleValue('SHUTDOWN_TIMEOUT_MS'));
    expect(shutdownMs).toBeGreaterThan(0);
    for (const name of diagbot) expect(seconds(services[name]!.stop_grace_period!) * 1000, name).toBeGreaterThan(shutdownMs);
  });
});
