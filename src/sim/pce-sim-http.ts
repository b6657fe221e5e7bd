/**
 * The small HTTP vocabulary of the PCE simulator: what a route handler
 * returns (a Reply) and how it goes onto the wire.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, Transform, type Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  /** Compress with gzip (only if the client accepts it). */
  gzip?: boolean;
  /** A body streamed instead of `body` (chunked, never held in memory). */
  stream?: { open(): Readable; openGzip?(): Readable };
  /** Break the connection after this many body bytes (truncated-download tests). */
  cutAfterBytes?: number;
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
  if (reply.stream) return sendStream(req, res, reply, date);
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

function sendStream(req: IncomingMessage, res: ServerResponse, reply: Reply, date: Date): Record<string, string> {
  const source = reply.stream!;
  const headers: Record<string, string> = { Date: date.toUTCString(), 'Content-Type': 'application/json', ...reply.headers };
  const gzip = reply.gzip === true && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) headers['Content-Encoding'] = 'gzip';
  res.writeHead(reply.status, headers);

  const body = !gzip ? source.open() : source.openGzip?.() ?? source.open().pipe(createGzip({ level: 1 }));
  const steps: (Readable | Transform | ServerResponse)[] = [body];
  if (reply.cutAfterBytes !== undefined) steps.push(cutAfter(reply.cutAfterBytes, res));
  // A client that hangs up ends the pipeline; nothing to report.
  pipeline([...steps, res] as unknown as [Readable, ServerResponse], () => undefined);
  return headers;
}

/** Pass `limit` bytes, then drop the connection as a failing PCE or proxy would. */
function cutAfter(limit: number, res: ServerResponse): Transform {
  let sent = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const room = limit - sent;
      sent += chunk.length;
      if (room > chunk.length) return done(null, chunk);
      if (room > 0) this.push(chunk.subarray(0, room));
      setImmediate(() => res.socket?.destroy());
      done();
    },
  });
}
