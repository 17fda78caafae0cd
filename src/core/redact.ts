// Masks secrets in text the core puts into findings and evidence. Each pattern keeps enough
// context (the key name, the scheme, the user) for a reader to see what was hidden.

const MASK = '****';

const PATTERNS: Array<[RegExp, string | ((...groups: string[]) => string)]> = [
  // Whole PEM private-key blocks, and a dangling BEGIN line when the block was cut off.
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    (_m, kind) => `-----BEGIN ${kind}PRIVATE KEY----- ${MASK} -----END ${kind}PRIVATE KEY-----`],
  // scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*):([^\s@/'"]+)@/gi, (_m, head) => `${head}:${MASK}@`],
  // Authorization headers (Bearer, Basic, token …).
  [/\b(authorization\s*[:=]\s*"?(?:bearer|basic|token)?\s*)([A-Za-z0-9._~+/=-]{6,})/gi,
    (_m, head) => `${head}${MASK}`],
  [/\b(bearer\s+)([A-Za-z0-9._~+/=-]{16,})/gi, (_m, head) => `${head}${MASK}`],
  // JSON Web Tokens: three base64url segments, the first starting with {"
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, MASK],
  // Vendor tokens with fixed prefixes.
  [/\bxox[abprs]-[A-Za-z0-9-]{8,}/g, `xox?-${MASK}`],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, `AKIA${MASK}`],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, `ghp_${MASK}`],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, `github_pat_${MASK}`],
  // key=value / key: value / "key":"value" where the key names a secret.
  [/((?:["']?)[A-Za-z0-9_.-]{0,64}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}'"]+)/gi,
    (_m, head, value: string) => {
      if (value.includes(MASK)) return `${head}${value}`;
      const q = value.startsWith('"') || value.startsWith("'") ? value[0]! : '';
      return `${head}${q}${MASK}${q}`;
    }],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) {
    out = typeof replacement === 'string'
      ? out.replace(re, replacement)
      : out.replace(re, replacement as (...args: string[]) => string);
  }
  return out;
}
