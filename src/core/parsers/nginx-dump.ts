import { parseNginxText, type Directive } from './nginx-tokenize.js';

// `nginx -T` prints every configuration file it read, each under a `# configuration file PATH:`
// header, and leaves the `include` directives in place. This rebuilds the single tree nginx
// itself sees by splicing each included file's directives where its include stands.

export interface NginxDump {
  /** False when the output has no configuration files (nginx -T failed or is absent). */
  ok: boolean;
  mainFile: string | null;
  files: string[];
  tree: Directive[];
  /** Lines nginx printed before the first file: the embedded `nginx -t` verdict and warnings. */
  preamble: string[];
  notes: string[];
}

const HEADER_RE = /^# configuration file (.+):$/;
const MAX_INCLUDE_DEPTH = 10;

export function splitDump(text: string): { preamble: string[]; files: Map<string, string> } {
  const files = new Map<string, string>();
  const preamble: string[] = [];
  let current: string | null = null;
  let buf: string[] = [];
  const flush = () => { if (current !== null && !files.has(current)) files.set(current, buf.join('\n')); };
  for (const line of text.split('\n')) {
    const m = HEADER_RE.exec(line);
    if (m) { flush(); current = m[1]!; buf = []; continue; }
    if (current === null) preamble.push(line); else buf.push(line);
  }
  flush();
  return { preamble: preamble.filter((l) => l.trim() !== ''), files };
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function parseNginxDump(text: string): NginxDump {
  const { preamble, files } = splitDump(text);
  const notes: string[] = [];
  const names = [...files.keys()];
  const mainFile = names[0] ?? null;
  if (!mainFile) return { ok: false, mainFile: null, files: [], tree: [], preamble, notes };

  const parsed = new Map<string, Directive[]>();
  for (const [name, body] of files) parsed.set(name, parseNginxText(body, name));
  const prefix = dirname(mainFile);
  const reached = new Set<string>([mainFile]);

  const expand = (tree: Directive[], depth: number): Directive[] => {
    const out: Directive[] = [];
    for (const d of tree) {
      if (d.name === 'include' && d.args[0] !== undefined) {
        const pattern = d.args[0].startsWith('/') ? d.args[0] : `${prefix}/${d.args[0]}`;
        const re = globToRegExp(pattern);
        const matches = names.filter((n) => re.test(n)).sort();
        if (depth >= MAX_INCLUDE_DEPTH) { notes.push(`include nesting deeper than ${MAX_INCLUDE_DEPTH} at ${d.file}:${d.line}; not followed`); continue; }
        for (const m of matches) {
          reached.add(m);
          out.push(...expand(parsed.get(m) ?? [], depth + 1));
        }
        continue;
      }
      out.push(d.block ? { ...d, block: expand(d.block, depth) } : d);
    }
    return out;
  };
  const tree = expand(parsed.get(mainFile) ?? [], 0);
  const unreached = names.filter((n) => !reached.has(n));
  if (unreached.length > 0) notes.push(`files in nginx -T output not reached by any include: ${unreached.join(', ')}`);
  return { ok: true, mainFile, files: names, tree, preamble, notes };
}
