import { ignoredLine, falseAlarm } from './signature-guards.js';
import { dependencyTarget, namedTarget } from './signature-targets.js';
import { APP_SERVERS } from './signatures/app-servers.js';
import { COMMON } from './signatures/common.js';
import { DOTNET } from './signatures/dotnet.js';
import { GO } from './signatures/go.js';
import { DEPENDENCY_KINDS, KIND_ORDER, type AppSignatureKind, type SignatureTable } from './signatures/kinds.js';
import { MYSQL } from './signatures/mysql.js';
import { PHP } from './signatures/php.js';
import { RUBY } from './signatures/ruby.js';

// Known infrastructure, deploy and app-server signatures in application log lines, gathered from
// one table per stack (signatures/*.ts). A line yields at most one kind: the first in KIND_ORDER
// that matches and is not a false alarm (signature-guards.ts).

export type { AppSignatureKind } from './signatures/kinds.js';

const TABLES: SignatureTable[] = [COMMON, RUBY, GO, PHP, DOTNET, MYSQL, APP_SERVERS];
const KINDS: Array<[AppSignatureKind, RegExp[]]> = KIND_ORDER.map((k) => [k, TABLES.flatMap((t) => t[k] ?? [])]);

export interface SignatureMatch {
  kind: AppSignatureKind;
  /** `host:port` or service name the failure names (dependency kinds), env var, module, column, or a worker's signal. */
  target: string | null;
}

function firstMatch(line: string, patterns: RegExp[]): RegExpExecArray | null {
  let best: RegExpExecArray | null = null;
  for (const re of patterns) {
    const m = re.exec(line);
    if (m && (!best || m.index < best.index)) best = m;
  }
  return best;
}

export function matchSignature(raw: string): SignatureMatch | null {
  // JSON and Monolog context escape the quotes the library wrote (column \"x\" does not exist).
  const line = raw.includes('\\') ? raw.replace(/\\(["\\])/g, '$1') : raw;
  if (ignoredLine(line)) return null;
  for (const [kind, patterns] of KINDS) {
    const m = firstMatch(line, patterns);
    if (!m) continue;
    // JSON.parse on bad input is a runtime error, not broken code.
    if (kind === 'syntax_error' && /JSON/i.test(line)) continue;
    if (falseAlarm(kind, line, m.index)) return null;
    const tail = line.slice(Math.max(0, m.index - 80));
    return { kind, target: DEPENDENCY_KINDS.includes(kind) ? dependencyTarget(tail) : namedTarget(kind, line) };
  }
  return null;
}
