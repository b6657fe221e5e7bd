/**
 * One Explorer async traffic query: create it (never twice), poll it with
 * back-off until completed, cancel it past the deadline, download the
 * result as JSON (gzip welcome) and hand each flow to onFlow. A failure is
 * always an error, never "no traffic".
 */
import { PceError } from '../errors.js';
import type { PolicyDecision, TrafficFlow } from '../types.js';
import { apiPath, type PceClient } from './client.js';
import { FlowStreamError, JsonArraySplitter } from './flow-stream.js';
import { createQuery, type TrafficQuery } from './traffic-create.js';

export interface TrafficQueryOptions {
  start: number;
  end: number;
  policyDecisions: PolicyDecision[];
  maxResults: number;
  /** How long the query may run (from its creation) before it is cancelled. */
  deadlineMs: number;
  /** Unique per run: it is how a query whose POST answer was lost is found again. */
  queryName: string;
  onProgress?: (status: string, elapsedMs: number) => void;
}

export interface TrafficQueryResult {
  flows: number;
  matchesCount: number;
  flowsCount: number;
  truncated: boolean;
  skipped: number;
  queryHref: string;
}

const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 10_000;

export async function queryTraffic(
  client: PceClient,
  opts: TrafficQueryOptions,
  onFlow: (flow: TrafficFlow) => void,
): Promise<TrafficQueryResult> {
  const started = client.clock.now();
  let query = await runQuery(client, opts, opts.queryName, started);

  let result: DownloadResult;
  try {
    result = await download(client, query, onFlow);
  } catch (err) {
    if (!(err instanceof PceError) || err.status !== 410) throw err;
    // The result expired before we fetched it (no flow was handed over): ask once more, under a new name.
    client.log.debug(`traffic query result ${query.href} is gone (410); submitting it again`);
    query = await runQuery(client, opts, `${opts.queryName} (resubmitted)`, client.clock.now());
    result = await download(client, query, onFlow);
  }
  await forget(client, query);

  const matchesCount = query.matches_count ?? result.flows;
  const flowsCount = query.flows_count ?? result.flows;
  return {
    ...result,
    matchesCount,
    flowsCount,
    truncated: matchesCount > flowsCount,
    queryHref: query.href,
  };
}

async function runQuery(client: PceClient, opts: TrafficQueryOptions, name: string, started: number): Promise<TrafficQuery> {
  const created = await createQuery(client, opts, name);
  opts.onProgress?.(created.status ?? 'queued', client.clock.now() - started);
  return waitForCompletion(client, created, opts, started);
}

async function waitForCompletion(
  client: PceClient,
  created: TrafficQuery,
  opts: TrafficQueryOptions,
  started: number,
): Promise<TrafficQuery> {
  let query = created;
  let wait = FIRST_POLL_MS;

  for (;;) {
    if (query.status === 'completed') return query;
    if (query.status === 'failed' || query.status === 'cancelled' || query.status === 'killed') {
      throw new PceError(`PCE_QUERY_${query.status === 'failed' ? 'FAILED' : 'CANCELLED'}`, `PCE traffic query ${query.href} ended ${query.status}`, {
        hint: 'the PCE could not run the Explorer query; try again, or shorten the traffic rule windows',
      });
    }

    const elapsed = client.clock.now() - started;
    if (elapsed >= opts.deadlineMs) return cancelAndFail(client, query, elapsed);

    await client.clock.sleep(Math.min(wait, opts.deadlineMs - elapsed));
    wait = Math.min(wait * 1.5, MAX_POLL_MS);
    query = await client.getJson<TrafficQuery>(query.href);
    opts.onProgress?.(query.status ?? 'unknown', client.clock.now() - started);
  }
}

async function cancelAndFail(client: PceClient, query: TrafficQuery, elapsed: number): Promise<never> {
  try {
    await client.put(query.href, {});
  } catch (err) {
    client.log.debug(`cancelling traffic query ${query.href} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  throw new PceError('PCE_QUERY_TIMEOUT', `PCE traffic query ${query.href} still ${query.status ?? 'running'} after ${Math.round(elapsed / 1000)} s; cancelled it`, {
    hint: 'the PCE is busy; raise monitor.trafficQueryDeadlineSeconds or shorten the traffic rule windows',
  });
}

interface DownloadResult {
  flows: number;
  skipped: number;
}

/**
 * Stream the JSON result into onFlow, one call per valid record, as the
 * bytes arrive. A body that is cut short or not a list throws: the caller
 * must treat the flows it was handed as no result at all.
 */
async function download(client: PceClient, query: TrafficQuery, onFlow: (flow: TrafficFlow) => void): Promise<DownloadResult> {
  const href = query.result ?? `${query.href}/download`;
  const res = await client.getStream(href, { headers: { Accept: 'application/json', 'Accept-Encoding': 'gzip' } });

  const result: DownloadResult = { flows: 0, skipped: 0 };
  const splitter = new JsonArraySplitter((record) => {
    if (!isFlow(record)) {
      result.skipped++;
      return;
    }
    result.flows++;
    onFlow(record);
  });

  let bytes = 0;
  try {
    for await (const chunk of res.chunks) {
      bytes += chunk.length;
      splitter.push(chunk);
    }
    splitter.end();
  } catch (err) {
    throw downloadError(client, href, err, bytes, splitter.count);
  }

  if (splitter.count === 0 && (query.flows_count ?? 0) > 0) {
    throw new PceError('PCE_EMPTY_DOWNLOAD', `PCE traffic query ${query.href} reported ${query.flows_count} flows but the download was empty`, {
      hint: 'a known PCE race right after completion; the next run tries again',
    });
  }
  return result;
}

function downloadError(client: PceClient, href: string, err: unknown, bytes: number, records: number): unknown {
  const what = `GET ${apiPath(href)}`;
  if (err instanceof FlowStreamError) return client.badResponse(what, err.message);
  if (!(err instanceof PceError)) return err;

  // The connection or the gzip stream broke mid-body: what was read is not a result.
  return new PceError('PCE_BAD_RESPONSE', `PCE traffic download ${what} broke off after ${bytes} bytes and ${records} records: ${err.message}`, {
    hint: 'nothing from the partial download was used; the next run tries again',
    cause: err,
  });
}

function isFlow(r: unknown): r is TrafficFlow {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return false;
  const f = r as Record<string, unknown>;
  const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return isObj(f.src) && isObj(f.dst) && typeof f.policy_decision === 'string';
}

/** Delete the finished query so a PCE polled every few minutes does not pile them up. */
async function forget(client: PceClient, query: TrafficQuery): Promise<void> {
  try {
    await client.delete(query.href);
  } catch (err) {
    client.log.debug(`deleting traffic query ${query.href} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
