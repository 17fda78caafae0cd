import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnoseOutputs } from '../../../src/core/index.js';
import type { RawHostOutputs } from '../../../src/core/types.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/lab/${name}.json`, import.meta.url), 'utf8')) as RawHostOutputs;

describe('checks: what a quiet diagnosis looked at', () => {
  it('lists every area covered on the healthy lab host, with its figures', () => {
    const { checks, rootCause } = diagnoseOutputs(load('healthy'));
    expect(rootCause).toBeNull();
    const by = Object.fromEntries(checks!.map((c) => [c.area, c]));
    expect(by.nginx).toMatchObject({ checked: true, detail: expect.stringMatching(/^nginx -t ok, \d+ worker/) });
    expect(by.access_logs).toMatchObject({ checked: true, detail: expect.stringMatching(/^1 file\(s\): 0 5xx of [1-9]\d* requests/) });
    expect(by.app_logs!.checked).toBe(true);
    expect(by.releases!.detail).toMatch(/^current \/srv\/app\/releases\//);
    for (const area of ['disk', 'memory', 'descriptors', 'kernel_log']) expect(by[area]!.checked, area).toBe(true);
  });

  it('says what could not be checked on a host without nginx', () => {
    const by = Object.fromEntries(diagnoseOutputs(load('python-no-nginx')).checks!.map((c) => [c.area, c]));
    expect(by.nginx).toEqual({ area: 'nginx', checked: false, detail: 'no running nginx on this host' });
    expect(by.access_logs!.checked).toBe(false);
  });

  it('reports pool figures where a Postgres URL is configured', () => {
    const by = Object.fromEntries(diagnoseOutputs(load('pool-exhausted')).checks!.map((c) => [c.area, c]));
    expect(by.postgres!.detail).toMatch(/^1[5-9]\/17 usable connections in use$/);
  });
});
