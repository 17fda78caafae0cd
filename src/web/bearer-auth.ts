import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Compares the request's bearer token with the configured one in constant time. Hashing
 * both first keeps the comparison length-independent, so timing reveals nothing about length.
 */
export function bearerMatches(authorization: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const presented = m?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(expected)) && presented.length > 0;
}
