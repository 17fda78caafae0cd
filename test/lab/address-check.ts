import { connect } from 'node:net';

const PORTS = [2222, 8080, 9000, 5432];

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    sock.setTimeout(500, () => { sock.destroy(); resolve(true); });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

/**
 * Fails if anything already listens on a lab port of the addresses we are about to use (a lab
 * started from another dir or checkout, or one still dying). Retries briefly: a namespace we
 * just killed may hold its sockets for a moment.
 */
export async function assertAddressesFree(addresses: string[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const checks = addresses.flatMap((a) => PORTS.map(async (p) => ((await listening(a, p)) ? `${a}:${p}` : null)));
    const busy = (await Promise.all(checks)).filter((x): x is string => x !== null);
    if (!busy.length) return;
    if (Date.now() > deadline) {
      throw new Error(`lab: addresses already in use by something that is not this lab: ${busy.join(', ')} ` +
        '(another lab, maybe from another dir? see `ss -ltnp`)');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
