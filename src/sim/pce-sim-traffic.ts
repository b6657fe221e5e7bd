/**
 * Explorer async traffic queries: validate and queue, step through
 * queued -> working -> completed | failed | cancelled as the client polls,
 * and serve the download as CSV or (with Accept: application/json) JSON.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { TrafficFlow } from '../types.js';
import { parsePceTime } from '../util/time.js';
import { json, notFound, pceError, type Reply, type SimRequest } from './pce-sim-http.js';
import { ALL_DECISIONS, type SimQuery, type SimStore } from './pce-sim-store.js';
import { validateQueryBody } from './pce-sim-validate.js';

export function createQuery(store: SimStore, orgId: number, req: SimRequest): Reply {
  const problem = validateQueryBody(req.body);
  if (problem) return pceError(406, 'input_validation_error', `Input validation failed. Details: {${problem}}`);

  const uuid = randomUUID();
  const now = new Date(store.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const query: SimQuery = {
    href: `/orgs/${orgId}/traffic_flows/async_queries/${uuid}`,
    status: 'queued',
    query_parameters: req.body as Record<string, unknown>,
    created_by: { href: '/users/1' },
    created_at: now,
    updated_at: now,
    hidden: { polls: 0, downloads: 0, flows: [], cancelRequested: false },
  };
  store.queries.set(uuid, query);

  return json(202, visible(query), { 'Content-Location': uuid });
}

export function listQueries(store: SimStore): Reply {
  return json(200, [...store.queries.values()].map(visible));
}

export function getQuery(store: SimStore, uuid: string, path: string): Reply {
  const query = store.queries.get(uuid);
  if (!query) return notFound(path);

  query.hidden.polls += 1;
  advance(store, query);
  return json(200, visible(query));
}

export function cancelQuery(store: SimStore, uuid: string, path: string): Reply {
  const query = store.queries.get(uuid);
  if (!query) return notFound(path);

  if (query.status === 'queued' || query.status === 'working') {
    query.hidden.cancelRequested = true;
    setStatus(store, query, 'cancel_requested');
  }
  return { status: 204 };
}

export function deleteQuery(store: SimStore, uuid: string, path: string): Reply {
  return store.queries.delete(uuid) ? { status: 204 } : notFound(path);
}

export function downloadQuery(store: SimStore, uuid: string, req: SimRequest): Reply {
  const query = store.queries.get(uuid);
  if (!query) return notFound(req.path);
  if (query.status !== 'completed') {
    return pceError(400, 'async_query_not_completed', `Query ${uuid} is ${query.status}, not completed`);
  }

  if (store.downloadGoneOnce) {
    store.downloadGoneOnce = false;
    return pceError(410, 'async_query_result_gone', `The results of query ${uuid} are no longer available`);
  }

  query.hidden.downloads += 1;
  const wantsJson = /application\/json/i.test(String(req.headers.accept ?? ''));
  const cutAfterBytes = store.downloadCutAfterBytes;
  if (wantsJson && store.flowSource) return { status: 200, stream: store.flowSource, gzip: store.gzip, cutAfterBytes };
  if (wantsJson && cutAfterBytes !== undefined) {
    const body = Buffer.from(JSON.stringify(query.hidden.flows));
    return { status: 200, stream: { open: () => Readable.from([body]) }, gzip: store.gzip, cutAfterBytes };
  }
  if (wantsJson) return { status: 200, body: query.hidden.flows, gzip: store.gzip };

  return { status: 200, body: toCsv(query.hidden.flows), headers: { 'Content-Type': 'text/csv' }, gzip: store.gzip };
}

/** One poll moves a query along, as the knobs say. */
function advance(store: SimStore, query: SimQuery): void {
  if (['completed', 'failed', 'cancelled'].includes(query.status)) return;

  if (query.hidden.cancelRequested) return setStatus(store, query, 'cancelled');
  if (store.queryOutcome === 'never' || query.hidden.polls <= store.pollsUntilComplete) {
    return setStatus(store, query, 'working');
  }
  if (store.queryOutcome !== 'completed') return setStatus(store, query, store.queryOutcome);

  complete(store, query);
}

function complete(store: SimStore, query: SimQuery): void {
  const p = query.query_parameters;
  const decisions = (p.policy_decisions as string[] | undefined) ?? [];
  const wanted: readonly string[] = decisions.length > 0 ? decisions : ALL_DECISIONS;
  const start = parsePceTime(p.start_date) ?? Number.NEGATIVE_INFINITY;
  const end = parsePceTime(p.end_date) ?? Number.POSITIVE_INFINITY;

  if (store.flowSource) return completeFromSource(store, query, store.flowSource.count);

  const matches = store.flows.filter((f) => wanted.includes(f.policy_decision) && overlaps(f, start, end));
  const cap = Math.min(Number(p.max_results ?? 100_000), store.truncateTo ?? Number.POSITIVE_INFINITY);
  query.hidden.flows = matches.slice(0, cap);
  query.matches_count = matches.length;
  query.flows_count = query.hidden.flows.length;
  query.result = `${query.href}/download`;
  setStatus(store, query, 'completed');
}

function completeFromSource(store: SimStore, query: SimQuery, count: number): void {
  query.matches_count = count;
  query.flows_count = count;
  query.result = `${query.href}/download`;
  setStatus(store, query, 'completed');
}

function overlaps(flow: TrafficFlow, start: number, end: number): boolean {
  const first = parsePceTime(flow.timestamp_range?.first_detected) ?? Number.NEGATIVE_INFINITY;
  const last = parsePceTime(flow.timestamp_range?.last_detected) ?? first;
  return first <= end && last >= start;
}

function setStatus(store: SimStore, query: SimQuery, status: string): void {
  query.status = status;
  query.updated_at = new Date(store.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function visible(query: SimQuery): Omit<SimQuery, 'hidden'> {
  const { hidden: _hidden, ...rest } = query;
  return rest;
}

const CSV_COLUMNS = [
  'Source IP', 'Source Hostname', 'Destination IP', 'Destination Hostname', 'Port', 'Protocol',
  'Policy Decision', 'Num Flows', 'First Detected', 'Last Detected',
];

function toCsv(flows: TrafficFlow[]): string {
  const rows = flows.map((f) => [
    f.src?.ip, f.src?.workload?.hostname, f.dst?.ip, f.dst?.workload?.hostname, f.service?.port,
    f.service?.proto, f.policy_decision, f.num_connections,
    f.timestamp_range?.first_detected, f.timestamp_range?.last_detected,
  ]);
  return [CSV_COLUMNS, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
