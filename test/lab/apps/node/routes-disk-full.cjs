/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const UPLOADS = '/srv/app/shared/uploads';

module.exports = (ctx) => ({
  ...require('./catalog.cjs')(ctx),
  'POST /api/uploads': async ({ req }) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const name = `upload-${Date.now()}-${Math.random().toString(16).slice(2)}.bin`;
    await fs.promises.writeFile(path.join(UPLOADS, name), Buffer.concat([Buffer.alloc(64 * 1024), ...chunks]));
    return { status: 201, body: { stored: name } };
  },
});
