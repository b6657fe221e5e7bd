import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generatePceData } from '../src/sim/pce-simulator.js';
import type { PceEvent } from '../src/types.js';
import { parsePceTime, toIsoZ } from '../src/util/time.js';
import { pceTestBed, T0, type PceTestBed } from './helpers/pce-setup.js';

const MIN = 60_000;

describe('PCE simulator', () => {
  let bed: PceTestBed;
  let auth: string;
  before(async () => {
    bed = await pceTestBed();
    auth = `Basic ${Buffer.from(`${bed.sim.apiKey}:${bed.sim.apiSecret}`).toString('base64')}`;
    bed.sim.addEvents(
      Array.from({ length: 150 }, (_, i) => ({
        href: `/orgs/1/events/e${i}`,
        timestamp: toIsoZ(T0 - i * MIN),
        event_type: i % 3 === 0 ? 'agent.tampering' : 'user.sign_in',
        status: i % 2 === 0 ? 'failure' : 'success',
        severity: i % 3 === 0 ? 'err' : 'info',
      })),
    );
  });
  after(() => bed.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${bed.sim.url}${path}`, { headers: { Authorization: auth, ...headers } });

  it('returns 100 events by default, newest first, with X-Total-Count and a Date header', async () => {
    const res = await get('/api/v2/orgs/1/events');
    const events = (await res.json()) as PceEvent[];
    assert.equal(res.status, 200);
    assert.equal(events.length, 100);
    assert.equal(res.headers.get('x-total-count'), '150');
    assert.equal(res.headers.get('date'), new Date(T0).toUTCString());
    const times = events.map((e) => parsePceTime(e.timestamp) as number);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    assert.equal(events[0]?.href, '/orgs/1/events/e0');
  });

  it('filters by time (brackets encoded or not), type, status and severity', async () => {
    const gte = toIsoZ(T0 - 9 * MIN);
    const encoded = await get(`/api/v2/orgs/1/events?timestamp%5Bgte%5D=${gte}&max_results=500`);
    const plain = await get(`/api/v2/orgs/1/events?timestamp[gte]=${gte}&max_results=500`);
    assert.equal(((await encoded.json()) as unknown[]).length, 10);
    assert.equal(((await plain.json()) as unknown[]).length, 10);

    const typed = (await (await get('/api/v2/orgs/1/events?event_type=agent.tampering&status=failure&max_results=500')).json()) as PceEvent[];
    assert.equal(typed.length, 25, 'i divisible by 6 in 0..149');
    assert.ok(typed.every((e) => e.event_type === 'agent.tampering' && e.status === 'failure' && e.severity === 'err'));
  });

  it('answers 406 with a JSON error body to max_results over 10000', async () => {
    const res = await get('/api/v2/orgs/1/events?max_results=10001');
    assert.equal(res.status, 406);
    const body = (await res.json()) as { token: string; message: string }[];
    assert.equal(body[0]?.token, 'input_validation_error');
  });

  it('runs an async events collection: 202, job, datafile', async () => {
    const accepted = await get(`/api/v2/orgs/1/events?timestamp[gte]=${toIsoZ(T0 - 119 * MIN)}`, { Prefer: 'respond-async' });
    assert.equal(accepted.status, 202);
    assert.equal(accepted.headers.get('retry-after'), '1');
    const location = accepted.headers.get('location') ?? '';
    assert.match(location, /^\/orgs\/1\/jobs\/[0-9a-f-]{36}$/);

    const running = (await (await get(`/api/v2${location}`)).json()) as { status: string; result: object };
    assert.deepEqual([running.status, running.result], ['running', {}]);
    const done = (await (await get(`/api/v2${location}`)).json()) as { status: string; result: { href: string }; requested_at: string };
    assert.equal(done.status, 'done');
    assert.match(done.requested_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    const all = (await (await get(`/api/v2${done.result.href}`)).json()) as unknown[];
    assert.equal(all.length, 120, 'uncapped: every event from 119 minutes ago on');
  });

  it('scopes by org, knows its paths, and asks for credentials', async () => {
    assert.equal((await get('/api/v2/orgs/2/events')).status, 403);
    assert.equal((await get('/api/v2/orgs/1/nothing')).status, 404);
    assert.equal((await get('/orgs/1/events')).status, 404, 'hrefs are served under /api/v2 only');
    const anonymous = await fetch(`${bed.sim.url}/api/v2/health`);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { token: string }[])[0]?.token, 'authentication_failed');
    assert.equal((await fetch(`${bed.sim.url}/api/v2/node_available`)).status, 200, 'no auth needed');
    const login = (await (await get('/api/v2/users/login')).json()) as { orgs: { org_id: number }[] };
    assert.equal(login.orgs[0]?.org_id, 1);
  });
});

describe('generatePceData', () => {
  const now = Date.UTC(2025, 2, 4, 12, 0, 0);
  const a = generatePceData({ seed: 7, now });

  it('is deterministic for a seed and differs across seeds', () => {
    assert.deepEqual(generatePceData({ seed: 7, now }), a);
    assert.notDeepEqual(generatePceData({ seed: 8, now }).events, a.events);
  });

  it('makes varied events in the sample shapes, inside the span, newest first', () => {
    const types = new Set(a.events.map((e) => e.event_type));
    for (const t of [
      'agent.tampering',
      'system_task.agent_offline_check',
      'system_task.agent_missed_heartbeats_check',
      'request.authentication_failed',
      'user.sign_in',
      'user.login',
      'agent.suspend',
      'agent.clone_detected',
    ]) {
      assert.ok(types.has(t), `has ${t}`);
    }
    for (const e of a.events) {
      const t = parsePceTime(e.timestamp) as number;
      assert.ok(t <= now && t >= now - 60 * MIN);
      assert.match(e.href, /^\/orgs\/1\/(system_)?events\/[0-9a-f-]{36}$/);
      for (const key of ['pce_fqdn', 'created_by', 'status', 'severity', 'version', 'action', 'resource_changes', 'notifications']) {
        assert.ok(key in e, `${e.event_type} has ${key}`);
      }
    }
    assert.equal(new Set(a.events.map((e) => e.href)).size, a.events.length);
    const failedSignIns = a.events.filter((e) => e.event_type === 'user.sign_in' && e.status === 'failure');
    assert.ok(failedSignIns.filter((e) => (parsePceTime(e.timestamp) as number) > now - 10 * MIN).length >= 5, 'a recent burst');
  });

  it('makes flows with labelled workloads, unmanaged IPs, the usual ports and decisions', () => {
    const ports = new Set(a.flows.map((f) => f.service.port));
    for (const p of [22, 445, 3389, 5432, 443, 53]) assert.ok(ports.has(p), `port ${p}`);
    assert.deepEqual(new Set(a.flows.map((f) => f.policy_decision)), new Set(['blocked', 'potentially_blocked', 'allowed']));
    assert.ok(a.flows.some((f) => f.src.workload === undefined));
    const labelled = a.flows.find((f) => f.dst.workload)?.dst.workload?.labels?.map((l) => l.key).sort();
    assert.deepEqual(labelled, ['app', 'env', 'loc', 'role']);
    for (const f of a.flows) {
      assert.match(f.timestamp_range?.last_detected ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok((f.num_connections ?? 0) >= 1);
    }
  });
});
