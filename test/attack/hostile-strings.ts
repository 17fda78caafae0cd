// Hostile host names / label values: shell and option injection, traversal, look-alikes, invisible
// and control characters, Slack markup. Many would create a canary file if any part of diagbot
// handed them to a shell (on this machine or on a lab host, which shares this /tmp).

export const CANARY_PREFIX = 'diagbot-canary-';

export interface Hostile {
  /** What kind of attack it is, for failure messages. */
  kind: string;
  value: string;
}

/** Builds the list; `run` makes canary paths unique to this test run. */
export function hostileStrings(run: string): Hostile[] {
  let n = 0;
  const canary = (where = '/tmp/') => `${where}${CANARY_PREFIX}${run}-${n++}`;
  const touch = () => `touch ${canary()}`;
  const out: Hostile[] = [];
  const add = (kind: string, value: string) => out.push({ kind, value });

  // Command separators and substitutions after a real host name (a naive `ssh host` line would run them).
  for (const host of ['healthy', 'app-bug']) {
    add('separator ;', `${host}; ${touch()}`);
    add('separator ; no space', `${host};${touch()}`);
    add('separator &&', `${host} && ${touch()}`);
    add('separator ||', `${host} || ${touch()}`);
    add('pipe', `${host} | ${touch()}`);
    add('pipe no space', `${host}|${touch()}`);
    add('background &', `${host} & ${touch()}`);
    add('background & no space', `${host}&${touch()}`);
    add('$() substitution', `${host}$(${touch()})`);
    add('backtick substitution', `${host}\`${touch()}\``);
    add('newline', `${host}\n${touch()}`);
    add('CRLF', `${host}\r\n${touch()}`);
    add('CR', `${host}\r${touch()}`);
    add('%0a', `${host}%0a${touch()}`);
    add('%0d%0a', `${host}%0d%0a${touch()}`);
    add('%3b', `${host}%3b${touch()}`);
    add('${IFS}', `${host};touch\${IFS}${canary()}`);
    add('$IFS$9', `${host};touch$IFS$9${canary()}`);
    add('single-quote break', `${host}'; ${touch()}; echo '`);
    add('double-quote break', `${host}"; ${touch()}; echo "`);
    add('redirect >', `${host} > ${canary()}`);
    add('redirect >>', `${host} >> ${canary()}`);
    add('redirect no space', `${host}>${canary()}`);
    add('input redirect', `${host} < /etc/passwd > ${canary()}`);
    add('comment tail', `${host};${touch()} #`);
    add('NUL then command', `${host}\u0000; ${touch()}`);
    add('%00 then command', `${host}%00;${touch()}`);
    add('brace expansion', `${host};{touch,${canary()}}`);
    add('process substitution', `${host} <(${touch()})`);
    add('here-string', `${host} <<< $(${touch()})`);
    add('escaped newline', `${host}\\\n${touch()}`);
    add('tab separated', `${host}\t;\t${touch()}`);
    add('vertical tab / form feed', `${host}\u000b\u000c;${touch()}`);
    add('unicode line separator', `${host}\u2028${touch()}`);
    add('double dash then command', `${host} -- ${touch()}`);
    add('env assignment', `X=$(${touch()}) ${host}`);
    add('arith expansion', `${host}$((\`${touch()}\`))`);
  }

  // Bare substitutions and separators.
  add('bare $()', `$(${touch()})`);
  add('bare backticks', `\`${touch()}\``);
  add('bare ;', `;${touch()};`);
  add('bare |', `|${touch()}`);
  add('bare &&', `&&${touch()}`);
  add('printf octal', `$(printf '\\164\\157\\165\\143\\150 ${canary()}'|sh)`);
  add('base64 pipe', `$(echo ${Buffer.from(touch()).toString('base64')}|base64 -d|sh)`);
  add('sh -c', `sh -c '${touch()}'`);
  add('bash -c', `bash -c "${touch()}"`);
  add('python -c', `python3 -c "open('${canary()}','w')"`);
  add('perl -e', `perl -e 'open(F,">${canary()}")'`);

  // SSH option injection: a value taken for an ssh/scp/rsync argument.
  add('-oProxyCommand', `-oProxyCommand=${touch()}`);
  add('-oProxyCommand quoted', `-oProxyCommand="sh -c '${touch()}'"`);
  add('-o ProxyCommand', `-o ProxyCommand=${touch()} healthy`);
  add('-oLocalCommand', `healthy -oPermitLocalCommand=yes -oLocalCommand=${touch()}`);
  add('-E logfile', `-E ${canary()}`);
  add('-E glued', `-E${canary()}`);
  add('-F config', `-F${canary()}`);
  add('-oUserKnownHostsFile', `-oUserKnownHostsFile=${canary()}`);
  add('-oControlPath', `-oControlMaster=yes -oControlPath=${canary()} healthy`);
  add('-i key', `-i /etc/shadow healthy`);
  add('-W forward', `-W 127.0.0.1:22 healthy`);
  add('--option', `--help;${touch()}`);
  add('user@host option', `root@healthy -oProxyCommand=${touch()}`);
  add('rsync -e', `-e "sh -c '${touch()}'" healthy:/`);
  add('curl -o', `-o ${canary()} http://127.0.0.1/`);
  add('tar checkpoint', `--checkpoint=1 --checkpoint-action=exec=${touch()}`);
  add('find -exec', `-exec touch ${canary()} ;`);
  add('git upload-pack', `--upload-pack=${touch()}`);

  // Path traversal and file names.
  add('traversal', '../../etc/passwd');
  add('traversal deep', '../../../../../../../../etc/shadow');
  add('traversal to canary', `../../../../tmp/${CANARY_PREFIX}${run}-${n++}`);
  add('absolute path', '/etc/passwd');
  add('encoded traversal', '..%2f..%2fetc%2fpasswd');
  add('double-encoded traversal', '..%252f..%252fetc%252fpasswd');
  add('dot-dot-slash doubled', '....//....//etc/passwd');
  add('backslash traversal', '..\\..\\windows\\win.ini');
  add('home key', '~/.ssh/id_ed25519');
  add('proc', '/proc/self/environ');
  add('file URL', 'file:///etc/passwd');
  add('http URL', `http://evil.example/$(${touch()})`);
  add('dev', '/dev/zero');
  add('UNC', '\\\\evil\\share');
  add('relative canary', `${CANARY_PREFIX}${run}-${n++}`);
  add('home canary', `~/${CANARY_PREFIX}${run}-${n++}`);

  // Globs.
  for (const g of ['*', '?', '[a-z]*', '/tmp/*', 'healthy*', 'heal?hy', 'h[e]althy', '**', '{healthy,app-bug}', 'app-bu[g]', '.*', '*;' + touch()]) add('glob', g);

  // Look-alikes: homoglyphs, fullwidth, dashes, dotless i, Greek/Cyrillic.
  for (const [kind, v] of [
    ['cyrillic e', 'h\u0435althy'], ['cyrillic y', 'health\u0443'], ['fullwidth', '\uff48\uff45\uff41\uff4c\uff54\uff48\uff59'],
    ['dotless i', 'app-bug\u0131'], ['cyrillic a', '\u0430pp-bug'], ['greek alpha', '\u03b1pp-bug'], ['hyphen U+2010', 'app\u2010bug'],
    ['en dash', 'app\u2013bug'], ['minus sign', 'app\u2212bug'], ['non-breaking hyphen', 'app\u2011bug'], ['small-caps', '\u029c\u1d07\u1d00\u029f\u1d1b\u029c\u028f'],
    ['mathematical bold', '\ud835\udc21\ud835\udc1e\ud835\udc1a\ud835\udc25\ud835\udc2d\ud835\udc21\ud835\udc32'], ['combining dot', 'healthy\u0307'],
    ['decomposed e-acute', 'he\u0301althy'], ['turkish capital I', 'app-bug\u0130'], ['letter-like l', 'hea\u217cthy'],
  ] as const) add(`homoglyph: ${kind}`, v);

  // Bidi controls, zero-width and invisible characters.
  for (const [kind, v] of [
    ['RLO', '\u202ehealthy'], ['RLO + command', `healthy\u202e;${touch()}`], ['LRI/PDI', '\u2066healthy\u2069'], ['RLM', 'healthy\u200f'],
    ['ALM', '\u061chealthy'], ['RLE', '\u202bhealthy\u202c'], ['ZWSP', 'heal\u200bthy'], ['ZWJ', 'healthy\u200d'], ['ZWNJ', 'health\u200cy'],
    ['BOM', 'heal\ufeffthy'], ['word joiner', 'heal\u2060thy'], ['soft hyphen', 'health\u00ady'], ['NBSP', 'heal\u00a0thy'],
    ['ideographic space', `healthy\u3000${touch()}`], ['hangul filler', 'healthy\u3164'], ['tag characters', 'healthy\udb40\udc41'],
  ] as const) add(`invisible: ${kind}`, v);

  // NUL and control characters.
  add('NUL', 'healthy\u0000');
  add('NUL inside', 'heal\u0000thy');
  add('escape sequence', 'healthy\u001b[2J\u001b]0;pwned\u0007');
  add('backspace', 'healthz\bx');
  add('DEL', 'healthy\u007f');

  // Quotes and shell metacharacters on their own.
  for (const v of ["'healthy'", '"healthy"', "healthy'", '"', "'", '\\', '$', '$HOME', '${HOME}', '$(id)', '`id`', '!!', '!-1', '^', '%s%s%s%n', '{{7*7}}', '${7*7}', '#{7*7}', '<%= 7*7 %>']) add('metacharacter', v);

  // Slack markup: pings, links, formatting.
  for (const v of ['<!channel>', '<!here>', '<!everyone>', '<@U0EVIL0001>', '<#C0EVIL0001>', '<!subteam^S0EVIL0001>', '<https://evil.example|healthy>',
    '<https://evil.example>', '*healthy*', '_healthy_', '~healthy~', '```' + touch() + '```', '>quote', '&lt;!channel&gt;', '@channel', '@here']) add('slack markup', v);

  // Names that mean something to JavaScript or SQL.
  for (const v of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'null', 'undefined', 'NaN', "healthy' OR '1'='1", "healthy'; DROP TABLE incidents; --", "healthy\\'; DROP TABLE diagnoses; --"]) add('js/sql', v);

  // Reserved and near-miss names.
  for (const v of ['local', 'localhost', '0.0.0.0', '::1', '[::1]:22', 'healthy.', '.healthy', 'healthy..', 'healthy-', '-healthy', 'healthy:22:22', 'app_bug']) add('near miss', v);

  // Very long values (10 KB), with and without an embedded command.
  add('10 KB', 'A'.repeat(10_240));
  add('10 KB command', `healthy;${`touch\${IFS}${canary()};`.repeat(Math.ceil(10_240 / 50))}`.slice(0, 10_240));
  add('10 KB unicode', '\u202e\u200b😀'.repeat(2600));

  return out;
}
