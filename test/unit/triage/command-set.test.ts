import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { loadTriageCommands, parseCommandSet } from '../../../src/triage/command-set.js';
import { readOnlyProblems } from '../../../src/triage/read-only-guard.js';
import { renderCommand } from '../../../src/triage/render-command.js';
import { localHost } from '../../../src/config/inventory.js';

describe('triage command set', () => {
  it('loads the shipped set and every command passes the read-only guard', () => {
    const set = loadTriageCommands();
    expect(set.map((c) => c.id)).toEqual(expect.arrayContaining(['nginx_dump', 'nginx_test', 'access_log', 'error_log', 'disk', 'memory', 'kernel_log', 'fd_usage']));
  });

  it.each([
    ['rm -rf /var/log/nginx', /rm/],
    ['tail -n 5 /x > /tmp/y', />/],
    ['tail -n 5 /x | tee /tmp/y', /tee/],
    ['printf "%s" "$(rm -f /x)"', /rm/],
    ['nginx -s reload', /nginx/],
    ["awk '{ system(\"id\") }' /etc/passwd", /awk/],
    ['echo `id`', /backticks/],
    ['dmesg -C', /dmesg/],
    ['journalctl --vacuum-time=1s', /journalctl/],
    ['X=1 curl http://example', /curl/],
    ['kill -9 1', /kill/],
    ['sed -i s/a/b/ /etc/nginx/nginx.conf', /sed/],
  ])('refuses %s', (script, why) => {
    const problems = readOnlyProblems(script);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join(' ')).toMatch(why);
  });

  it('allows reads, loops, tests and harmless redirections', () => {
    for (const s of ['tail -n 10 -- /var/log/x 2>/dev/null', 'for f in /a/*; do [ -f "$f" ] && cat "$f"; done', 'nginx -T 2>&1', 'case "$t" in *.log) echo "$t";; esac']) {
      expect(readOnlyProblems(s), s).toEqual([]);
    }
  });

  it('rejects a set with a writing command, naming the file and command', () => {
    const text = 'commands:\n  - { id: evil, phase: facts, when: always, timeoutMs: 1000, maxBytes: 1000, run: "rm -rf /" }\n';
    expect(() => parseCommandSet(text, 'x.yaml')).toThrow(ConfigError);
    expect(() => parseCommandSet(text, 'x.yaml')).toThrow(/x.yaml: command "evil" is not read-only/);
  });

  it('puts sudo only before the programs marked {{sudo}}, so sudoers can allow exactly those lines', () => {
    const set = loadTriageCommands();
    const sudoHost = { ...localHost(), sudo: true };
    const withSudo = set.filter((c) => c.when !== 'deploy' && c.when !== 'app_logs' && c.phase === 'facts')
      .map((c) => renderCommand(c, sudoHost)).filter((r) => r.includes('sudo'));
    expect(withSudo.flatMap((r) => r.match(/sudo -n [^;|\n]*?(?= 2>|;)/g) ?? [])).toEqual(['sudo -n nginx -T', 'sudo -n nginx -t']);
    expect(set.map((c) => renderCommand(c, localHost(), c.phase === 'logs' ? '/var/log/x' : c.phase === 'probe' ? ['d:/var/log/x'] : undefined)).join('\n')).not.toContain('sudo');
    // The guard still checks the program behind {{sudo}}.
    expect(readOnlyProblems('{{sudo}}rm -rf /').join(' ')).toMatch(/rm/);
    expect(readOnlyProblems('{{sudo}}nginx -s stop').join(' ')).toMatch(/nginx/);
    expect(readOnlyProblems('{{sudo}}nginx -T 2>&1')).toEqual([]);
  });

  it('shell-quotes discovered targets so hostile log paths stay one word', () => {
    const cmd = loadTriageCommands().find((c) => c.id === 'access_log')!;
    expect(renderCommand(cmd, localHost(), "/var/log/a'; touch /tmp/pwned; '.log")).toMatch(/^f='\/var\/log\/a'\\''; touch \/tmp\/pwned; '\\''\.log'; r=\n/);
    const probe = loadTriageCommands().find((c) => c.id === 'log_probe')!;
    expect(renderCommand(probe, localHost(), ["d:/var/log/a b", "f:/x'y"])).toContain(`for t in 'd:/var/log/a b' 'f:/x'\\''y'; do`);
    expect(() => renderCommand(probe, localHost(), ['d:/a\nb'])).toThrow();
    expect(() => renderCommand(cmd, localHost(), '/var/log/a\nb')).toThrow();
  });
});
