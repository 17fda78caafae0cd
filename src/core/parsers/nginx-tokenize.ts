// Tokenizer and block parser for nginx configuration text, following nginx's own lexical rules:
// `#` starts a comment only at a token boundary, quotes group (with backslash escapes), `;` ends a
// directive, `{`/`}` open and close blocks, and `${var}` stays inside a word.

export interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
  file: string;
  line: number;
}

type Token =
  | { kind: 'word'; value: string; line: number }
  | { kind: '{' | '}' | ';'; line: number };

const QUOTED_ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', n: '\n', t: '\t', r: '\r' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === '{' || c === '}' || c === ';') { tokens.push({ kind: c, line }); i++; continue; }
    const start = line;
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        const ch = text[i]!;
        if (ch === '\\' && i + 1 < text.length) {
          const next = text[i + 1]!;
          value += QUOTED_ESCAPES[next] ?? `\\${next}`;
          i += 2;
          continue;
        }
        if (ch === '\n') line++;
        value += ch;
        i++;
      }
      i++;
      tokens.push({ kind: 'word', value, line: start });
      continue;
    }
    let value = '';
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '$' && text[i + 1] === '{') {
        const close = text.indexOf('}', i);
        const end = close === -1 ? text.length : close + 1;
        value += text.slice(i, end);
        i = end;
        continue;
      }
      if (/[\s;{}]/.test(ch)) break;
      if (ch === '\\' && i + 1 < text.length) { value += text.slice(i, i + 2); i += 2; continue; }
      value += ch;
      i++;
    }
    tokens.push({ kind: 'word', value, line: start });
  }
  return tokens;
}

/** Parses one file's text into a directive tree; unbalanced input yields what could be read. */
export function parseNginxText(text: string, file: string): Directive[] {
  const tokens = tokenize(text);
  let pos = 0;
  const parseBlock = (): Directive[] => {
    const out: Directive[] = [];
    let words: Array<{ value: string; line: number }> = [];
    while (pos < tokens.length) {
      const t = tokens[pos++]!;
      if (t.kind === 'word') { words.push(t); continue; }
      if (t.kind === '}') break;
      const [head, ...rest] = words;
      words = [];
      if (!head) { if (t.kind === '{') parseBlock(); continue; }
      const d: Directive = { name: head.value, args: rest.map((w) => w.value), file, line: head.line };
      if (t.kind === '{') d.block = parseBlock();
      out.push(d);
    }
    return out;
  };
  return parseBlock();
}

/** Depth-first walk with the chain of enclosing block directives. */
export function walkDirectives(
  tree: readonly Directive[],
  visit: (d: Directive, parents: readonly Directive[]) => void,
  parents: readonly Directive[] = [],
): void {
  for (const d of tree) {
    visit(d, parents);
    if (d.block) walkDirectives(d.block, visit, [...parents, d]);
  }
}
