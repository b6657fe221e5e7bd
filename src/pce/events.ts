/**
 * Read every audit event in [from, to] although the PCE answers at most
 * max_results of them, newest first, and never says it cut the list. A
 * full reply means "maybe more": the range is split and the parts read
 * oldest first, so the fully read frontier only moves forward from `from`.
 * A single millisecond that still fills a page goes to the async collection.
 */
import type { PceEvent } from '../types.js';
import { parsePceTime, toIsoZ } from '../util/time.js';
import { collectAsync } from './async-collection.js';
import type { PceClient } from './client.js';

export interface EventFetchOptions {
  from: number;
  to: number;
  /** max_results per request; the PCE allows at most 10000. */
  pageSize: number;
  /** Stop (complete: false) once this many events were read. */
  maxTotal: number;
}

export interface EventFetchResult {
  events: PceEvent[];
  complete: boolean;
  /** ms: everything in [from, readUntil] was read (from - 1 when nothing was). */
  readUntil: number;
  requests: number;
  /** Malformed records dropped. */
  skipped: number;
  skippedReasons: string[];
}

interface Range {
  from: number;
  to: number;
}

const PCE_MAX_RESULTS = 10_000;
const MAX_REASONS = 20;

export async function fetchEvents(client: PceClient, opts: EventFetchOptions): Promise<EventFetchResult> {
  const pageSize = Math.max(1, Math.min(PCE_MAX_RESULTS, Math.floor(opts.pageSize)));
  const result: EventFetchResult = { events: [], complete: true, readUntil: opts.from - 1, requests: 0, skipped: 0, skippedReasons: [] };
  const seen = new Set<string>();
  const count = () => void result.requests++;

  // A stack with the oldest range on top.
  const pending: Range[] = opts.to >= opts.from ? [{ from: opts.from, to: opts.to }] : [];
  while (pending.length > 0) {
    const range = pending.pop() as Range;
    const page = await readRange(client, range, pageSize, count);

    let records = page;
    if (page.length >= pageSize) {
      if (range.from < range.to) {
        pending.push(...split(range, page).reverse());
        continue;
      }
      records = await collectAsync(client, client.orgPath('/events'), { query: rangeQuery(range), onRequest: count });
    }

    accept(result, seen, records);
    result.readUntil = range.to;
    if (result.events.length >= opts.maxTotal && pending.length > 0) {
      result.complete = false;
      break;
    }
  }
  return result;
}

async function readRange(client: PceClient, range: Range, pageSize: number, count: () => void): Promise<unknown[]> {
  count();
  const path = client.orgPath('/events');
  const page = await client.getJson<unknown>(path, { query: { ...rangeQuery(range), max_results: pageSize } });
  if (!Array.isArray(page)) throw client.badResponse(`GET ${path}`, 'JSON that is not a list of events');
  return page;
}

/**
 * [gte, lte] for a range of whole milliseconds. lte carries .999 µs so an
 * event stamped with microseconds inside the last millisecond is not lost
 * between this range and the next.
 */
function rangeQuery(range: Range): Record<string, string> {
  return {
    'timestamp[gte]': toIsoZ(range.from),
    'timestamp[lte]': toIsoZ(range.to).replace(/Z$/, '999Z'),
  };
}

/**
 * Two ranges, older first. A newest-first page covers (oldest, to] fully,
 * so splitting at its oldest timestamp leaves little to re-read; a page not
 * in that order (or all in one millisecond) falls back to halving.
 */
function split(range: Range, page: unknown[]): [Range, Range] {
  const times = page.map((e) => parsePceTime((e as { timestamp?: unknown } | null)?.timestamp));
  const sorted = times.every((t, i) => t !== undefined && (i === 0 || t <= (times[i - 1] as number)));
  const oldest = times[times.length - 1];

  let cut = Math.floor((range.from + range.to) / 2);
  if (sorted && oldest !== undefined && oldest >= range.from && oldest < range.to) cut = oldest;
  else if (sorted && oldest === range.to) cut = range.to - 1;

  return [
    { from: range.from, to: cut },
    { from: cut + 1, to: range.to },
  ];
}

function accept(result: EventFetchResult, seen: Set<string>, records: unknown[]): void {
  for (const record of records) {
    const problem = malformed(record);
    if (problem) {
      result.skipped++;
      if (result.skippedReasons.length < MAX_REASONS) result.skippedReasons.push(problem);
      continue;
    }

    const event = record as PceEvent;
    if (seen.has(event.href)) continue;
    seen.add(event.href);
    result.events.push(event);
  }
}

function malformed(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'event record is not an object';

  const r = record as Record<string, unknown>;
  if (typeof r.href !== 'string' || r.href === '') return 'event without href';
  if (parsePceTime(r.timestamp) === undefined) return `event ${r.href} has an unparseable timestamp ${String(JSON.stringify(r.timestamp)).slice(0, 60)}`;
  return undefined;
}
