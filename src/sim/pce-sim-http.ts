/**
 * The small HTTP vocabulary of the PCE simulator: what a route handler
 * returns (a Reply) and how it goes onto the wire.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  /** Compress with gzip (only if the client accepts it). */
  gzip?: boolean;
}

/** What a handler sees of a request. */
export interface SimRequest {
  method: string;
  /** Path after `/api/v2`, e.g. `/orgs/1/events`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body, headers };
}

/** The PCE's error body: a JSON array of {token, message}. */
export function pceError(status: number, token: string, message: string): Reply {
  return json(status, [{ token, message }]);
}

export function notFound(path: string): Reply {
  return pceError(404, 'not_found', `No route or object at /api/v2${path}`);
}

export function methodNotAllowed(method: string, path: string): Reply {
  return pceError(405, 'method_not_allowed', `${method} is not allowed on /api/v2${path}`);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends the reply; returns the headers sent (tests check e.g. Content-Encoding). */
export function sendReply(req: IncomingMessage, res: ServerResponse, reply: Reply, date: Date): Record<string, string> {
  let payload = toPayload(reply);
  const headers: Record<string, string> = { Date: date.toUTCString(), ...reply.headers };
  if (reply.body !== undefined && !hasHeader(headers, 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }

  const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (reply.gzip && acceptsGzip && payload.length > 0) {
    payload = gzipSync(payload);
    headers['Content-Encoding'] = 'gzip';
  }

  headers['Content-Length'] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(payload);
  return headers;
}

function toPayload(reply: Reply): Buffer {
  if (reply.body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(reply.body)) return reply.body;
  if (typeof reply.body === 'string') return Buffer.from(reply.body, 'utf8');
  return Buffer.from(JSON.stringify(reply.body), 'utf8');
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}
