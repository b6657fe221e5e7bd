/**
 * Events the way the PCE serves them: filtered, newest first, cut at
 * max_results without a word, or collected asynchronously into a job and a
 * datafile when the client says `Prefer: respond-async`.
 */
import { randomUUID } from 'node:crypto';
import type { PceEvent } from '../types.js';
import { parsePceTime } from '../util/time.js';
import { json, notFound, pceError, type Reply, type SimRequest } from './pce-sim-http.js';
import type { SimJob, SimStore } from './pce-sim-store.js';

const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS_LIMIT = 10_000;

export function listEvents(store: SimStore, orgId: number, req: SimRequest): Reply {
  const filter = parseFilter(req.query);
  if (typeof filter === 'string') return pceError(406, 'input_validation_error', filter);

  const matching = store.events
    .filter((e) => store.isIndexed(e) && matchesFilter(store, e, filter))
    .sort((a, b) => (store.eventTime(b) ?? -Infinity) - (store.eventTime(a) ?? -Infinity));

  if (/respond-async/i.test(String(req.headers.prefer ?? ''))) {
    return startJob(store, orgId, `/api/v2/orgs/${orgId}/events`, matching);
  }

  const page = matching.slice(0, filter.maxResults);
  return json(200, page, { 'X-Total-Count': String(matching.length) });
}

export function getEvent(store: SimStore, path: string): Reply {
  const event = store.events.find((e) => e.href === path && store.isIndexed(e));
  return event ? json(200, event) : notFound(path);
}

export function getJob(store: SimStore, orgId: number, uuid: string, path: string): Reply {
  const job = store.jobs.get(uuid);
  if (!job) return notFound(path);

  job.hidden.polls += 1;
  if (job.status !== 'done' && job.hidden.polls > store.jobPollsUntilDone) {
    const fileId = randomUUID();
    store.datafiles.set(fileId, job.hidden.data);
    job.status = 'done';
    job.result = { href: `/orgs/${orgId}/datafiles/${fileId}` };
    job.terminated_at = jobTime(store.now());
  } else if (job.status === 'pending') {
    job.status = 'running';
  }

  const { hidden: _hidden, ...visible } = job;
  return json(200, visible);
}

export function getDatafile(store: SimStore, uuid: string, path: string): Reply {
  const data = store.datafiles.get(uuid);
  return data ? json(200, data) : notFound(path);
}

interface EventFilter {
  maxResults: number;
  gte: number | undefined;
  lte: number | undefined;
  eventTypes: string[];
  severity: string | null;
  status: string | null;
}

/** The filter, or a validation message for a 406. */
function parseFilter(q: URLSearchParams): EventFilter | string {
  const rawMax = q.get('max_results');
  const maxResults = rawMax === null ? DEFAULT_MAX_RESULTS : Number(rawMax);
  if (!Number.isInteger(maxResults) || maxResults < 1) return `max_results must be a positive integer, got ${rawMax}`;
  if (maxResults > MAX_RESULTS_LIMIT) return `max_results must be at most ${MAX_RESULTS_LIMIT}, got ${maxResults}`;

  const gte = timeParam(q, 'timestamp[gte]');
  const lte = timeParam(q, 'timestamp[lte]');
  if (gte === null || lte === null) return 'timestamp[gte] and timestamp[lte] must be RFC 3339 times';

  const eventTypes = [...q.getAll('event_type'), ...q.getAll('event_type[eq][]')];
  return { maxResults, gte, lte, eventTypes, severity: q.get('severity'), status: q.get('status') };
}

/** undefined when absent, null when present but not a time. */
function timeParam(q: URLSearchParams, name: string): number | undefined | null {
  const raw = q.get(name);
  if (raw === null) return undefined;
  return parsePceTime(raw) ?? null;
}

function matchesFilter(store: SimStore, e: PceEvent, f: EventFilter): boolean {
  const t = store.eventTime(e);
  if (t === undefined) return true;
  if (f.gte !== undefined && t < f.gte) return false;
  if (f.lte !== undefined && t > f.lte) return false;
  if (f.eventTypes.length > 0 && !f.eventTypes.includes(e.event_type)) return false;
  if (f.severity !== null && e.severity !== f.severity) return false;
  return f.status === null || e.status === f.status;
}

function startJob(store: SimStore, orgId: number, description: string, data: unknown[]): Reply {
  const uuid = randomUUID();
  const job: SimJob = {
    href: `/orgs/${orgId}/jobs/${uuid}`,
    job_type: ':illumio/async_requests',
    description,
    status: 'pending',
    result: {},
    requested_at: jobTime(store.now()),
    terminated_at: null,
    requested_by: { href: '/users/1' },
    hidden: { polls: 0, data },
  };
  store.jobs.set(uuid, job);

  return { status: 202, headers: { Location: job.href, 'Retry-After': '1' } };
}

/** Job times look like `2016-01-14 23:16:52.303166`: space, microseconds, no zone. */
function jobTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '000');
}
