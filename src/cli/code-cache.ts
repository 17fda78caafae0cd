// The format of dist/diagbot.cjs.cache, shared by the launcher that reads it and the tests.
import { createHash } from 'node:crypto';

/** The cache file: the SHA-256 of the bundle it was made from, then V8's data. */
const DIGEST_BYTES = 32;

export const digestOf = (bundle: Buffer): Buffer => createHash('sha256').update(bundle).digest();

/**
 * V8 checks a cache against the source's length only, so a bundle edited in place would run the
 * old code: the data is returned only for the bundle it was made from.
 */
export function cacheFor(bundleDigest: Buffer, cacheFile: Buffer): Buffer | undefined {
  return cacheFile.length > DIGEST_BYTES && cacheFile.subarray(0, DIGEST_BYTES).equals(bundleDigest)
    ? cacheFile.subarray(DIGEST_BYTES) : undefined;
}

export const encodeCache = (bundleDigest: Buffer, v8Data: Buffer): Buffer => Buffer.concat([bundleDigest, v8Data]);

/**
 * Node's CommonJS wrapper, plus __diagbotImport: a script from a code cache loses vm's import()
 * callback on Node 20, so the bundle loads the server commands through the launcher's import().
 */
export const wrapBundle = (source: string): string =>
  `(function (exports, require, module, __filename, __dirname, __diagbotImport) {${source}\n})`;
