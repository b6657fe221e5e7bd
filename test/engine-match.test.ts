import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../src/errors.js';
import { compileEventRule } from '../src/rules/match-event.js';
import { compileTrafficRule, FlowView, protoNumber } from '../src/rules/match-traffic.js';
import { TrafficAggregator } from '../src/rules/aggregate.js';
import type { TrafficFlow, TrafficRule } from '../src/types.js';
import { T0, ev, eventRule, fl, isoSeconds, trafficRule } from './helpers/engine-records.js';

const MIN = 60_000;

function matches(rule: TrafficRule, flow: TrafficFlow, now = T0): boolean {
  return compileTrafficRule(rule, now).matches(new FlowView(flow, now));
}

test('event types: exact names and globs', () => {
  const glob = compileEventRule(eventRule({ eventTypes: ['agent.*', 'user.sign_in'] }));
  const cases: [string, boolean][] = [
    ['agent.tampering', true],
    ['agent.clone_detected', true],
    ['agents.unpair', false],
    ['user.sign_in', true],
    ['user.sign_in_x', false],
    ['system_task.agent_offline_check', false],
  ];
  for (const [type, expected] of cases) assert.equal(glob.matches(ev(type, T0)), expected, type);

  const exact = compileEventRule(eventRule({ eventTypes: ['request.authentication_failed'] }));
  assert.equal(exact.matches(ev('request.authentication_failed', T0)), true);
  assert.equal(exact.matches(ev('request.authentication', T0)), false);
});

test('event status and PCE severity filters', () => {
  const rule = compileEventRule(eventRule({ eventTypes: ['user.*'], status: 'failure', pceSeverities: ['warning', 'err'] }));
  assert.equal(rule.matches(ev('user.sign_in', T0, { status: 'failure', severity: 'err' })), true);
  assert.equal(rule.matches(ev('user.sign_in', T0, { status: 'success', severity: 'err' })), false);
  assert.equal(rule.matches(ev('user.sign_in', T0, { status: 'failure', severity: 'info' })), false);
  assert.equal(rule.matches(ev('user.sign_in', T0, { status: null, severity: 'err' })), false);

  const any = compileEventRule(eventRule({ eventTypes: ['user.*'] }));
  assert.equal(any.matches(ev('user.sign_in', T0, { status: null, severity: undefined })), true);
});

test('port is read from service.port, never from a top-level port', () => {
  const flow = { ...fl({ src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, port: 22 }), port: 445 };
  assert.equal(matches(trafficRule({ port: 445 }), flow), false);
  assert.equal(matches(trafficRule({ port: 22 }), flow), true);
  const noService = { ...flow, service: undefined } as unknown as TrafficFlow;
  assert.equal(matches(trafficRule({ port: 22 }), noService), false);
});

test('proto by name or IANA number', () => {
  assert.equal(protoNumber('tcp'), 6);
  assert.equal(protoNumber('UDP'), 17);
  assert.equal(protoNumber('icmp'), 1);
  assert.equal(protoNumber('47'), 47);
  assert.equal(protoNumber(300), undefined);
  assert.equal(protoNumber('sctp-ish'), undefined);

  const tcp = fl({ src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, port: 53, proto: 6 });
  const udp = fl({ src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, port: 53, proto: 17 });
  assert.equal(matches(trafficRule({ proto: 'tcp' }), tcp), true);
  assert.equal(matches(trafficRule({ proto: 'tcp' }), udp), false);
  assert.equal(matches(trafficRule({ proto: 17 }), udp), true);
  assert.equal(matches(trafficRule({ proto: '17' }), tcp), false);

  assert.throws(() => compileTrafficRule(trafficRule({ id: 'bad', proto: 'tcpx' }), T0), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.exitCode, 2);
    assert.deepEqual(err.problems.map((p) => p.path), ['/proto']);
    return true;
  });
});

test('labels: every listed label must be on the workload', () => {
  const rule = trafficRule({ srcLabels: ['env=E-PROD', 'role=R-WEB'], dstLabels: ['app = A-BILLING'] });
  const both = { env: 'E-PROD', role: 'R-WEB', loc: 'L-DC1' };
  const db = { app: 'A-BILLING' };
  assert.equal(matches(rule, fl({ src: { ip: '10.0.0.1', labels: both }, dst: { ip: '10.0.0.2', labels: db } })), true);
  assert.equal(matches(rule, fl({ src: { ip: '10.0.0.1', labels: { env: 'E-PROD' } }, dst: { ip: '10.0.0.2', labels: db } })), false);
  assert.equal(matches(rule, fl({ src: { ip: '10.0.0.1', labels: both }, dst: { ip: '10.0.0.2' } })), false);
  assert.equal(matches(rule, fl({ src: { ip: '10.0.0.1', labels: { env: 'E-DEV', role: 'R-WEB' } }, dst: { ip: '10.0.0.2', labels: db } })), false);
});

