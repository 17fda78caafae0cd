// Timestamp shapes that app servers and runtimes write besides ISO-8601: Go's log package
// (`2026/11/21 00:58:10`), php-fpm and PHP's error_log (`[21-Nov-2026 00:58:04]`, `[21-Nov-2026
// 00:58:16 UTC]`), ctime as uWSGI and Apache print it (`Sat Nov 21 00:58:10 2026`,
// `[Sat Nov 21 00:58:10.123456 2026]`), runit's svlogd -tt (`2026-11-21_00:58:10.12345`) and the
// common log format app servers' access logs use (`[21/Nov/2026:00:58:10 +0000]`, with its zone).
// The others are zone-less host-local time unless they say UTC.

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

function at(y: number, mo: number | undefined, d: number, h: number, mi: number, s: number, frac: string | undefined, utc: boolean, tz: number): number | null {
  if (mo === undefined) return null;
  const t = Date.UTC(y, mo, d, h, mi, s, frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0);
  if (!Number.isFinite(t)) return null;
  return utc ? t : t - tz * 60_000;
}

// `[mysql] 2026/11/21 …` and `2026/11/21 …`: the slash date may follow a short prefix.
const GO_LOG = /(?:^|[\s[])(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/;
const DMY = /\[(\d{2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?( UTC)?\]/;
const SVLOGD = /^(\d{4})-(\d{2})-(\d{2})_(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/;
const CLF = /\[(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\]/;
const CTIME = /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (\d{4})\b/;

/** Epoch ms of the first such stamp in `head` (the start of a line), or null. */
export function findOtherStamp(head: string, tzOffsetMinutes = 0): number | null {
  const go = GO_LOG.exec(head);
  if (go) return at(+go[1]!, +go[2]! - 1, +go[3]!, +go[4]!, +go[5]!, +go[6]!, go[7], false, tzOffsetMinutes);
  const dmy = DMY.exec(head);
  if (dmy) return at(+dmy[3]!, MONTHS[dmy[2]!.toLowerCase()], +dmy[1]!, +dmy[4]!, +dmy[5]!, +dmy[6]!, dmy[7], dmy[8] !== undefined, tzOffsetMinutes);
  const sv = SVLOGD.exec(head);
  if (sv) return at(+sv[1]!, +sv[2]! - 1, +sv[3]!, +sv[4]!, +sv[5]!, +sv[6]!, sv[7], false, tzOffsetMinutes);
  const clf = CLF.exec(head);
  if (clf) {
    const zone = (clf[7] === '-' ? -1 : 1) * (Number(clf[8]) * 60 + Number(clf[9]));
    return at(+clf[3]!, MONTHS[clf[2]!.toLowerCase()], +clf[1]!, +clf[4]!, +clf[5]!, +clf[6]!, undefined, false, zone);
  }
  const c = CTIME.exec(head);
  if (c) return at(+c[7]!, MONTHS[c[1]!.toLowerCase()], +c[2]!, +c[3]!, +c[4]!, +c[5]!, c[6], false, tzOffsetMinutes);
  return null;
}
