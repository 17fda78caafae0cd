import { connect, type Socket } from 'node:net';
import { HostUnreachableError } from './ssh-errors.js';

/** Opens the TCP connection alone, so "refused" and "timed out" are told apart from SSH problems. */
export function tcpConnect(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const where = `${address}:${port}`;
    const sock = connect({ host: address, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new HostUnreachableError('connect_timeout', `TCP connect to ${where} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      // SSH is request/answer: with Nagle, each small packet after an unacknowledged one waits
      // for the peer's delayed ACK (~40 ms), at every handshake step and every channel open.
      sock.setNoDelay(true);
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      const code = err.code ?? '';
      if (code === 'ECONNREFUSED') reject(new HostUnreachableError('refused', `connection refused by ${where} (nothing listening for SSH)`, { cause: err }));
      else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reject(new HostUnreachableError('dns', `cannot resolve ${address} (${code})`, { cause: err }));
      else if (['EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT'].includes(code)) reject(new HostUnreachableError('network', `${where} unreachable (${code})`, { cause: err }));
      else reject(new HostUnreachableError('other', `TCP connect to ${where} failed: ${err.message}`, { cause: err }));
    });
  });
}
