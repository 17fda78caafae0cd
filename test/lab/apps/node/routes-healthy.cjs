/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
module.exports = (ctx) => require('./catalog.cjs')(ctx);