test('IP filters: addresses and CIDR blocks, IPv4 and IPv6, any may match', () => {
  const v4 = trafficRule({ dstIps: ['10.0.0.0/8', '192.168.1.5'] });
  const to = (ip: string) => fl({ src: { ip: '172.16.0.1' }, dst: { ip } });
  assert.equal(matches(v4, to('10.255.255.255')), true);
  assert.equal(matches(v4, to('10.0.0.0')), true);
  assert.equal(matches(v4, to('11.0.0.0')), false);
  assert.equal(matches(v4, to('9.255.255.255')), false);
  assert.equal(matches(v4, to('192.168.1.5')), true);
  assert.equal(matches(v4, to('192.168.1.6')), false);
  assert.equal(matches(v4, to('::ffff:10.1.2.3')), true, 'IPv4-mapped IPv6');
  assert.equal(matches(v4, to('not-an-ip')), false);

  const v6 = trafficRule({ srcIps: ['2001:db8::/32', 'fe80::1'] });
  const from = (ip: string) => fl({ src: { ip }, dst: { ip: '10.0.0.1' } });
  assert.equal(matches(v6, from('2001:db8:ffff::1')), true);
  assert.equal(matches(v6, from('2001:db9::1')), false);
  assert.equal(matches(v6, from('fe80::1')), true);
  assert.equal(matches(v6, from('fe80::2')), false);
  assert.equal(matches(v6, from('10.0.0.1')), false);

  assert.throws(() => compileTrafficRule(trafficRule({ dstIps: ['10.0.0.0/33'] }), T0), ConfigError);
  assert.throws(() => compileTrafficRule(trafficRule({ srcIps: ['prod-net'] }), T0), ConfigError);
});

test('exclude filters: any match leaves the flow out', () => {
  const rule = trafficRule({
    excludePort: 53,
    excludeProto: 'icmp',
    excludeSrcIps: ['10.9.0.0/16'],
    excludeDstLabels: ['role=R-SCANNER', 'env=E-LAB'],
  });
  const base = { src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2', labels: { env: 'E-PROD' } }, port: 445 };
  assert.equal(matches(rule, fl(base)), true);
  assert.equal(matches(rule, fl({ ...base, port: 53 })), false);
  assert.equal(matches(rule, fl({ ...base, proto: 1 })), false);
  assert.equal(matches(rule, fl({ ...base, src: { ip: '10.9.3.4' } })), false);
  assert.equal(matches(rule, fl({ ...base, dst: { ip: '10.0.0.2', labels: { env: 'E-LAB' } } })), false);
  assert.equal(matches(rule, fl({ ...base, dst: { ip: '10.0.0.2', labels: { role: 'R-SCANNER', env: 'E-PROD' } } })), false);
});

test('policy decisions: only the listed ones; an empty list takes all', () => {
  const blocked = fl({ src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, decision: 'blocked' });
  const potential = fl({ src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, decision: 'potentially_blocked' });
  const agg = new TrafficAggregator(
    [
      trafficRule({ id: 'b', policyDecisions: ['blocked'] }),
      trafficRule({ id: 'pb', policyDecisions: ['potentially_blocked'] }),
      trafficRule({ id: 'all', policyDecisions: [] }),
    ],
    { now: T0, csvMaxRows: 10 },
  );
  assert.equal(agg.add(blocked), true);
  assert.equal(agg.add(potential), true);
  const r = agg.results();
  assert.deepEqual([r.get('b')?.matched, r.get('pb')?.matched, r.get('all')?.matched], [1, 1, 2]);
});

test('connections: num_connections summed, 1 where absent or invalid', () => {
  const conns: unknown[] = [5, undefined, 'x', 0, -3, 2.5, 40];
  const expected = conns.reduce<number>((sum, c) => sum + (typeof c === 'number' && Number.isInteger(c) && c >= 1 ? c : 1), 0);
  const agg = new TrafficAggregator([trafficRule()], { now: T0, csvMaxRows: 100 });
  for (const c of conns) agg.add(fl({ src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, conns: c }));

  const m = agg.results().get('tr');
  assert.equal(expected, 5 + 1 + 1 + 1 + 1 + 1 + 40);
  assert.equal(m?.count, expected);
  assert.equal(m?.matched, conns.length);
});

test('window: last_detected at or after the window start counts; no timestamps counts as now', () => {
  const now = T0 + 30 * MIN;
  const start = now - 10 * MIN;
  const at = (last: number | null, conns: number) => fl({ src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, last, conns });
  const flows = [at(start, 1), at(start - 1000, 10), at(now, 100), at(null, 1000), at(start - 3600_000, 10000)];
  const agg = new TrafficAggregator([trafficRule({ windowMinutes: 10 })], { now, csvMaxRows: 100 });
  const taken = flows.map((f) => agg.add(f));

  assert.deepEqual(taken, [true, false, true, true, false]);
  const m = agg.results().get('tr');
  assert.equal(m?.count, 1 + 100 + 1000);
  assert.equal(m?.firstSeen, start);
  assert.equal(m?.lastSeen, now);
  assert.equal(isoSeconds(start), flows[0]?.timestamp_range?.last_detected);
});
