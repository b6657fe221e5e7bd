import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventAggregator, TrafficAggregator } from '../src/rules/aggregate.js';
import { evaluate, markDelivered, type Evaluation } from '../src/rules/evaluate.js';
import { emptyState } from '../src/state/store.js';
import type { EventRule, PceEvent, PendingMail, Rule, StateFile, TrafficFlow, TrafficRule } from '../src/types.js';
import { T0, ev, eventRule, fl, healthRule, iso, isoSeconds, trafficRule } from './helpers/engine-records.js';

const MIN = 60_000;

function runEvents(rules: Rule[], state: StateFile, now: number, events: PceEvent[]): Evaluation {
  const agg = new EventAggregator(rules.filter((r): r is EventRule => r.type === 'event'), { csvMaxRows: 100 });
  for (const e of events) agg.add(e);
  return evaluate({ rules, state, now, events: agg.results(), traffic: undefined, health: undefined });
}

function runTraffic(rules: Rule[], state: StateFile, now: number, flows: TrafficFlow[]): Evaluation {
  const agg = new TrafficAggregator(rules.filter((r): r is TrafficRule => r.type === 'traffic'), { now, csvMaxRows: 100 });
  for (const f of flows) agg.add(f);
  return evaluate({ rules, state, now, events: new Map(), traffic: agg.results(), health: undefined });
}

/** The documented window: a minute counts when any part of it lies inside. */
function inWindowCount(times: number[], now: number, windowMinutes: number): number {
  const start = now - windowMinutes * MIN;
  return times.filter((t) => Math.floor(t / MIN) * MIN + MIN > start && t <= now).length;
}

test('a steady trickle fires once, at the run where the window first reaches the threshold, with that count', () => {
  const rule = eventRule({ threshold: 5, windowMinutes: 10, cooldownMinutes: 30 });
  let state = emptyState();
  const times: number[] = [];
  const fired: { run: number; count: number }[] = [];
  let expectedRun: number | undefined;

  for (let run = 1; run <= 12; run++) {
    const now = T0 + run * 2 * MIN;
    const at = now - 30_000;
    times.push(at);
    const e = runEvents([rule], state, now, [ev('agent.tampering', at)]);
    state = e.state;

    const expected = inWindowCount(times, now, 10);
    if (expectedRun === undefined && expected >= 5) expectedRun = run;
    for (const a of e.alerts) {
      fired.push({ run, count: a.count });
      state = markDelivered(state, [a.ruleId], now);
    }
    if (run > (expectedRun ?? Infinity)) {
      // One match per run since the alert; once they alone reach the threshold, the cooldown owes them a mail.
      const held = run - expectedRun!;
      const entry = { ruleId: 'ev', reason: 'cooldown', count: expected, ...(held >= 5 ? { held } : {}) };
      assert.deepEqual(e.suppressed, [entry], `run ${run}`);
    }
  }

  assert.equal(expectedRun, 5);
  assert.deepEqual(fired, [{ run: expectedRun, count: inWindowCount(times.slice(0, 5), T0 + 10 * MIN, 10) }]);
});

test('old history alone never fires again; a new match over the threshold does', () => {
  const rule = eventRule({ threshold: 2, windowMinutes: 60, cooldownMinutes: 5 });
  const first = [1, 2, 3].map((k) => ev('agent.tampering', T0 + k * MIN));
  const r1 = runEvents([rule], emptyState(), T0 + 5 * MIN, first);
  assert.deepEqual(r1.alerts.map((a) => a.count), [3]);
  const delivered = markDelivered(r1.state, ['ev'], T0 + 5 * MIN);

  const r2 = runEvents([rule], delivered, T0 + 15 * MIN, []);
  assert.deepEqual(r2.alerts, []);
  assert.deepEqual(r2.suppressed, [{ ruleId: 'ev', reason: 'nothing-new', count: 3 }]);

  const r3 = runEvents([rule], r2.state, T0 + 25 * MIN, [ev('agent.tampering', T0 + 24 * MIN)]);
  assert.deepEqual(r3.alerts.map((a) => a.count), [4]);
  assert.equal(r3.alerts[0]?.lastSeen, iso(T0 + 24 * MIN));
});

