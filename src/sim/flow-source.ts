/**
 * Where the simulator's traffic download comes from when it is too big to
 * hold: a file (plain JSON, optionally with a ready gzip twin) or a
 * generator, streamed to the client as it is read.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

export interface FlowSource {
  /** Flows in the body: reported as matches_count and flows_count. */
  count: number;
  /** The JSON body, from its first byte. */
  open(): Readable;
  /** The same body gzip-compressed; without it the simulator compresses on the fly. */
  openGzip?(): Readable;
}

export function fileFlowSource(file: string, count: number, gzipFile?: string): FlowSource {
  return {
    count,
    open: () => createReadStream(file, { highWaterMark: 256 * 1024 }),
    openGzip: gzipFile ? () => createReadStream(gzipFile, { highWaterMark: 256 * 1024 }) : undefined,
  };
}

/** A body made fresh by `body()` on every download (e.g. bigFlowBody). */
export function generatedFlowSource(count: number, body: () => Iterable<string | Buffer>): FlowSource {
  return { count, open: () => Readable.from(body(), { objectMode: false }) };
}
