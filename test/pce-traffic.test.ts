import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { queryTraffic, type TrafficQueryOptions } from '../src/pce/traffic.js';
import type { TrafficFlow } from '../src/types.js';
import { pceRejection, pceTestBed, T0, type PceTestBed } from './helpers/pce-setup.js';

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function flow(n: number, decision: string, lastMinAgo: number): TrafficFlow {
  return {
    src: { ip: `10.0.9.${n}` },
    dst: { ip: '10.0.0.21', workload: { hostname: 'web01', labels: [{ key: 'env', value: 'prod' }] } },
    service: { port: 445, proto: 6 },
    num_connections: n,
    policy_decision: decision,
    timestamp_range: { first_detected: iso(T0 - (lastMinAgo + 5) * MIN), last_detected: iso(T0 - lastMinAgo * MIN) },
  };
}

// Inside the 10-minute window: 5 blocked, 3 potentially blocked, 4 allowed. Outside: 2 blocked.
const FLOWS = [
  ...[1, 2, 3, 4, 5].map((n) => flow(n, 'blocked', 1)),
  ...[6, 7, 8].map((n) => flow(n, 'potentially_blocked', 2)),
  ...[9, 10, 11, 12].map((n) => flow(n, 'allowed', 3)),
  ...[13, 14].map((n) => flow(n, 'blocked', 120)),
];

function options(overrides: Partial<TrafficQueryOptions> = {}): TrafficQueryOptions {
  return {
    start: T0 - 10 * MIN,
    end: T0,
    policyDecisions: ['blocked', 'potentially_blocked'],
    maxResults: 1000,
    deadlineMs: 60_000,
    queryName: 'illumio-monitor test 1',
    ...overrides,
  };
}


