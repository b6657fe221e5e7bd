/**
 * An event alert's talkers and raw samples describe its whole window, not
 * only the run that fired it: kept per minute and source in the rule state,
 * pruned with the window, capped, and bounded however long the tool runs.
 * Expected values are worked out here from the events each test made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventAggregator } from '../src/rules/aggregate.js';
import { evaluate, type Evaluation } from '../src/rules/evaluate.js';
import { TALKER_ENTRIES_MAX } from '../src/rules/window-detail.js';
import { compactState } from '../src/state/compact.js';
import { emptyState } from '../src/state/store.js';
import { stateProblem } from '../src/state/validate.js';
import type { EventRule, PceEvent, Rule, StateFile } from '../src/types.js';
import { T0, ev, eventRule, trafficRule } from './helpers/engine-records.js';

const MIN = 60_000;

function byHost(at: number, host: string): PceEvent {
  return ev('agent.tampering', at, { created_by: { agent: { hostname: host } } });
}

/** One run: aggregate with the run's clock (as collect does), evaluate, compact. */
function run(rules: Rule[], state: StateFile, now: number, events: PceEvent[]): Evaluation {
  const agg = new EventAggregator(rules.filter((r): r is EventRule => r.type === 'event'), { csvMaxRows: 100, now });
  for (const e of events) agg.add(e);
  const e = evaluate({ rules, state, now, events: agg.results(), traffic: undefined, health: undefined });
  return { ...e, state: compactState(e.state, rules, now, 5 * MIN) };
}

/** The documented window: an event counts while any part of its minute is inside. */
function inWindow(e: PceEvent, now: number, windowMinutes: number): boolean {
  const t = Date.parse(e.timestamp);
  return Math.floor(t / MIN) * MIN + MIN > now - windowMinutes * MIN;
}

function hostOf(e: PceEvent): string {
  return String((e.created_by as { agent: { hostname: string } }).agent.hostname);
}

