#!/usr/bin/env node
// The installed `diagbot` command (dist/diagbot.mjs). It runs the bundled CLI, dist/diagbot.cjs,
// from the V8 code cache that `npm run build` wrote beside it: compiling the 1.7 MB bundle and
// the functions a diagnosis runs before its first SSH packet costs more than Node's own start,
// and a cache cuts that to a deserialisation. Node 20 has no module compile cache, hence vm.
//
// The cache is only an optimisation. A missing one, one made from another bundle
// (src/cli/code-cache.ts) or one V8 rejects (another Node version or V8 flags) leaves the bundle
// compiled as usual. It is written only at build time, into dist/ itself: whoever can write it
// could already change the bundle, and nothing is ever written to a shared directory such as /tmp.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { cacheFor, digestOf, encodeCache, wrapBundle } from './code-cache.js';

/** Set by scripts/bundle.ts when it runs the CLI once to make the cache. */
const writingCache = process.env.DIAGBOT_WRITE_CODE_CACHE === '1';

const file = join(dirname(fileURLToPath(import.meta.url)), 'diagbot.cjs');
const cacheFile = `${file}.cache`;
const bytes = readFileSync(file);
const digest = digestOf(bytes);
// esbuild writes ASCII (non-ASCII is escaped), so latin1 is exact and skips UTF-8 decoding.
const source = bytes.toString('latin1');

function readCache(): Buffer | undefined {
  try {
    return cacheFor(digest, readFileSync(cacheFile));
  } catch {
    return undefined;
  }
}

const cachedData = writingCache ? undefined : readCache();
const script = new vm.Script(wrapBundle(source), {
  filename: file,
  ...(cachedData ? { cachedData } : {}),
});

if (writingCache) {
  // At exit, so the cache also holds every function the run compiled, not only the top level.
  process.on('exit', () => {
    writeFileSync(`${cacheFile}.tmp`, encodeCache(digest, script.createCachedData()));
    renameSync(`${cacheFile}.tmp`, cacheFile);
  });
}

const module = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)
  .call(module.exports, module.exports, createRequire(file), module, file, dirname(file), (path: string) => import(new URL(path, import.meta.url).href));
