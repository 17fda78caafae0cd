import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** Repository root, found once from this file whether run from src/ (tsx) or dist/src/ (built). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) return (root = dir);
  }
  throw new Error('cannot find the diagbot package root');
}
