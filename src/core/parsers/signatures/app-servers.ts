import type { SignatureTable } from './kinds.js';

// Process managers and supervisors: gunicorn (gunicorn/arbiter.py), uWSGI (core/master.c,
// core/master_checks.c), supervisord (supervisor/process.py "exited: %s (%s; not expected)") and
// systemd (src/core/service.c "Main process exited, code=%s, status=%i/%s"; unit.c's OOM notice).
// They see a worker die before the app can log anything.

const CRASH_SIGNAL = '(?:[4-9]|11|31)\\b';

export const APP_SERVERS: SignatureTable = {
  out_of_memory: [/Perhaps out of memory\?|killed by the OOM killer|Failed with result 'oom-kill'/],
  worker_killed: [
    /Worker \(pid:\d+\) was sent SIG(?:SEGV|BUS|ABRT|ILL|FPE|SYS|TRAP|KILL)!/,
    new RegExp(`Worker with pid \\d+ was terminated due to signal ${CRASH_SIGNAL}`),
    new RegExp(`worker \\d+ \\(pid: \\d+\\) (?:died, |MYSTERIOUSLY )killed by signal ${CRASH_SIGNAL}`),
    /uWSGI process \d+ got Segmentation Fault/,
    /\(terminated by SIG(?:SEGV|BUS|ABRT|ILL|FPE|KILL|SYS); not expected\)/,
    /Main process exited, code=(?:killed|dumped), status=\d+\/(?:SEGV|BUS|ABRT|ILL|FPE|KILL|SYS)\b/,
  ],
  worker_timeout: [/WORKER TIMEOUT \(pid:\d+\)|HARAKIRI ON WORKER \d+/],
  workers_exhausted: [/uWSGI listen queue of socket .{1,80} full/],
};
