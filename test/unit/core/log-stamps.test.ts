import { describe, expect, it } from 'vitest';
import { findLineTime } from '../../../src/core/time.js';

describe('app-log stamps besides ISO-8601', () => {
  const t = (iso: string) => Date.parse(iso);

  it("reads Go's log package, also after a short prefix", () => {
    expect(findLineTime('2026/11/21 00:58:10 http: Accept error: accept tcp [::]:8080')).toBe(t('2026-11-21T00:58:10Z'));
    expect(findLineTime('[mysql] 2026/11/21 00:58:10.123456 packets.go:37: unexpected EOF')).toBe(t('2026-11-21T00:58:10.123Z'));
  });

  it('reads php-fpm and PHP error_log stamps; a UTC suffix overrides the host offset', () => {
    expect(findLineTime('[21-Nov-2026 00:58:04] WARNING: [pool www] child 2797 exited on signal 11', 60)).toBe(t('2026-11-20T23:58:04Z'));
    expect(findLineTime('[21-Nov-2026 00:58:16 UTC] PHP Fatal error:  Allowed memory size', 60)).toBe(t('2026-11-21T00:58:16Z'));
  });

  it('reads ctime as uWSGI and Apache print it', () => {
    expect(findLineTime('Sat Nov 21 00:58:10 2026 - *** HARAKIRI ON WORKER 13 (pid: 21576, try: 1) ***')).toBe(t('2026-11-21T00:58:10Z'));
    expect(findLineTime('[Sat Nov 21 00:58:10.614631 2026] [core:notice] [pid 536253] AH00051: child pid 538294 exit signal')).toBe(t('2026-11-21T00:58:10.614Z'));
  });

  it("reads svlogd -tt stamps and the common log format's zone", () => {
    expect(findLineTime('2026-11-21_00:58:10.12345 inventory listening', 60)).toBe(t('2026-11-20T23:58:10.123Z'));
    expect(findLineTime('10.0.0.1 - - [21/Nov/2026:01:58:10 +0100] "GET / HTTP/1.1" 500 12', 0)).toBe(t('2026-11-21T00:58:10Z'));
  });

  it('prefers ISO and finds nothing in a line without a stamp', () => {
    expect(findLineTime('2026-11-21T00:58:00Z copied 2026/01/01 00:00:00 backup')).toBe(t('2026-11-21T00:58:00Z'));
    expect(findLineTime('goroutine 1 [running]:')).toBeNull();
    expect(findLineTime('[32-Foo-2026 99:99:99] nonsense')).toBeNull();
  });
});
