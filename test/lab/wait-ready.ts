import { connect } from 'node:net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the first bytes the server sends, or null if it sent nothing in time. */
export function readBanner(address: string, port: number, timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: address, port });
    const timer = setTimeout(() => { sock.destroy(); resolve(null); }, timeoutMs);
    sock.once('data', (d) => { clearTimeout(timer); sock.destroy(); resolve(d.toString()); });
    sock.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`lab: timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

export const waitForSsh = (address: string, port: number) =>
  waitUntil(`sshd banner on ${address}:${port}`, async () => (await readBanner(address, port, 1000))?.startsWith('SSH-') ?? false);

export const waitForHttp = (url: string, timeoutMs?: number) =>
  waitUntil(`HTTP answer from ${url}`, async () => (await fetch(url, { signal: AbortSignal.timeout(1000) })).status < 500, timeoutMs);