describe('queryTraffic', () => {
  let bed: PceTestBed;
  beforeEach(async () => {
    await bed?.close();
    bed = await pceTestBed();
    bed.sim.addFlows(FLOWS);
  });
  after(() => bed.close());

  it('creates, polls with back-off, downloads JSON and hands over each flow', async () => {
    bed.sim.pollsUntilComplete = 2;
    const seen: TrafficFlow[] = [];
    const progress: string[] = [];
    const result = await queryTraffic(bed.client(), options({ onProgress: (s) => progress.push(s) }), (f) => seen.push(f));

    assert.deepEqual(seen.map((f) => f.num_connections), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(
      { flows: result.flows, matches: result.matchesCount, kept: result.flowsCount, truncated: result.truncated, skipped: result.skipped },
      { flows: 8, matches: 8, kept: 8, truncated: false, skipped: 0 },
    );
    assert.match(result.queryHref, /^\/orgs\/1\/traffic_flows\/async_queries\/[0-9a-f-]{36}$/);
    assert.deepEqual(progress, ['queued', 'working', 'working', 'completed']);
    assert.deepEqual(bed.clock.waits, [1000, 1500, 2250]);

    const post = bed.sim.requestsTo('/traffic_flows/async_queries', 'POST');
    assert.equal(post.length, 1);
    assert.deepEqual(post[0]?.body, {
      query_name: 'illumio-monitor test 1',
      start_date: '2025-03-04T11:50:00.000Z',
      end_date: '2025-03-04T12:00:00.000Z',
      sources_destinations_query_op: 'and',
      sources: { include: [], exclude: [] },
      destinations: { include: [], exclude: [] },
      services: { include: [], exclude: [] },
      policy_decisions: ['blocked', 'potentially_blocked'],
      max_results: 1000,
      exclude_workloads_from_ip_list_query: true,
    });
    const download = bed.sim.requestsTo('/download', 'GET');
    assert.equal(download[0]?.headers.accept, 'application/json');
    assert.equal(bed.sim.requestsTo(result.queryHref, 'DELETE').length, 1, 'the finished query is deleted');
  });

  it('reports a failed query as an error, never as no traffic', async () => {
    bed.sim.queryOutcome = 'failed';
    let called = 0;
    const err = await pceRejection(queryTraffic(bed.client(), options(), () => called++));
    assert.equal(err.code, 'PCE_QUERY_FAILED');
    assert.match(err.message, /^PCE traffic query \/orgs\/1\/traffic_flows\/async_queries\/\S+ ended failed$/);
    assert.equal(called, 0);
  });

  it('reports a query the PCE cancelled', async () => {
    bed.sim.queryOutcome = 'cancelled';
    const err = await pceRejection(queryTraffic(bed.client(), options(), () => undefined));
    assert.equal(err.code, 'PCE_QUERY_CANCELLED');
  });

  it('cancels a query that never finishes once the deadline passes', async () => {
    bed.sim.queryOutcome = 'never';
    const err = await pceRejection(queryTraffic(bed.client(), options({ deadlineMs: 30_000 }), () => undefined));

    assert.equal(err.code, 'PCE_QUERY_TIMEOUT');
    assert.equal(bed.clock.waits.reduce((a, b) => a + b, 0), 30_000, 'waited exactly up to the deadline');
    assert.ok(Math.max(...bed.clock.waits) <= 10_000, 'polls at most 10 s apart');
    const [query] = [...bed.sim.queries.values()];
    assert.equal(bed.sim.requestsTo(query?.href ?? '?', 'PUT').length, 1);
    assert.equal(query?.status, 'cancel_requested');
  });

  it('submits once more when the download answers 410', async () => {
    bed.sim.downloadGoneOnce = true;
    const seen: TrafficFlow[] = [];
    const result = await queryTraffic(bed.client(), options(), (f) => seen.push(f));

    assert.equal(seen.length, 8);
    const posts = bed.sim.requestsTo('/traffic_flows/async_queries', 'POST');
    assert.deepEqual(posts.map((p) => (p.body as { query_name: string }).query_name), [
      'illumio-monitor test 1',
      'illumio-monitor test 1 (resubmitted)',
    ]);
    const downloads = bed.sim.requestsTo('/download').map((r) => r.path);
    assert.equal(downloads.length, 2);
    assert.equal(downloads[1], `/api/v2${result.queryHref}/download`, 'the result comes from the new query');
  });

  it('marks a result the PCE cut short as truncated', async () => {
    bed.sim.truncateTo = 3;
    const seen: TrafficFlow[] = [];
    const result = await queryTraffic(bed.client(), options(), (f) => seen.push(f));
    assert.deepEqual({ flows: result.flows, matches: result.matchesCount, kept: result.flowsCount, truncated: result.truncated }, {
      flows: 3,
      matches: 8,
      kept: 3,
      truncated: true,
    });
  });

  it('cuts at max_results and says so', async () => {
    const result = await queryTraffic(bed.client(), options({ maxResults: 2 }), () => undefined);
    assert.deepEqual([result.flows, result.matchesCount, result.truncated], [2, 8, true]);
  });

  it('accepts a gzip-compressed download', async () => {
    bed.sim.gzip = true;
    const seen: TrafficFlow[] = [];
    await queryTraffic(bed.client(), options({ policyDecisions: ['allowed'] }), (f) => seen.push(f));
    assert.deepEqual(seen.map((f) => f.num_connections), [9, 10, 11, 12]);
    assert.equal(bed.sim.requestsTo('/download')[0]?.encoding, 'gzip');
  });

  it('does not create a second query when the POST answer is lost after it was created', async () => {
    bed.sim.addFault({ method: 'POST', path: /async_queries$/, status: 502, afterHandling: true });
    const seen: TrafficFlow[] = [];
    await queryTraffic(bed.client(), options(), (f) => seen.push(f));

    assert.equal(seen.length, 8);
    assert.equal(bed.sim.requestsTo(/async_queries$/, 'POST').length, 1);
    assert.equal(bed.sim.requestsTo(/async_queries$/, 'GET').length, 1, 'looked the query up by name');
    assert.equal(bed.sim.queries.size, 0, 'the one query was used and then deleted');
  });

  it('sends the POST again when the lost answer created nothing', async () => {
    bed.sim.addFault({ method: 'POST', path: /async_queries$/, status: 503 });
    await queryTraffic(bed.client(), options(), () => undefined);
    assert.equal(bed.sim.requestsTo(/async_queries$/, 'POST').length, 2);
    assert.equal(bed.sim.requestsTo(/async_queries$/, 'DELETE').length, 0);
    assert.equal(bed.sim.requestsTo(/async_queries\/[0-9a-f-]+$/, 'DELETE').length, 1, 'one query made, one deleted');
  });

  it('skips and counts records that are not flows', async () => {
    const body = JSON.stringify([FLOWS[0], 'junk', null, { src: { ip: '1.2.3.4' }, policy_decision: 'blocked' }, { ...FLOWS[1], dst: 7 }, FLOWS[2]]);
    bed.sim.addFault({ path: /\/download$/, status: 200, body });
    const seen: TrafficFlow[] = [];
    const result = await queryTraffic(bed.client(), options(), (f) => seen.push(f));
    assert.deepEqual([result.flows, result.skipped], [2, 4]);
    assert.deepEqual(seen.map((f) => f.num_connections), [1, 3]);
  });

  it('refuses a download that is CSV, or empty although the PCE counted flows', async () => {
    bed.sim.addFault({ path: /\/download$/, status: 200, body: 'Source IP,Destination IP\n10.0.0.1,10.0.0.2\n' });
    const csv = await pceRejection(queryTraffic(bed.client(), options(), () => undefined));
    assert.equal(csv.code, 'PCE_BAD_RESPONSE');
    assert.match(csv.message, /CSV instead of JSON/);

    bed.sim.addFault({ path: /\/download$/, status: 200, body: '[]' });
    const empty = await pceRejection(queryTraffic(bed.client(), options({ queryName: 'second' }), () => undefined));
    assert.equal(empty.code, 'PCE_EMPTY_DOWNLOAD');
  });
});

describe('PCE simulator traffic API', () => {
  let bed: PceTestBed;
  beforeEach(async () => {
    await bed?.close();
    bed = await pceTestBed();
    bed.sim.addFlows(FLOWS);
    bed.sim.pollsUntilComplete = 0;
  });
  after(() => bed.close());

  const body = (extra: Record<string, unknown> = {}) => ({
    query_name: 'q',
    start_date: iso(T0 - 10 * MIN),
    end_date: iso(T0),
    sources: { include: [], exclude: [] },
    destinations: { include: [], exclude: [] },
    policy_decisions: ['blocked'],
    max_results: 10,
    ...extra,
  });

  it('answers 406 to a nested ip_address and to max_results over 200,000', async () => {
    const client = bed.client();
    const path = '/orgs/1/traffic_flows/async_queries';
    const nested = await pceRejection(client.post(path, body({ sources: { include: [[{ ip_address: { value: '10.0.0.5' } }]], exclude: [] } })));
    assert.equal(nested.status, 406);
    assert.match(nested.message, /ip_address must be a plain string/);
    const tooMany = await pceRejection(client.post(path, body({ max_results: 200_001 })));
    assert.equal(tooMany.status, 406);
    const ok = await client.post(path, body({ sources: { include: [[{ ip_address: '10.0.0.5' }]], exclude: [] } }));
    assert.equal(ok.status, 202);
  });

  it('serves CSV unless JSON is asked for', async () => {
    const client = bed.client();
    const created = client.parseJson<{ href: string }>(await client.post('/orgs/1/traffic_flows/async_queries', body()), 'create');
    await client.get(created.href);
    const csv = await client.get(`${created.href}/download`, { headers: { Accept: 'text/csv' } });
    const lines = csv.body.toString().trim().split('\r\n');
    assert.equal(lines.length, 1 + 5);
    assert.match(lines[0] ?? '', /^Source IP,/);
  });

  it('limits each key to N requests a minute (500 by default) with Retry-After', async () => {
    assert.equal(bed.sim.rateLimit.perMinute, 500);
    bed.sim.rateLimit.perMinute = 20;
    const client = bed.client({}, { retryMaxAttempts: 0 });
    for (let i = 0; i < 20; i++) await client.sendOnce('GET', '/noop');

    const limited = await pceRejection(client.sendOnce('GET', '/noop'));
    assert.equal(limited.status, 429);
    assert.equal(bed.sim.requests.at(-1)?.status, 429);
    bed.clock.advance(3000);
    assert.equal((await client.sendOnce('GET', '/noop')).status, 200);

    // With retries on, the client waits what Retry-After says (3 s for one token at 20/min).
    bed.clock.waits.length = 0;
    await bed.client().getJson('/noop');
    assert.deepEqual(bed.clock.waits, [3000]);
  });
});
