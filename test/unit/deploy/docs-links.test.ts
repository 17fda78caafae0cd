import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUDOERS_ALLOWLIST } from '../../lab/least-privilege.js';
import { repoFile } from './repo-files.js';

const docs = readdirSync(new URL('../../../docs/', import.meta.url)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const readme = repoFile('README.md');

/** `# Title` and `## Section` of a markdown file as GitHub's anchors. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,4} (.+)$/.exec(line);
    if (m) out.add(m[1]!.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  }
  return out;
}

describe('README is a landing page', () => {
  it('keeps the quick start at exactly two commands', () => {
    const quick = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(quick?.trim().split('\n')).toHaveLength(2);
    expect(quick).toMatch(/diagbot diagnose/);
    expect(quick).toMatch(/^npm test\b/m);
  });

  it('stays short and links every document in docs/', () => {
    expect(readme.length).toBeLessThan(12_000);
    for (const d of docs) expect(readme, d).toContain(`](${d})`);
  });
});

describe('links between the documents', () => {
  it('point at files and sections that exist', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...docs]) {
      const text = repoFile(file);
      const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, hash] = target!.split('#');
        const resolved = path ? new URL(path, `file:///${dir}`).pathname.slice(1) : file;
        if (!existsSync(new URL(`../../../${resolved}`, import.meta.url))) { broken.push(`${file}: ${target}`); continue; }
        if (hash && resolved.endsWith('.md') && !anchors(repoFile(resolved)).has(hash)) broken.push(`${file}: ${target} (no such section)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the lab installs what docs/least-privilege.md tells operators to', () => {
  it('the same sudoers allowlist, byte for byte', () => {
    expect(repoFile('docs/least-privilege.md')).toContain(SUDOERS_ALLOWLIST.trim());
  });
});