test('firing resets newSinceAlert and records the newest match, but the cooldown starts only on delivery', () => {
  const rule = eventRule({ threshold: 1, windowMinutes: 120, cooldownMinutes: 30 });
  const first = ev('agent.tampering', T0 - 10_000);
  const r1 = runEvents([rule], emptyState(), T0, [first]);
  assert.equal(r1.alerts.length, 1);
  assert.deepEqual(r1.state.rules.ev, {
    buckets: [[T0 - MIN, 1]], newSinceAlert: 0, lastAlertedMatchAt: iso(T0 - 10_000),
    // The window's talkers and oldest samples are kept beside the counts.
    talkers: [[T0 - MIN, 'system', 1]], samples: [first],
  });

  // Delivered 20 minutes after it fired: the cooldown runs to T0 + 50 min.
  const delivered = markDelivered(r1.state, ['ev'], T0 + 20 * MIN);
  assert.equal(delivered.rules.ev?.lastAlertAt, iso(T0 + 20 * MIN));

  const r2 = runEvents([rule], delivered, T0 + 40 * MIN, [ev('agent.tampering', T0 + 40 * MIN - 10_000)]);
  assert.deepEqual(r2.alerts, []);
  assert.deepEqual(r2.suppressed, [{ ruleId: 'ev', reason: 'cooldown', count: 2, held: 1 }]);

  const r3 = runEvents([rule], r2.state, T0 + 50 * MIN, [ev('agent.tampering', T0 + 50 * MIN - 10_000)]);
  assert.deepEqual(r3.alerts.map((a) => a.count), [3]);
});

test('a rule whose last alert is still in the outbox does not fire again', () => {
  const rule = eventRule({ threshold: 1 });
  const pending: PendingMail = {
    id: 'm1', createdAt: iso(T0 - MIN), attempts: 1, ruleIds: ['ev', 'other'], raw: 'x', envelope: { from: 'a@b', to: ['c@d'] },
  };
  const state: StateFile = { ...emptyState(), outbox: [pending] };
  const r = runEvents([rule], state, T0, [ev('agent.tampering', T0 - 1000), ev('agent.tampering', T0 - 2000)]);
  assert.deepEqual(r.alerts, []);
  assert.deepEqual(r.suppressed, [{ ruleId: 'ev', reason: 'pending-delivery', count: 2, held: 2 }]);
  assert.equal(r.state.rules.ev?.newSinceAlert, 2, 'kept for when the mail is delivered');
});

test('event window boundaries are exact to the minute, counting a partly covered minute', () => {
  const rule = eventRule({ threshold: 100, windowMinutes: 10 });
  const now = T0 + 30 * MIN;
  const start = now - 10 * MIN;
  const times = [start, start - 1, start - 61_000, now, now - 5 * MIN];
  const r = runEvents([rule], emptyState(), now, times.map((t) => ev('agent.tampering', t)));
  assert.deepEqual(r.suppressed, [{ ruleId: 'ev', reason: 'below-threshold', count: 3 }]);

  // now between minutes: the minute holding the window start counts whole.
  const later = now + 20_000;
  const r2 = runEvents([rule], emptyState(), later, [ev('agent.tampering', later - 10 * MIN - 15_000), ev('agent.tampering', later - 10 * MIN - 21_000)]);
  assert.deepEqual(r2.suppressed, [{ ruleId: 'ev', reason: 'below-threshold', count: 1 }]);
});

test('a late event older than the window cannot fire the rule', () => {
  const r = runEvents([eventRule({ threshold: 1, windowMinutes: 10 })], emptyState(), T0, [ev('agent.tampering', T0 - 2 * 3600_000)]);
  assert.deepEqual(r.alerts, []);
  assert.deepEqual(r.suppressed, []);
  assert.deepEqual(r.state.rules.ev, { buckets: [], newSinceAlert: 0 });
});

test('traffic: fires on connections in the window, then only for flows newer than the last alert', () => {
  const rule = trafficRule({ threshold: 10, windowMinutes: 60, cooldownMinutes: 30, port: 445 });
  const now1 = T0;
  const old = fl({ src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, port: 445, conns: 12, last: now1 - MIN });
  const r1 = runTraffic([rule], emptyState(), now1, [old]);
  assert.deepEqual(r1.alerts.map((a) => a.count), [12]);
  assert.equal(r1.state.rules.tr?.lastAlertedMatchAt, iso(Date.parse(isoSeconds(now1 - MIN))));
  const delivered = markDelivered(r1.state, ['tr'], now1);

  const now2 = now1 + 35 * MIN;
  const r2 = runTraffic([rule], delivered, now2, [old]);
  assert.deepEqual(r2.suppressed, [{ ruleId: 'tr', reason: 'nothing-new', count: 12 }]);

  const fresh = fl({ src: { ip: '10.0.0.3' }, dst: { ip: '10.0.0.2' }, port: 445, conns: 3, last: now2 - MIN });
  const r3 = runTraffic([rule], r2.state, now2, [old, fresh]);
  assert.deepEqual(r3.alerts.map((a) => [a.count, a.firstSeen, a.lastSeen]), [[15, iso(now1 - MIN), iso(now2 - MIN)]]);
  assert.equal(r3.alerts[0]?.samples[0], old);
});

