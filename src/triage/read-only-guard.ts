// Decides whether a triage script can change the host. Deliberately an allowlist: a
// program not named here is refused even if harmless, and a few allowed programs have
// their writing flags refused too.

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'case', 'esac', '!', '{', '}']);

const READ_ONLY_PROGRAMS = new Set([
  'printf', 'echo', 'cat', 'head', 'tail', 'grep', 'awk', 'sort', 'uniq', 'wc', 'cut', 'tr', 'date', 'nproc',
  'hostname', 'uptime', 'ps', 'df', 'free', 'stat', 'readlink', 'ls', 'journalctl', 'dmesg', 'nginx', 'command',
  'test', '[', 'read', 'set', 'true', 'false', 'continue', 'break', 'prlimit', 'zcat', 'exit',
]);

/** Flags that turn an allowed program into one that writes or signals. */
const FORBIDDEN_FLAGS: Record<string, RegExp> = {
  nginx: /(^|\s)-s\b/,
  journalctl: /--(vacuum|rotate|flush|sync|relinquish|setup-keys|update-catalog)/,
  dmesg: /(^|\s)(-[a-zA-Z]*[cCDEn]|--clear|--read-clear|--console)/,
  awk: /system\s*\(|\|\s*"|getline|fflush|close\s*\(/,
  date: /(^|\s)(-s|--set)\b/,
  hostname: /(^|\s)[a-z0-9]/i,
  prlimit: /--pid|(^|\s)-p\b|=/,
};

const SAFE_REDIRECT = /[0-9]*>>?\s*&[0-9-]+|[0-9]*>>?\s*\/dev\/null\b|<\s*[^\s;|&<>]+/g;

function stripSingleQuotes(s: string): string {
  return s.replace(/'[^']*'/g, "''");
}

function dropComments(script: string): string {
  return script.split('\n').map((l) => l.replace(/(^|\s)#.*$/, '')).join('\n');
}

/** Pulls out every $(...) body (they are commands too) and leaves a plain word in its place. */
function extractSubstitutions(text: string): { outer: string; inner: string[] } {
  const inner: string[] = [];
  let outer = text;
  for (let start = outer.indexOf('$('); start !== -1; start = outer.indexOf('$(')) {
    let depth = 0;
    let end = start + 1;
    for (; end < outer.length; end++) {
      if (outer[end] === '(') depth++;
      else if (outer[end] === ')' && --depth === 0) break;
    }
    inner.push(outer.slice(start + 2, end));
    outer = `${outer.slice(0, start)}X${outer.slice(end + 1)}`;
  }
  return { outer, inner };
}

function checkSimpleCommands(text: string, problems: string[]): void {
  // "case WORD in" and its "pattern)" labels never start a command.
  const plain = text.replace(/"/g, ' ').replace(/\bcase\b[^\n;]*?\bin\b/g, ' ').replace(/(^|[\s;])[^\s;()|&]+\)/g, '$1 ');
  let skipForWords = false;
  for (const seg of plain.split(/;;|[;|&\n(){}]+/)) {
    const words = seg.trim().split(/\s+/).filter(Boolean);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (skipForWords) { if (w === 'do') skipForWords = false; continue; }
      if (w === 'for') { skipForWords = true; continue; }
      if (KEYWORDS.has(w) || w === 'esac' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
      if (!READ_ONLY_PROGRAMS.has(w)) { problems.push(`runs "${w}", which is not on the read-only allowlist`); break; }
      const rest = words.slice(i + 1).join(' ');
      if (FORBIDDEN_FLAGS[w]?.test(rest)) problems.push(`runs "${w}" with a flag that changes state (${rest.slice(0, 60)})`);
      break;
    }
  }
}

/** Returns the problems with a script; empty means read-only as far as the guard can tell. */
export function readOnlyProblems(script: string): string[] {
  const problems: string[] = [];
  const text = stripSingleQuotes(dropComments(script))
    // {{sudo}} prefixes the next program, which is checked like any other.
    .replace(/\{\{sudo\}\}(?=[A-Za-z/])/g, '')
    .replace(/\{\{\w+\}\}/g, 'X') // placeholders become quoted values
    .replace(/\$\{[^}]*\}/g, 'X') // parameter expansions are values, not commands
    .replace(SAFE_REDIRECT, ' ');
  if (/>/.test(text)) problems.push('writes a file with ">" (only >/dev/null and >&N are allowed)');
  // awk programs sit in single quotes, which are blanked above: check them on the raw text.
  if (/\bawk\b/.test(script) && FORBIDDEN_FLAGS.awk!.test(script)) problems.push('runs an awk program that can execute or write (system, pipes, getline)');
  if (/`/.test(text)) problems.push('uses backticks (use $(...) so commands can be checked)');
  if (/<\(|>\(/.test(text)) problems.push('uses process substitution');
  const pending = [text];
  while (pending.length > 0) {
    const { outer, inner } = extractSubstitutions(pending.pop()!);
    checkSimpleCommands(outer, problems);
    pending.push(...inner);
  }
  return [...new Set(problems)];
}
