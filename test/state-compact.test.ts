import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventAggregator } from '../src/rules/aggregate.js';
import { evaluate, markDelivered } from '../src/rules/evaluate.js';
import { SEEN_MARGIN_MS, SEEN_MAX, compactState } from '../src/state/compact.js';
import { emptyState } from '../src/state/store.js';
import type { EventRule, Rule, StateFile } from '../src/types.js';
import { T0, ev, eventRule, healthRule, iso } from './helpers/engine-records.js';

const MIN = 60_000;

test('compaction drops history outside each window, removed rules and event ids the next run will not re-read', () => {
  const rules: Rule[] = [eventRule({ id: 'ten', windowMinutes: 10 }), eventRule({ id: 'sixty', windowMinutes: 60 })];
  const now = T0 + 2 * 3600_000;
  const overlap = 5 * MIN;
  const checkpoint = now - 30 * MIN; // lagging behind: failed runs
  const buckets: [number, number][] = [90, 45, 20, 10, 9, 1].map((m) => [now - m * MIN, m]);
  const state: StateFile = {
    ...emptyState(),
    eventsCheckpoint: iso(checkpoint),
    seenEvents: {
      keep: checkpoint - overlap - SEEN_MARGIN_MS,
      drop: checkpoint - overlap - SEEN_MARGIN_MS - 1,
      recent: now - MIN,
    },
    rules: {
      ten: { buckets, newSinceAlert: 50 },
      sixty: { buckets, newSinceAlert: 2, lastAlertAt: iso(now - 3 * 3600_000) },
      gone: { buckets, newSinceAlert: 1 },
    },
  };

  const c = compactState(state, rules, now, overlap);
  assert.deepEqual(Object.keys(c.seenEvents).sort(), ['keep', 'recent']);
  assert.deepEqual(Object.keys(c.rules).sort(), ['sixty', 'ten']);
  // A bucket stays while any part of its minute is inside the window.
  assert.deepEqual(c.rules.ten?.buckets, buckets.filter(([b]) => b + MIN > now - 10 * MIN));
  assert.deepEqual(c.rules.sixty?.buckets, buckets.filter(([b]) => b + MIN > now - 60 * MIN));
  assert.equal(c.rules.ten?.newSinceAlert, 10 + 9 + 1, 'no more new matches than the window holds');
  assert.equal(c.rules.sixty?.newSinceAlert, 2);
  assert.equal(c.rules.sixty?.lastAlertAt, iso(now - 3 * 3600_000));
});

test('the de-duplication memory is capped, keeping the newest', () => {
  const now = T0;
  const seen: Record<string, number> = {};
  for (let i = 0; i < SEEN_MAX + 10; i++) seen[`/orgs/1/events/${i}`] = now - (SEEN_MAX + 10 - i);
  const c = compactState({ ...emptyState(), eventsCheckpoint: iso(now), seenEvents: seen }, [], now, 5 * MIN);

  const kept = Object.keys(c.seenEvents);
  assert.equal(kept.length, SEEN_MAX);
  assert.equal(c.seenEvents['/orgs/1/events/9'], undefined);
  assert.equal(c.seenEvents['/orgs/1/events/10'], now - SEEN_MAX);
});

test('the state after 200 runs is no larger than after 10', () => {
  const rules: Rule[] = [
    eventRule({ id: 'tamper', eventTypes: ['agent.tampering'], threshold: 3, windowMinutes: 10, cooldownMinutes: 30 }),
    eventRule({ id: 'logins', eventTypes: ['user.*'], threshold: 5, windowMinutes: 30, cooldownMinutes: 30 }),
    eventRule({ id: 'all-agent', eventTypes: ['agent.*'], threshold: 50, windowMinutes: 15, cooldownMinutes: 60 }),
    healthRule(),
  ];
  const eventRules = rules.filter((r): r is EventRule => r.type === 'event');
  const overlap = 5 * MIN;
  let state = emptyState();
  const sizes: number[] = [];
  let alerts = 0;

  for (let run = 1; run <= 200; run++) {
    const now = T0 + run * 5 * MIN;
    // 30 new events per run, spread over the last 5 minutes, plus the overlap re-read.
    const events = Array.from({ length: 30 }, (_, i) =>
      ev(['agent.tampering', 'user.sign_in', 'agent.goodbye'][i % 3]!, now - (i * 10_000 + 1000)),
    );
    const agg = new EventAggregator(eventRules, { csvMaxRows: 100 });
    for (const e of events) agg.add(e);

    const result = evaluate({ rules, state, now, events: agg.results(), traffic: undefined, health: { ok: run % 7 !== 0, problems: run % 7 ? [] : ['PCE unreachable: timeout'] } });
    alerts += result.alerts.length;
    let next = markDelivered(result.state, result.alerts.map((a) => a.ruleId), now);
    next = { ...next, eventsCheckpoint: iso(now), seenEvents: { ...next.seenEvents } };
    for (const e of events) next.seenEvents[e.href] = Date.parse(e.timestamp);
    next.lastRun = { at: iso(now), ok: true, alerts: result.alerts.length, eventsFetched: events.length, flows: 0 };
    state = compactState(next, rules, now, overlap);
    sizes[run] = JSON.stringify(state).length;

    for (const rule of eventRules) {
      assert.ok((state.rules[rule.id]?.buckets.length ?? 0) <= rule.windowMinutes + 1, `run ${run} ${rule.id}`);
    }
  }

  assert.ok(alerts > 10, 'the rules kept firing');
  assert.ok(sizes[200]! <= sizes[10]!, `after 10 runs ${sizes[10]} bytes, after 200 runs ${sizes[200]} bytes`);
  assert.ok(Math.max(...sizes.slice(10).filter(Number.isFinite)) <= sizes[10]! * 1.1);
});
