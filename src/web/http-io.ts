import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
  }
}

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

// The rest of an oversized body is never read, so the connection is closed after the answer: say so,
// or a keep-alive client sends its next request on a socket that is about to be reset.
const TOO_LARGE_HEADERS = { connection: 'close' };

/** Reads a request body up to `limit` bytes; larger bodies are refused without buffering them. */
export function readBody(req: IncomingMessage, limit = MAX_WEBHOOK_BYTES, timeoutMs = 10_000): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, `body is larger than ${limit} bytes`, TOO_LARGE_HEADERS));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => fail(new HttpError(408, 'body not received in time')), timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      req.removeAllListeners('data');
      req.resume();
      reject(err);
    }
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) fail(new HttpError(413, `body is larger than ${limit} bytes`, TOO_LARGE_HEADERS));
      else chunks.push(c);
    });
    req.on('end', () => { clearTimeout(timer); resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => fail(new HttpError(400, `body could not be read: ${e.message}`)));
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
