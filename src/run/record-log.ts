/**
 * Every fetched event and matched flow as JSON lines under logDir, so an
 * analyst can see what a run saw without the PCE console. Records are
 * streamed to disk as they arrive (a big traffic result never sits in
 * memory). Files rotate by size before a run appends: `flows.jsonl` ->
 * `flows.jsonl.1` -> ..., keeping logMaxFiles files in all.
 */
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

export interface RecordLogOptions {
  dir: string;
  maxBytes: number;
  maxFiles: number;
}

export type RecordKind = 'events' | 'flows';

export class RecordLog {
  private readonly streams = new Map<RecordKind, WriteStream>();
  private failure: Error | undefined;

  constructor(private readonly options: RecordLogOptions) {}

  /** Rotate full files and open the streams; call once before add(). */
  async open(kinds: RecordKind[]): Promise<void> {
    await fs.mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    for (const kind of kinds) {
      const file = path.join(this.options.dir, `${kind}.jsonl`);
      await this.rotateIfFull(file);
      const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
      stream.on('error', (err) => (this.failure ??= err));
      this.streams.set(kind, stream);
    }
  }

  add(kind: RecordKind, record: unknown, meta: Record<string, unknown> = {}): void {
    this.streams.get(kind)?.write(`${JSON.stringify({ ...meta, record })}\n`);
  }

  async close(): Promise<void> {
    for (const stream of this.streams.values()) {
      stream.end();
      if (!stream.closed) await once(stream, 'close');
    }
    this.streams.clear();
    if (this.failure) throw this.failure;
  }

  private async rotateIfFull(file: string): Promise<void> {
    const size = await fs.stat(file).then((s) => s.size, () => 0);
    if (size < this.options.maxBytes) return;

    const rotated = Math.max(1, this.options.maxFiles - 1);
    await fs.rm(`${file}.${rotated}`, { force: true });
    for (let i = rotated - 1; i >= 1; i--) {
      await fs.rename(`${file}.${i}`, `${file}.${i + 1}`).catch(() => undefined);
    }
    await fs.rename(file, `${file}.1`);
  }
}
