/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

// Recommendations are computed in a child with a small heap; the model grew, the heap did not.
function recommend() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=16', path.join(__dirname, 'recommender.cjs')]);
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.on('data', (c) => (stdout += c));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(JSON.parse(stdout));
      reject(new Error(`recommender exited with code ${code} signal ${signal}:\n${stderr.trim()}`));
    });
  });
}

module.exports = (ctx) => ({
  ...require('./catalog.cjs')(ctx),
  'GET /api/recommendations': async () => ({ body: await recommend() }),
});