/** Top 5 hosts of the events, by count, ties by name. */
function expectedTalkers(events: PceEvent[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(hostOf(e), (counts.get(hostOf(e)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
}

test('a trickle from 3 hosts over 5 runs fires at the fifth with count 5, talkers summing to 5 and the 2 oldest samples', () => {
  const rule = eventRule({ threshold: 5, windowMinutes: 10, cooldownMinutes: 30 });
  const hosts = ['app01', 'db02', 'web03', 'db02', 'app01'];
  const sent: PceEvent[] = [];
  let state = emptyState();

  for (let i = 0; i < hosts.length; i++) {
    const now = T0 + (i + 1) * 2 * MIN;
    const e = byHost(now - 30_000, hosts[i]!);
    sent.push(e);
    const r = run([rule], state, now, [e]);
    state = r.state;

    const window = sent.filter((s) => inWindow(s, now, 10));
    if (window.length < 5) {
      assert.deepEqual(r.alerts, [], `run ${i + 1}: ${window.length} in the window`);
      continue;
    }
    assert.equal(i + 1, 5, 'fires at the fifth run');
    const a = r.alerts[0];
    assert.ok(a);
    assert.equal(a.count, 5);
    assert.deepEqual(a.topTalkers.map((t) => [t.label, t.count]), expectedTalkers(window));
    assert.deepEqual(a.topTalkers.map((t) => [t.label, t.count]), [['app01', 2], ['db02', 2], ['web03', 1]]);
    assert.equal(a.topTalkers.reduce((s, t) => s + t.count, 0), a.count, 'the talker table sums to the count');
    assert.deepEqual(a.samples.map((s) => (s as PceEvent).href), [sent[0]!.href, sent[1]!.href]);
    // The CSV stays this run's: one record, of 5 counted.
    assert.deepEqual(a.records, [e]);
    assert.equal(a.recordsMatched, 1);
  }
});

test('talkers and samples of events that left the window are gone; a sample is replaced from the newest run', () => {
  const rule = eventRule({ threshold: 1, windowMinutes: 10, cooldownMinutes: 0 });
  // Run 1 reads three old events; runs 2 and 3 one each.
  const first = [byHost(T0 - 9 * MIN, 'old01'), byHost(T0 - 8 * MIN, 'old02'), byHost(T0 - 7 * MIN, 'old03')];
  const r1 = run([rule], emptyState(), T0, first);
  assert.deepEqual(r1.state.rules.ev?.samples?.map((s) => s.href), [first[0]!.href, first[1]!.href]);

  const second = byHost(T0 + 1 * MIN, 'new01');
  const r2 = run([rule], r1.state, T0 + 2 * MIN, [second]);
  // Window from T0 - 8 min: old01 has left, old02's minute is still inside.
  assert.equal(r2.alerts[0]?.count, 3);
  assert.deepEqual(r2.alerts[0]?.topTalkers.map((t) => [t.label, t.count]), [['new01', 1], ['old02', 1], ['old03', 1]]);
  // old03 is older than new01 and still inside, but raw events are not kept past the 2 samples.
  assert.deepEqual(r2.alerts[0]?.samples.map((s) => (s as PceEvent).href), [first[1]!.href, second.href]);

  const third = byHost(T0 + 6 * MIN, 'new02');
  const r3 = run([rule], r2.state, T0 + 6 * MIN + 30_000, [third]);
  // Window from T0 - 3.5 min: every old event has left.
  assert.equal(r3.alerts[0]?.count, 2);
  assert.deepEqual(r3.alerts[0]?.topTalkers.map((t) => [t.label, t.count]), [['new01', 1], ['new02', 1]]);
  assert.deepEqual(r3.alerts[0]?.samples.map((s) => (s as PceEvent).href), [second.href, third.href]);
  assert.deepEqual(r3.state.rules.ev?.talkers, [
    [T0 + 1 * MIN, 'new01', 1],
    [T0 + 6 * MIN, 'new02', 1],
  ]);
});

test('the talker history keeps at most 500 entries, dropping the oldest; later tables may then under-count', () => {
  const rule = eventRule({ threshold: 1, windowMinutes: 60, cooldownMinutes: 0 });
  const name = (p: string, i: number) => `${p}${String(i).padStart(3, '0')}`;
  // Minute 1: 'hot' ten times and 399 one-off hosts; minute 2: 200 more.
  const m1 = [...Array.from({ length: 10 }, () => byHost(T0 + 10_000, 'hot')), ...Array.from({ length: 399 }, (_, i) => byHost(T0 + 20_000, name('h', i)))];
  const m2 = Array.from({ length: 200 }, (_, i) => byHost(T0 + MIN + 10_000, name('n', i)));

  const r1 = run([rule], emptyState(), T0 + MIN, m1);
  assert.equal(r1.state.rules.ev?.talkers?.length, 400);

  const r2 = run([rule], r1.state, T0 + 2 * MIN, m2);
  // The run that crosses the cap still shows exact talkers.
  assert.equal(r2.alerts[0]?.count, 609);
  assert.deepEqual(r2.alerts[0]?.topTalkers[0], { label: 'hot', src: 'hot', count: 10 });
  const kept = r2.state.rules.ev?.talkers ?? [];
  assert.equal(kept.length, TALKER_ENTRIES_MAX);
  // Oldest minute first, then by source: h000..h099 go; hot sorts after every h-name and stays.
  const dropped = Array.from({ length: 100 }, (_, i) => name('h', i));
  assert.deepEqual(kept[0], [T0, name('h', 100), 1]);
  assert.ok(kept.every(([, s]) => !dropped.includes(s)));
  assert.deepEqual(kept.find(([, s]) => s === 'hot'), [T0, 'hot', 10]);

  // A later alert counts all 610, but its talkers come from 510 (100 dropped);
  // its new entry pushes one more of the oldest out (h100).
  const r3 = run([rule], r2.state, T0 + 3 * MIN, [byHost(T0 + 2 * MIN + 5000, 'hot')]);
  assert.equal(r3.alerts[0]?.count, 610);
  assert.deepEqual(r3.alerts[0]?.topTalkers[0], { label: 'hot', src: 'hot', count: 11 });
  const after = r3.state.rules.ev?.talkers ?? [];
  assert.equal(after.length, TALKER_ENTRIES_MAX);
  assert.deepEqual(after[0], [T0, name('h', 101), 1]);
  assert.equal(after.reduce((s, [, , n]) => s + n, 0), 610 - 101);
});

test('200 runs with many distinct sources: the state stays under a fixed bound', () => {
  const rules: Rule[] = [eventRule({ threshold: 10_000, windowMinutes: 60, cooldownMinutes: 0 }), trafficRule()];
  const long = `${'x'.repeat(5000)}.example.com`;
  let state = emptyState();
  let largestEvent = 0;
  let longestSource = 0;

  for (let run_ = 1; run_ <= 200; run_++) {
    const now = T0 + run_ * MIN;
    // 40 hosts never seen before, and a hostile 5,000-character host name.
    const events = Array.from({ length: 40 }, (_, i) => byHost(now - 1000 - i * 100, `host-${run_}-${i}.example.com`));
    events.push(byHost(now - 500, long));
    for (const e of events) largestEvent = Math.max(largestEvent, JSON.stringify(e).length);
    longestSource = Math.max(longestSource, ...events.slice(0, 40).map((e) => hostOf(e).length));

    state = run(rules, state, now, events).state;
    const ev = state.rules.ev;
    assert.ok((ev?.talkers?.length ?? 0) <= TALKER_ENTRIES_MAX, `run ${run_}: ${ev?.talkers?.length} talker entries`);
    assert.ok((ev?.samples?.length ?? 0) <= 2);
    assert.ok((ev?.buckets.length ?? 0) <= 61);
    assert.equal(stateProblem(state), undefined);
  }

  // The long name is cut to 200 characters, so it is one source, not 200.
  const sources = new Set(state.rules.ev?.talkers?.map(([, s]) => s));
  const cut = [...sources].filter((s) => s.startsWith('xxx'));
  assert.deepEqual(cut.map((s) => s.length), [200]);

  // Bound: 500 entries of the longest kind, 2 raw events, 61 buckets, and room for the rest.
  const entry = JSON.stringify([T0, 'x'.repeat(Math.max(200, longestSource)), 999_999]).length + 1;
  const bucket = JSON.stringify([T0, 999_999]).length + 1;
  const bound = TALKER_ENTRIES_MAX * entry + 2 * (largestEvent + 1) + 61 * bucket + 1000;
  const size = JSON.stringify(state).length;
  assert.ok(size <= bound, `state is ${size} bytes, bound ${bound}`);
  // The long event itself is 5 kB; a kept sample is one of the two oldest, never the 5 kB one.
  assert.ok(state.rules.ev?.samples?.every((s) => !JSON.stringify(s).includes(long)));
});

test('compaction prunes talkers and samples with the window and drops them for removed or changed rules', () => {
  const rule = eventRule({ threshold: 1, windowMinutes: 10 });
  const events = [byHost(T0 - 9 * MIN, 'a'), byHost(T0 - 2 * MIN, 'b'), byHost(T0 - MIN, 'c')];
  const { state } = run([rule], emptyState(), T0, events);
  assert.equal(state.rules.ev?.talkers?.length, 3);

  const later = compactState(state, [rule], T0 + 5 * MIN, 5 * MIN);
  assert.deepEqual(later.rules.ev?.talkers, [[T0 - 2 * MIN, 'b', 1], [T0 - MIN, 'c', 1]]);
  assert.deepEqual(later.rules.ev?.samples?.map((s) => s.href), [events[1]!.href]);

  assert.equal(compactState(state, [], T0, 5 * MIN).rules.ev, undefined, 'removed rule');
  const changed = compactState(state, [trafficRule({ id: 'ev' })], T0, 5 * MIN).rules.ev;
  assert.ok(changed);
  assert.equal('talkers' in changed || 'samples' in changed, false, 'an event rule turned traffic keeps no talkers');

  const gone = compactState(state, [rule], T0 + 60 * MIN, 5 * MIN).rules.ev;
  assert.equal(gone?.talkers, undefined);
  assert.equal(gone?.samples, undefined);
});

test('the state check accepts talkers and samples and names a malformed one by path', () => {
  const good: StateFile = {
    ...emptyState(),
    rules: { ev: { buckets: [[T0, 1]], newSinceAlert: 1, talkers: [[T0, 'app01', 1]], samples: [byHost(T0, 'app01')] } },
  };
  assert.equal(stateProblem(good), undefined);

  const bad = (rule: Record<string, unknown>) => stateProblem({ ...emptyState(), rules: { ev: { buckets: [], newSinceAlert: 0, ...rule } } });
  assert.equal(bad({ talkers: [[T0, 'a', 1], [T0, 5, 1]] }), '/rules/ev/talkers/1: not a [time, source, count] triple');
  assert.equal(bad({ talkers: {} }), '/rules/ev/talkers: not a list');
  assert.equal(bad({ samples: [{ href: '/orgs/1/events/1' }] }), '/rules/ev/samples/0: not an event with href and timestamp');
});

test('one source function serves the talker table and the CSV column', async () => {
  const { eventSource, eventSourceOf } = await import('../src/rules/talkers.js');
  const { recordColumns } = await import('../src/alert/records.js');
  const column = recordColumns('event').find((c) => c.name === 'source');
  assert.ok(column);

  const cases: [PceEvent, string | undefined][] = [
    [byHost(T0, 'app01'), 'app01'],
    [ev('x', T0, { created_by: { service_account: { name: 'svc-backup' } } }), 'svc-backup'],
    [ev('x', T0, { action: { src_ip: 'FILTERED' }, notifications: [{ info: { src_ip: '10.9.9.9' } }] }), '10.9.9.9'],
    [ev('x', T0, { action: { src_ip: 'FILTERED' } }), undefined],
  ];
  for (const [e, want] of cases) {
    assert.equal(eventSourceOf(e), want);
    assert.equal(column.get(e), want);
    assert.equal(eventSource(e), want ?? 'system');
  }
});
