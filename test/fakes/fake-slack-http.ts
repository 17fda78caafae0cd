// Reading requests the way Slack's API does: form-urlencoded (what @slack/web-api sends), JSON, or multipart,
// plus query-string arguments, with the token from `Authorization: Bearer` or (form bodies only) a `token` field.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from './fake-slack-types.js';

/** Fields @slack/web-api JSON-stringifies inside form bodies; parsed so calls and handlers see structures. */
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];

export interface ParsedRequest { args: JsonObject; contentType: string; token?: string; isJson: boolean; charset: boolean }

export class BodyTooLarge extends Error {}

/**
 * Buffers the body up to `max` bytes. Past that it keeps draining without storing, then throws BodyTooLarge:
 * answering 413 before the client finished sending would reach it as a reset socket, not as the 413.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => (size > max ? reject(new BodyTooLarge(`body of ${size} bytes is over ${max}`)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function parseJsonFields(args: JsonObject): JsonObject {
  for (const key of JSON_FIELDS) {
    const v = args[key];
    if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) continue;
    try { args[key] = JSON.parse(v); } catch { /* left as a string: the method answers Slack's *_format error */ }
  }
  return args;
}

/** Parses a request; a malformed JSON body throws SyntaxError (the caller answers invalid_json). */
export async function parseRequest(req: IncomingMessage, body: Buffer, url: URL): Promise<ParsedRequest> {
  const contentType = String(req.headers['content-type'] ?? '');
  const mime = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const args: JsonObject = Object.fromEntries(url.searchParams);
  const isJson = mime === 'application/json';
  if (isJson) {
    const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('JSON body is not an object');
    Object.assign(args, parsed);
  } else if (mime === 'multipart/form-data') {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
    for (const [k, v] of form) args[k] = typeof v === 'string' ? v : { filename: v.name, size: v.size };
  } else {
    Object.assign(args, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
  // Slack ignores a token inside a JSON body: JSON callers must use the header.
  const fieldToken = !isJson && typeof args.token === 'string' ? args.token : undefined;
  delete args.token;
  return { args: parseJsonFields(args), contentType, token: bearer ?? fieldToken, isJson, charset: /charset=/i.test(contentType) };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
