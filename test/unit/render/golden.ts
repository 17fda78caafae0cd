import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

// Golden files hold whole rendered messages, so a layout change shows up as a reviewable diff.
// `UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/render` rewrites them.

const DIR = fileURLToPath(new URL('../../fixtures/golden/', import.meta.url));

export function expectGolden(name: string, actual: unknown): void {
  const path = `${DIR}${name}.json`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, `${JSON.stringify(actual, null, 2)}\n`);
  }
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 to create it, then review it`);
  expect(actual).toEqual(JSON.parse(readFileSync(path, 'utf8')));
}
