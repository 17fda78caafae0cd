import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InventoryHost } from '../../src/config/inventory.js';

// A TCP proxy on loopback that delays every chunk by half the round-trip time in each direction,
// so one lab host can be reached as if across a network (the lab machine has no netem). Order is
// kept: chunks of one direction leave in the order they came, each `rttMs / 2` after arriving.

export interface LatencyProxy { port: number; close: () => Promise<void> }

function delayed(from: Socket, to: Socket, ms: number): void {
  from.on('data', (chunk: Buffer) => { setTimeout(() => { if (!to.destroyed) to.write(chunk); }, ms); });
  from.on('end', () => setTimeout(() => to.end(), ms));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), ms));
}

export function startLatencyProxy(target: { address: string; port: number }, rttMs: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    // The TCP handshake crosses the network too: the server's first bytes arrive 1.5 RTT in.
    client.pause();
    setTimeout(() => {
      if (client.destroyed) return;
      const upstream = connect({ host: target.address, port: target.port, noDelay: true });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      delayed(client, upstream, rttMs / 2);
      delayed(upstream, client, rttMs / 2);
      upstream.once('connect', () => client.resume());
    }, rttMs);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        close: () => new Promise((res) => { for (const s of sockets) s.destroy(); server.close(() => res()); }),
      });
    });
  });
}

/** A lab host as if `rttMs` away: its proxy, a known_hosts naming the proxy, and an inventory with it. */
export interface DistantHost { host: InventoryHost; inventoryPath: string; close: () => Promise<void> }

export async function distantHost(host: InventoryHost, rttMs: number): Promise<DistantHost> {
  const px = await startLatencyProxy(host, rttMs);
  const dir = mkdtempSync(join(tmpdir(), 'diagbot-rtt-'));
  const label = `[${host.address}]:${host.port} `;
  const keys = readFileSync(host.knownHostsPath, 'utf8').split('\n').filter((l) => l.startsWith(label)).map((l) => `[127.0.0.1]:${px.port} ${l.slice(label.length)}`);
  const knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, `${keys.join('\n')}\n`);
  const inventoryPath = join(dir, 'inventory.yaml');
  writeFileSync(inventoryPath, `hosts:\n  ${host.name}: { address: 127.0.0.1, port: ${px.port}, user: ${host.user}, privateKeyPath: ${host.privateKeyPath}, knownHostsPath: ${knownHostsPath} }\n`);
  return {
    host: { ...host, address: '127.0.0.1', port: px.port, knownHostsPath },
    inventoryPath,
    close: async () => { await px.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}
