/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
// Accepts TCP connections and never sends a byte: an SSH server stuck before its banner.
const net = require('node:net');

const [address, port] = process.argv.slice(2);
const held = new Set();
net.createServer((socket) => {
  held.add(socket);
  socket.on('error', () => {});
  socket.on('close', () => held.delete(socket));
}).listen(Number(port), address);
