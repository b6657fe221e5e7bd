/**
 * Reading the fields people look for out of raw PCE records (events and
 * traffic flows), tolerating missing or null parts: a record the PCE sent
 * half-filled still gets a row, with empty cells where data is absent.
 */
import { eventSourceOf } from '../rules/event-source.js';
import type { Rule } from '../types.js';

export interface Column {
  name: string;
  get(record: unknown): string | number | undefined;
}

/** Follow a path of keys through unknown JSON; undefined when any step is missing. */
export function pick(record: unknown, ...keys: (string | number)[]): unknown {
  let node: unknown = record;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function text(value: unknown): string | number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function labels(record: unknown, side: 'src' | 'dst'): string {
  const list = pick(record, side, 'workload', 'labels');
  if (!Array.isArray(list)) return '';
  return list
    .map((l) => `${String(pick(l, 'key') ?? '')}=${String(pick(l, 'value') ?? '')}`)
    .join(', ');
}

function suppliedUser(record: unknown): unknown {
  const notes = pick(record, 'notifications');
  if (!Array.isArray(notes)) return undefined;
  for (const note of notes) {
    const name = pick(note, 'info', 'associated_user', 'supplied_username');
    if (typeof name === 'string') return name;
  }
  return undefined;
}

const FLOW_COLUMNS: Column[] = [
  { name: 'first_detected', get: (r) => text(pick(r, 'timestamp_range', 'first_detected')) },
  { name: 'last_detected', get: (r) => text(pick(r, 'timestamp_range', 'last_detected')) },
  { name: 'policy_decision', get: (r) => text(pick(r, 'policy_decision')) },
  { name: 'src_ip', get: (r) => text(pick(r, 'src', 'ip')) },
  { name: 'src_hostname', get: (r) => text(pick(r, 'src', 'workload', 'hostname')) },
  { name: 'src_labels', get: (r) => labels(r, 'src') },
  { name: 'dst_ip', get: (r) => text(pick(r, 'dst', 'ip')) },
  { name: 'dst_hostname', get: (r) => text(pick(r, 'dst', 'workload', 'hostname')) },
  { name: 'dst_labels', get: (r) => labels(r, 'dst') },
  { name: 'port', get: (r) => text(pick(r, 'service', 'port')) },
  { name: 'proto', get: (r) => text(pick(r, 'service', 'proto')) },
  { name: 'process_name', get: (r) => text(pick(r, 'service', 'process_name')) },
  { name: 'num_connections', get: (r) => text(pick(r, 'num_connections')) },
];

const EVENT_COLUMNS: Column[] = [
  { name: 'timestamp', get: (r) => text(pick(r, 'timestamp')) },
  { name: 'event_type', get: (r) => text(pick(r, 'event_type')) },
  { name: 'status', get: (r) => text(pick(r, 'status')) },
  { name: 'severity', get: (r) => text(pick(r, 'severity')) },
  // The same source the talker table names (empty where it would say `system`).
  { name: 'source', get: (r) => eventSourceOf(r) },
  { name: 'src_ip', get: (r) => text(pick(r, 'action', 'src_ip')) },
  { name: 'api_endpoint', get: (r) => text(pick(r, 'action', 'api_endpoint')) },
  { name: 'http_status_code', get: (r) => text(pick(r, 'action', 'http_status_code')) },
  { name: 'supplied_username', get: (r) => text(suppliedUser(r)) },
  { name: 'pce_fqdn', get: (r) => text(pick(r, 'pce_fqdn')) },
  { name: 'href', get: (r) => text(pick(r, 'href')) },
];

const GENERIC_COLUMNS: Column[] = [{ name: 'record', get: (r) => text(r) }];

export function recordColumns(type: Rule['type']): Column[] {
  if (type === 'traffic') return FLOW_COLUMNS;
  if (type === 'event') return EVENT_COLUMNS;
  return GENERIC_COLUMNS;
}

/** A record already reduced to its CSV cells (see csvRow). */
export interface CsvRow {
  readonly csvCells: (string | number | undefined)[];
}

export function isCsvRow(record: unknown): record is CsvRow {
  return typeof record === 'object' && record !== null && Array.isArray((record as Partial<CsvRow>).csvCells);
}

/** The CSV cells of one record: what an alert keeps of each matched flow, a few hundred bytes instead of the whole flow. */
export function csvRow(type: Rule['type'], record: unknown): CsvRow {
  return { csvCells: recordColumns(type).map((c) => c.get(record)) };
}
