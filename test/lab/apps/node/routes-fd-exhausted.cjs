/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const DATA = '/srv/app/shared/data';
fs.mkdirSync(DATA, { recursive: true });
const sessions = [];

function openFds() {
  return fs.readdirSync('/proc/self/fd').length;
}
function softLimit() {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line.split(/\s+/)[3]);
}

module.exports = (ctx) => ({
  ...require('./catalog.cjs')(ctx),
  // Bug: every session opens a handle on its store and never closes it. The lab stops
  // leaking a few descriptors short of the limit so accept() keeps working and the host
  // stays diagnosable; the 12-part report below needs more than what is left.
  'GET /api/session': async () => {
    if (openFds() < softLimit() - 6) sessions.push(fs.openSync(path.join(DATA, 'sessions.db'), 'a'));
    return { body: { session: sessions.length } };
  },
  'GET /api/report': async () => {
    const parts = [];
    try {
      for (let i = 0; i < 12; i++) parts.push(await fs.promises.open(path.join(DATA, `report-${i}.csv`), 'w'));
      return { body: { parts: parts.length } };
    } finally {
      await Promise.all(parts.map((p) => p.close()));
    }
  },
});
