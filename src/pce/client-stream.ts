/**
 * One streamed GET with got: resolves once the response headers are in
 * (an HTTP error status is read in full and thrown like any other), and
 * hands the body over chunk by chunk. Only the part before the headers
 * may be retried by the caller; a failure while reading the body is final.
 */
import type { Readable } from 'node:stream';
import got, { type OptionsInit } from 'got';
import { PceError } from '../errors.js';
import type { Logger } from '../output.js';
import { networkError, RetryablePceError, type ErrorContext } from './pce-errors.js';
import type { PceStreamResponse } from './client.js';

type Headers = Record<string, string | string[] | undefined>;

export interface StreamRequest {
  url: string;
  ctx: ErrorContext;
  log: Logger;
  options: OptionsInit;
  statusError(status: number, headers: Headers, body: Buffer, ctx: ErrorContext): PceError;
}

/** Error bodies are short; a longer one is cut here rather than held. */
const MAX_ERROR_BODY = 64 * 1024;

export function openStream(req: StreamRequest): Promise<PceStreamResponse> {
  return new Promise((resolve, reject) => {
    const stream = got.stream(req.url, { ...req.options, isStream: true } as OptionsInit & { isStream: true });
    const fail = (err: unknown) => reject(networkError(err, req.ctx));
    stream.once('error', fail);

    stream.once('response', (res: { statusCode: number; headers: Headers }) => {
      req.log.debug(`${req.ctx.what} -> ${res.statusCode} (streamed)`);
      if (res.statusCode >= 400) {
        readSome(stream).then((body) => reject(req.statusError(res.statusCode, res.headers, body, req.ctx)), fail);
        return;
      }

      stream.off('error', fail);
      // The iterator below reports errors; this keeps one before it starts from going uncaught.
      stream.on('error', () => undefined);
      resolve({ status: res.statusCode, headers: res.headers, chunks: chunks(stream, req.ctx) });
    });
  });
}

async function* chunks(stream: Readable, ctx: ErrorContext): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw final(networkError(err, ctx));
  }
}

/** Bytes were handed over already: whatever broke is not to be retried. */
function final(err: PceError): PceError {
  if (!(err instanceof RetryablePceError)) return err;
  return new PceError(err.code, err.message, { status: err.status, hint: err.hint, cause: err.cause });
}

async function readSome(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    parts.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= MAX_ERROR_BODY) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(parts);
}
