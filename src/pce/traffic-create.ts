/**
 * Creating an Explorer async query exactly once. A POST whose answer was
 * lost (5xx, reset, timeout) may still have created the query, so before
 * any re-send we look for it by its unique query_name.
 */
import { toIsoZ } from '../util/time.js';
import type { PceClient } from './client.js';
import type { TrafficQueryOptions } from './traffic.js';

export interface TrafficQuery {
  href: string;
  status?: string;
  result?: string;
  matches_count?: number;
  flows_count?: number;
  query_name?: string;
  query_parameters?: { query_name?: string };
}

export function queryBody(opts: TrafficQueryOptions, name: string): Record<string, unknown> {
  return {
    query_name: name,
    start_date: toIsoZ(opts.start),
    end_date: toIsoZ(opts.end),
    sources_destinations_query_op: 'and',
    sources: { include: [], exclude: [] },
    destinations: { include: [], exclude: [] },
    services: { include: [], exclude: [] },
    policy_decisions: opts.policyDecisions,
    max_results: opts.maxResults,
    exclude_workloads_from_ip_list_query: true,
  };
}

export async function createQuery(client: PceClient, opts: TrafficQueryOptions, name: string): Promise<TrafficQuery> {
  const path = client.orgPath('/traffic_flows/async_queries');
  const body = queryBody(opts, name);

  return client.withRetry(`POST /api/v2${path}`, async (attempt) => {
    if (attempt > 1) {
      const existing = await findByName(client, path, name);
      if (existing) {
        client.log.debug(`traffic query "${name}" was created although its POST failed; using ${existing.href}`);
        return existing;
      }
    }

    // Any retryable failure here (5xx, reset, timeout) counts as "maybe created".
    const res = await client.sendOnce('POST', path, { json: body });
    return checkQuery(client, client.parseJson<TrafficQuery>(res, `POST /api/v2${path}`), path);
  });
}

async function findByName(client: PceClient, path: string, name: string): Promise<TrafficQuery | undefined> {
  const list = await client.getJson<unknown>(path);
  if (!Array.isArray(list)) return undefined;

  return (list as TrafficQuery[]).find((q) => (q?.query_parameters?.query_name ?? q?.query_name) === name && typeof q.href === 'string');
}

function checkQuery(client: PceClient, query: TrafficQuery, path: string): TrafficQuery {
  if (typeof query?.href !== 'string') throw client.badResponse(`POST /api/v2${path}`, 'a query without href');
  return query;
}
