/* eslint-disable -- preloaded into a diagbot process under test (node --expose-gc --require) */
'use strict';
// Lets a memory test ask the process for a full garbage collection (SIGUSR2), so "heap after"
// measures what is retained rather than when V8 last happened to collect.
if (typeof global.gc === 'function') process.on('SIGUSR2', () => global.gc());