test('traffic rules are not evaluated when traffic was not fetched', () => {
  const rules: Rule[] = [trafficRule(), eventRule({ id: 'e2' })];
  const state: StateFile = { ...emptyState(), rules: { tr: { buckets: [], newSinceAlert: 0, lastAlertedMatchAt: iso(T0) } } };
  const r = evaluate({ rules, state, now: T0, events: new Map(), traffic: undefined, health: undefined });
  assert.equal(r.evaluated, 1);
  assert.deepEqual(r.state.rules.tr, state.rules.tr);
});

test('health: fires on a new problem, stays quiet while it persists, reminds after the cooldown', () => {
  const rule = healthRule({ cooldownMinutes: 30, windowMinutes: 60 });
  const run = (state: StateFile, now: number, health: { ok: boolean; problems: string[] } | undefined) =>
    evaluate({ rules: [rule], state, now, events: new Map(), traffic: undefined, health });

  const down = 'PCE unreachable: connect ECONNREFUSED 127.0.0.1:8443';
  const r1 = run(emptyState(), T0, { ok: false, problems: [down] });
  assert.deepEqual(r1.alerts.map((a) => [a.ruleId, a.details]), [['health', [down]]]);
  let state = markDelivered(r1.state, ['health'], T0);

  // The same subject with other detail is not a new problem.
  const r2 = run(state, T0 + 10 * MIN, { ok: false, problems: ['PCE unreachable: timeout'] });
  assert.deepEqual(r2.alerts, []);
  assert.equal(r2.suppressed[0]?.reason, 'nothing-new');

  const r3 = run(r2.state, T0 + 15 * MIN, { ok: false, problems: ['PCE unreachable: timeout', 'cluster pce2 is warning: disk'] });
  assert.equal(r3.suppressed[0]?.reason, 'cooldown');

  const r4 = run(r3.state, T0 + 31 * MIN, { ok: false, problems: ['PCE unreachable: timeout'] });
  assert.equal(r4.alerts.length, 1, 'reminder after the cooldown');
  state = markDelivered(r4.state, ['health'], T0 + 31 * MIN);

  const r5 = run(state, T0 + 40 * MIN, { ok: true, problems: [] });
  assert.deepEqual([r5.alerts, r5.suppressed], [[], []]);
  assert.equal(r5.state.rules.health?.alertedProblems, undefined);

  assert.equal(run(r5.state, T0 + 40 * MIN, undefined).evaluated, 0, 'not checked: not evaluated');
  const r6 = run(r5.state, T0 + 62 * MIN, { ok: false, problems: [down] });
  assert.equal(r6.alerts.length, 1, 'a problem that came back is new');
});

test('alerts come severity first, then by rule id; disabled rules are skipped; the input state is untouched', () => {
  const rules: Rule[] = [
    eventRule({ id: 'low-1', severity: 'low' }),
    eventRule({ id: 'crit-b', severity: 'critical' }),
    eventRule({ id: 'high-1', severity: 'high' }),
    eventRule({ id: 'crit-a', severity: 'critical' }),
    eventRule({ id: 'off', severity: 'critical', enabled: false }),
  ];
  const state = emptyState();
  const before = structuredClone(state);
  const r = runEvents(rules, state, T0, [ev('agent.tampering', T0 - 1000)]);

  assert.deepEqual(r.alerts.map((a) => a.ruleId), ['crit-a', 'crit-b', 'high-1', 'low-1']);
  assert.equal(r.evaluated, 4);
  assert.equal(r.state.rules.off, undefined);
  assert.deepEqual(state, before);
  assert.notEqual(r.state, state);
});

test('an alert carries the window, the history span, talkers and the first two records', () => {
  const rule = eventRule({ threshold: 3, windowMinutes: 30 });
  const earlier = ev('agent.tampering', T0 - 5 * MIN);
  const r1 = runEvents([rule], emptyState(), T0, [earlier]);
  const events = [ev('agent.tampering', T0 + 2 * MIN, { created_by: { agent: { hostname: 'app01' } } }), ev('agent.tampering', T0 + 3 * MIN)];
  const r2 = runEvents([rule], r1.state, T0 + 4 * MIN, events);

  const a = r2.alerts[0];
  assert.ok(a);
  assert.deepEqual(
    [a.count, a.windowStart, a.windowEnd, a.firstSeen, a.lastSeen],
    [3, iso(T0 + 4 * MIN - 30 * MIN), iso(T0 + 4 * MIN), iso(T0 - 5 * MIN), iso(T0 + 3 * MIN)],
  );
  // Talkers and samples cover the whole window, the earlier run's event included.
  assert.deepEqual(a.samples, [earlier, events[0]]);
  assert.deepEqual(a.topTalkers.map((t) => [t.label, t.count]), [['system', 2], ['app01', 1]]);
});
