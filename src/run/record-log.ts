/**
 * Every fetched event and matched flow as JSON lines under logDir, so an
 * analyst can see what a run saw without the PCE console. Records are
 * streamed to disk as they arrive (a big traffic result never sits in
 * memory), and files rotate by size as they are written: `flows.jsonl` ->
 * `flows.jsonl.1` -> ..., keeping logMaxFiles files in all, so the folder
 * stays under logMaxBytes x logMaxFiles however large one run is.
 */
import { createWriteStream, mkdirSync, openSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

export interface RecordLogOptions {
  dir: string;
  maxBytes: number;
  maxFiles: number;
}

export type RecordKind = 'events' | 'flows';

interface OpenLog {
  file: string;
  stream: WriteStream;
  bytes: number;
}

export class RecordLog {
  private readonly logs = new Map<RecordKind, OpenLog>();
  private readonly closing: WriteStream[] = [];
  private failure: Error | undefined;

  constructor(private readonly options: RecordLogOptions) {}

  /** Create the folder and open the files (rotating full ones); call once before add(). */
  async open(kinds: RecordKind[]): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    for (const kind of kinds) {
      const file = path.join(this.options.dir, `${kind}.jsonl`);
      const bytes = fileSize(file);
      this.logs.set(kind, bytes >= this.options.maxBytes ? this.reopen(file, undefined) : this.openStream(file, bytes));
    }
  }

  add(kind: RecordKind, record: unknown, meta: Record<string, unknown> = {}): void {
    let log = this.logs.get(kind);
    if (!log) return;
    const line = `${JSON.stringify({ ...meta, record })}\n`;
    if (log.bytes > 0 && log.bytes + line.length > this.options.maxBytes) {
      log = this.reopen(log.file, log.stream);
      this.logs.set(kind, log);
    }
    log.stream.write(line);
    log.bytes += line.length;
  }

  async close(): Promise<void> {
    for (const log of this.logs.values()) this.closing.push(log.stream);
    this.logs.clear();
    for (const stream of this.closing.splice(0)) {
      if (!stream.closed) {
        stream.end();
        await once(stream, 'close');
      }
    }
    if (this.failure) throw this.failure;
  }

  private openStream(file: string, bytes: number): OpenLog {
    // Opened now, not on the next tick, so a rotation renames the file this stream writes.
    const stream = createWriteStream(file, { fd: openSync(file, 'a', 0o600) });
    stream.on('error', (err) => (this.failure ??= err));
    return { file, stream, bytes };
  }

  /** Shift file -> file.1 -> ... and start a new file; an open stream keeps writing to its renamed file until it closes. */
  private reopen(file: string, current: WriteStream | undefined): OpenLog {
    if (current) {
      current.end();
      this.closing.push(current);
    }
    const rotated = Math.max(1, this.options.maxFiles - 1);
    rmSync(`${file}.${rotated}`, { force: true });
    for (let i = rotated - 1; i >= 1; i--) renameIfExists(`${file}.${i}`, `${file}.${i + 1}`);
    renameIfExists(file, `${file}.1`);
    return this.openStream(file, 0);
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
