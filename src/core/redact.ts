// Masks secrets in text the core puts into findings and evidence. Each pattern keeps enough
// context (the key name, the scheme, the user) for a reader to see what was hidden.

import { visibleControls } from './visible-controls.js';

const MASK = '****';

const PATTERNS: Array<[RegExp, string | ((...groups: string[]) => string)]> = [
  // Whole PEM private-key blocks, and a dangling BEGIN line when the block was cut off: then the
  // rest of its line and the key-body lines after it (base64, `Proc-Type:`-style headers) go.
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?:[\s\S]*?-----END \1PRIVATE KEY-----|[^\n]*(?:\n[ \t]*(?:[A-Za-z0-9+/=]{16,}|[A-Za-z-]+: [^\n]*)[ \t]*(?=\n|$))*)/g,
    // A cut-off block stays visibly open (no END), so redacting the joined lines again still
    // recognises the body lines that follow it.
    (m: string, kind: string) => `-----BEGIN ${kind}PRIVATE KEY----- ${MASK}${m.includes(`-----END ${kind}PRIVATE KEY-----`) ? ` -----END ${kind}PRIVATE KEY-----` : ''}`],
  // Cookie headers (also as JSON/dump fields): every cookie's value; Set-Cookie: the cookie's value,
  // not its attributes.
  [/\b(set-)?(cookie["']?\s*[:=]\s*["']?)([^\r\n"']*)/gi, (_m, set: string | undefined, head: string, value: string) => {
    let n = 0;
    const masked = value.replace(/(^|;\s*)([^=;\s]+)=([^;]*)/g, (pair, sep: string, name: string, v: string) =>
      (set && n++ > 0) || v === MASK ? pair : `${sep}${name}=${MASK}`);
    return `${set ?? ''}${head}${masked}`;
  }],
  // Slack incoming-webhook URLs: the path is the credential.
  [/\b(https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]+/g, (_m, head) => `${head}${MASK}`],
  // scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*):([^\s@/'"]+)@/gi, (_m, head) => `${head}:${MASK}@`],
  // Authorization headers (Bearer, Basic, token …).
  // The scheme word itself is never taken for the credential (redacting twice must change nothing).
  [/\b(authorization\s*[:=]\s*"?(?:(?:bearer|basic|token)\s+)?)(?!(?:bearer|basic|token)\b)([A-Za-z0-9._~+/=-]{6,})/gi,
    (_m, head) => `${head}${MASK}`],
  [/\b(bearer\s+)([A-Za-z0-9._~+/=-]{16,})/gi, (_m, head) => `${head}${MASK}`],
  // JSON Web Tokens: three base64url segments, the first starting with {"
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, MASK],
  // Vendor tokens with fixed prefixes.
  [/\bxox[abprs]-[A-Za-z0-9-]{8,}/g, `xox?-${MASK}`],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, `AKIA${MASK}`],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, `ghp_${MASK}`],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, `github_pat_${MASK}`],
  // More vendor tokens (Slack app, GitLab, Stripe, Google, npm, OpenAI/Anthropic, Vault, DigitalOcean,
  // Hugging Face, Shopify, PyPI, SendGrid): the prefix stays, it says what leaked.
  [/\b(xapp-\d+-|xoxe\.xox[bp]-|xoxe-|gl(?:pat|ptt|dt|rt|oas|cbt)-|GR1348941|(?:sk|rk)_(?:live|test)_|whsec_|GOCSPX-|ya29\.|npm_|sk-(?:proj-|svcacct-|admin-|ant-(?:[a-z]+\d*-)?)?|hv[sbr]\.|do[opr]_v1_|hf_|shp(?:at|ss|ca|pa)_|pypi-|SG\.)([A-Za-z0-9_.-]{16,})/g,
    (_m, head) => `${head}${MASK}`],
  // Twilio API keys (SK + 32 hex) and Google API keys (AIza…).
  [/\bSK[0-9a-fA-F]{32}\b/g, `SK${MASK}`],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, `AIza${MASK}`],
  // Passwords given to a command as a separate argument: --password SECRET.
  [/(\s--?(?:password|passwd|passphrase|pass|token|secret|api[-_]?key|auth[-_]?token)\s+)(?!-)(\S+)/gi, (_m, head) => `${head}${MASK}`],
  // key=value / key: value / "key":"value" where the key names a secret.
  [/((?:["']?)[A-Za-z0-9_.-]{0,64}(?:password|passwd|pwd|passphrase|(?<![A-Za-z])pass|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|account[_-]?key|client[_-]?secret|credentials?|session[_-]?id|(?<![A-Za-z])sid|sessid|(?<![A-Za-z])auth|cookie|(?<![A-Za-z])sig|signature)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}'"]+)/gi,
    (_m, head, value: string) => {
      if (value.includes(MASK)) return `${head}${value}`;
      const q = value.startsWith('"') || value.startsWith("'") ? value[0]! : '';
      return `${head}${q}${MASK}${q}`;
    }],
];

/** Secrets masked, and control characters made visible: every piece of host text passes here on its
 *  way to a reader (report, Slack, logs, storage), so neither can be missed on some path. */
export function redact(text: string): string {
  let out = visibleControls(text);
  for (const [re, replacement] of PATTERNS) {
    out = typeof replacement === 'string'
      ? out.replace(re, replacement)
      : out.replace(re, replacement as (...args: string[]) => string);
  }
  return out;
}
