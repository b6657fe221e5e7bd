/**
 * Saved records for offline rule tests: reading `events.json` / `flows.json`
 * (a JSON array) or record logs (JSON lines, bare records or the
 * `{record: ...}` lines of logs/*.jsonl), and writing a run's records as
 * JSON arrays, streamed so a big traffic result never sits in memory.
 */
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import type { PceEvent, TrafficFlow } from '../types.js';
import { parsePceTime } from '../util/time.js';

export type RecordKind = 'events' | 'flows';

/** The records of a file: a JSON array, or one JSON value per line. */
export async function readRecordsFile(file: string, kind: RecordKind): Promise<unknown[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
    throw new UsageError(`cannot read the ${kind} file ${file} (${code})`, 'Give a JSON array or JSON lines, e.g. from run --save-records DIR.');
  }

  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') return [];
  const records = body.startsWith('[') ? parseArray(file, body) : parseLines(file, body);
  return records.map(unwrap);
}

function parseArray(file: string, body: string): unknown[] {
  try {
    return JSON.parse(body) as unknown[];
  } catch {
    throw new UsageError(`${file} starts with [ but is not a valid JSON array`, 'Fix the file, or give one JSON record per line.');
  }
}

function parseLines(file: string, body: string): unknown[] {
  const out: unknown[] = [];
  const lines = body.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      throw new UsageError(`${file} line ${i + 1} is not JSON`, 'Give a JSON array, or one JSON record per line.');
    }
  }
  return out;
}

/** A record-log line `{record, ...meta}` gives its record; anything else is the record. */
function unwrap(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const o = value as Record<string, unknown>;
  const looksLikeRecord = 'href' in o || 'event_type' in o || 'src' in o || 'policy_decision' in o;
  return 'record' in o && !looksLikeRecord ? o.record : value;
}

/** The newest time among the records (event timestamp, flow last_detected), or undefined. */
export function newestRecordTime(events: readonly unknown[], flows: readonly unknown[]): number | undefined {
  let newest: number | undefined;
  const see = (t: number | undefined) => {
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  };
  for (const e of events) see(parsePceTime((e as Partial<PceEvent> | null)?.timestamp));
  for (const f of flows) see(parsePceTime((f as Partial<TrafficFlow> | null)?.timestamp_range?.last_detected));
  return newest;
}

/** Writes `events.json` and `flows.json` (JSON arrays) into a folder while a run feeds it. */
export class RecordArrays {
  private readonly streams = new Map<RecordKind, { stream: WriteStream; count: number }>();
  private failure: Error | undefined;

  constructor(readonly dir: string) {}

  async open(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const kind of ['events', 'flows'] as const) {
      const stream = createWriteStream(path.join(this.dir, `${kind}.json`), { mode: 0o600 });
      stream.on('error', (err) => (this.failure ??= err));
      stream.write('[');
      this.streams.set(kind, { stream, count: 0 });
    }
  }

  add(kind: RecordKind, record: unknown): void {
    const entry = this.streams.get(kind);
    if (!entry) return;
    entry.stream.write(`${entry.count === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`);
    entry.count++;
  }

  /** Close both arrays; throws if a write failed. */
  async close(): Promise<{ events: number; flows: number }> {
    const counts = { events: 0, flows: 0 };
    for (const [kind, entry] of this.streams) {
      entry.stream.end(entry.count === 0 ? ']\n' : '\n]\n');
      if (!entry.stream.closed) await once(entry.stream, 'close');
      counts[kind] = entry.count;
    }
    this.streams.clear();
    if (this.failure) throw this.failure;
    return counts;
  }
}

/** Feed both the record log and the saved arrays from one `add`. */
export function teeRecords(
  ...sinks: { add(kind: RecordKind, record: unknown): void }[]
): { add(kind: RecordKind, record: unknown): void } {
  return { add: (kind, record) => sinks.forEach((s) => s.add(kind, record)) };
}
