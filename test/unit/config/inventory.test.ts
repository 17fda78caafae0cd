import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { closestHosts, parseInventory } from '../../../src/config/inventory.js';

const good = `
defaults: { user: triage, port: 22, privateKeyPath: ~/.ssh/diagbot, knownHostsPath: ./known_hosts }
hosts:
  web-1:
    address: 10.0.3.11
    labels: { service: checkout, role: web }
    postgres: { url: "postgres://diag@db-1/app" }
    deploy: { releasesDir: /srv/app/releases, currentLink: /srv/app/current, restartCommand: "systemctl restart app" }
  web-2:
    address: web-2.internal
    port: 2222
`;

function problemsOf(text: string): string[] {
  try {
    parseInventory(text, '/etc/diagbot/inventory.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('inventory', () => {
  it('loads the SPEC example with defaults merged and paths resolved next to the file', () => {
    const inv = parseInventory(good, '/etc/diagbot/inventory.yaml');
    const web1 = inv.hosts.get('web-1')!;
    expect(web1).toMatchObject({ address: '10.0.3.11', user: 'triage', port: 22, knownHostsPath: '/etc/diagbot/known_hosts' });
    expect(web1.deploy?.currentLink).toBe('/srv/app/current');
    expect(inv.hosts.get('web-2')!.port).toBe(2222);
    expect(inv.hosts.get('local')!.local).toBe(true);
  });

  it('lists every problem at once, naming file, host and field', () => {
    const problems = problemsOf(`
hosts:
  web-1: { address: "10.0.0.1; rm -rf /" }
  web-2: { address: 10.0.0.2, port: 70000 }
  "bad name!": { address: 10.0.0.3 }
  web-3: { address: 10.0.0.4, deploy: { releasesDir: "/srv/$(reboot)", currentLink: /srv/app/current, restartCommand: x } }
  web-4: { address: 10.0.0.5, colour: blue }
`);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^\/etc\/diagbot\/inventory.yaml: host "web-1": field "address": must be a hostname or an IP address/);
    expect(problems[1]).toMatch(/host "web-2": field "port"/);
    expect(problems[2]).toMatch(/host "bad name!": name/);
    expect(problems[3]).toMatch(/host "web-3": field "deploy.releasesDir"/);
    expect(problems[4]).toMatch(/host "web-4".*colour/);
  });

  it('rejects hostile values that could reach a shell', () => {
    const hostile = ['$(id)', '`id`', 'a;b', 'a b', '-oProxyCommand=sh', 'a\nb', '../../etc', 'a|b', 'ａ.example'];
    for (const value of hostile) {
      expect(problemsOf(`hosts:\n  h: { address: ${JSON.stringify(value)} }`).length, value).toBe(1);
    }
    expect(problemsOf('hosts:\n  h: { address: x, app: { logPaths: ["/var/log/$(id)/*.log"] } }')).toHaveLength(1);
    expect(problemsOf('hosts:\n  h: { address: x, app: { logPaths: ["/var/log/../../etc/shadow"] } }')).toHaveLength(1);
    expect(problemsOf('hosts:\n  h: { address: x, user: "root;id" }')).toHaveLength(1);
  });

  it('reserves the name "local" and reports broken YAML with its line', () => {
    expect(problemsOf('hosts:\n  local: { address: 1.2.3.4 }')[0]).toMatch(/reserved/);
    expect(problemsOf('hosts:\n  web-1: { address: [\n')[0]).toMatch(/not valid YAML/);
  });

  it('suggests the closest host names', () => {
    const inv = parseInventory(good, '/x/inventory.yaml');
    expect(closestHosts(inv, 'web1')[0]).toBe('web-1');
  });
});

describe('inventory: agent and key passphrase', () => {
  it('resolves the passphrase file next to the inventory, a host overriding the defaults', () => {
    process.env.DIAGBOT_UNIT_PASS = 'x';
    try {
      const inv = parseInventory(`
defaults: { passphraseFile: ./pass }
hosts:
  a: { address: 10.0.0.1 }
  b: { address: 10.0.0.2, passphraseEnv: DIAGBOT_UNIT_PASS }
`, '/etc/diagbot/inventory.yaml');
      expect(inv.hosts.get('a')).toMatchObject({ passphraseFile: '/etc/diagbot/pass' });
      expect(inv.hosts.get('b')).toMatchObject({ passphraseEnv: 'DIAGBOT_UNIT_PASS' });
      expect(inv.hosts.get('b')!.passphraseFile).toBeUndefined();
    } finally { delete process.env.DIAGBOT_UNIT_PASS; }
  });

  it('lists every credential problem at once: both sources, an unset variable, an agent without SSH_AUTH_SOCK', () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      const problems = problemsOf(`
hosts:
  a: { address: 10.0.0.1, passphraseFile: /p, passphraseEnv: DIAGBOT_UNIT_NOPE }
  b: { address: 10.0.0.2, agent: true }
  c: { address: 10.0.0.3, passphraseEnv: "not a name" }
`);
      expect(problems).toEqual(expect.arrayContaining([
        expect.stringMatching(/host "a": set passphraseFile or passphraseEnv, not both/),
        expect.stringMatching(/host "a": passphraseEnv names DIAGBOT_UNIT_NOPE, which is not set/),
        expect.stringMatching(/host "b": agent: true needs SSH_AUTH_SOCK/),
        expect.stringMatching(/host "c": field "passphraseEnv": must be the name of an environment variable/),
      ]));
    } finally { if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved; }
  });
});
