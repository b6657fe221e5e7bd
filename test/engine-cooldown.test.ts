/**
 * What a cooldown holds back, in the rule engine: traffic snapshots, a
 * window that still holds everything, the state bound over many runs,
 * compaction, the state check and the mail line in both languages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventAggregator, TrafficAggregator } from '../src/rules/aggregate.js';
import { evaluate, markDelivered, type Evaluation } from '../src/rules/evaluate.js';
import { compactState } from '../src/state/compact.js';
import { emptyState } from '../src/state/store.js';
import { stateProblem } from '../src/state/validate.js';
import type { EventRule, PceEvent, Rule, StateFile, TrafficFlow, TrafficRule } from '../src/types.js';
import { T0, ev, eventRule, fl, iso, trafficRule } from './helpers/engine-records.js';

const MIN = 60_000;

function runEvents(rules: Rule[], state: StateFile, now: number, events: PceEvent[]): Evaluation {
  const agg = new EventAggregator(rules.filter((r): r is EventRule => r.type === 'event'), { csvMaxRows: 100, now });
  for (const e of events) agg.add(e);
  return evaluate({ rules, state, now, events: agg.results(), traffic: undefined, health: undefined });
}

function runTraffic(rules: Rule[], state: StateFile, now: number, flows: TrafficFlow[]): Evaluation {
  const agg = new TrafficAggregator(rules.filter((r): r is TrafficRule => r.type === 'traffic'), { now, csvMaxRows: 100 });
  for (const f of flows) agg.add(f);
  return evaluate({ rules, state, now, events: new Map(), traffic: agg.results(), health: undefined });
}

/** Fire and deliver at once, as a run with a working relay does. */
function delivered(e: Evaluation, now: number): StateFile {
  return markDelivered(e.state, e.alerts.map((a) => a.ruleId), now);
}

const host = (name: string, at: number) => ev('agent.tampering', at, { created_by: { agent: { hostname: name } } });
const smb = (src: string, conns: number, last: number) => fl({ src: { ip: src }, dst: { ip: '10.0.9.9' }, port: 445, conns, last });

test('traffic: the held window is mailed after the cooldown when the window has moved on, once', () => {
  const rule = trafficRule({ threshold: 10, windowMinutes: 10, cooldownMinutes: 30, port: 445 });
  const r1 = runTraffic([rule], emptyState(), T0, [smb('10.0.0.1', 12, T0 - MIN)]);
  assert.deepEqual(r1.alerts.map((a) => a.count), [12]);
  let state = delivered(r1, T0);

  // 15 minutes in: a new flow over the threshold is held back.
  const heldFlow = smb('10.0.0.7', 11, T0 + 14 * MIN);
  const r2 = runTraffic([rule], state, T0 + 15 * MIN, [heldFlow]);
  assert.deepEqual(r2.suppressed, [{ ruleId: 'tr', reason: 'cooldown', count: 11, held: 11 }]);
  state = r2.state;

  // 31 minutes in: the cooldown is over and the held flow has left the 10-minute window.
  const r3 = runTraffic([rule], state, T0 + 31 * MIN, []);
  assert.equal(r3.alerts.length, 1);
  const a = r3.alerts[0]!;
  assert.deepEqual([a.count, a.topTalkers.map((t) => [t.label, t.count])], [11, [['10.0.0.7 -> 10.0.9.9 445/tcp', 11]]]);
  // One held flow: the window's span is its last_detected.
  assert.deepEqual([a.firstSeen, a.lastSeen], [iso(T0 + 14 * MIN), iso(T0 + 14 * MIN)]);
  assert.deepEqual(a.held, { since: iso(T0 + 15 * MIN), count: 11, cooldownMinutes: 30 });
  assert.deepEqual([a.samples, a.records], [[], []]);
  assert.equal(r3.state.rules.tr?.held, undefined);
  state = delivered(r3, T0 + 31 * MIN);

  // The same flow again (a wider re-read) is not new: nothing twice.
  const r4 = runTraffic([rule], state, T0 + 70 * MIN, [heldFlow]);
  assert.deepEqual(r4.alerts, []);
});

test('traffic: a fresh window over the threshold when the cooldown ends fires normally and names the held count', () => {
  const rule = trafficRule({ threshold: 10, windowMinutes: 10, cooldownMinutes: 30, port: 445 });
  let state = delivered(runTraffic([rule], emptyState(), T0, [smb('10.0.0.1', 12, T0 - MIN)]), T0);
  state = runTraffic([rule], state, T0 + 15 * MIN, [smb('10.0.0.7', 11, T0 + 14 * MIN)]).state;

  const r = runTraffic([rule], state, T0 + 31 * MIN, [smb('10.0.0.8', 20, T0 + 30 * MIN)]);
  assert.deepEqual(r.alerts.map((a) => [a.count, a.topTalkers[0]?.label, a.held]), [
    [20, '10.0.0.8 -> 10.0.9.9 445/tcp', { since: iso(T0 + 15 * MIN), count: 11, cooldownMinutes: 30 }],
  ]);
  assert.equal(r.state.rules.tr?.held, undefined);
});

test('events: when the window still holds every held match, the normal alert fires and carries the held line', () => {
  const rule = eventRule({ threshold: 1, windowMinutes: 120, cooldownMinutes: 30 });
  let state = delivered(runEvents([rule], emptyState(), T0, [host('h1', T0 - 10_000)]), T0);
  const r2 = runEvents([rule], state, T0 + 10 * MIN, [host('h2', T0 + 10 * MIN - 10_000)]);
  assert.deepEqual(r2.suppressed, [{ ruleId: 'ev', reason: 'cooldown', count: 2, held: 1 }]);
  state = r2.state;

  // No new match at the end of the cooldown: the held one alone makes the run fire.
  const r3 = runEvents([rule], state, T0 + 30 * MIN, []);
  assert.deepEqual(r3.alerts.map((a) => [a.count, a.held?.count, a.held?.since]), [[2, 1, iso(T0 + 10 * MIN)]]);
  state = delivered(r3, T0 + 30 * MIN);
  assert.deepEqual(runEvents([rule], state, T0 + 70 * MIN, []).alerts, [], 'never twice');
});

test('events: an unarmed hold is dropped when the cooldown ends; the window rules apply again', () => {
  const rule = eventRule({ threshold: 3, windowMinutes: 10, cooldownMinutes: 30 });
  const first = [1, 2, 3].map((k) => host('a', T0 - k * 1000));
  let state = delivered(runEvents([rule], emptyState(), T0, first), T0);
  state = runEvents([rule], state, T0 + 5 * MIN, [host('b', T0 + 5 * MIN - 1000)]).state;
  assert.deepEqual(state.rules.ev?.held && [state.rules.ev.held.count, state.rules.ev.held.since], [1, undefined]);

  const after = runEvents([rule], state, T0 + 31 * MIN, []);
  assert.deepEqual(after.alerts, []);
  assert.equal(after.state.rules.ev?.held, undefined);
});

test('200 runs under a long cooldown, 3 new sources each: the held count is exact, the state stays bounded, one alert at the end', () => {
  const rule = eventRule({ threshold: 1, windowMinutes: 5, cooldownMinutes: 24 * 60 });
  let state = delivered(runEvents([rule], emptyState(), T0, [host('first', T0 - 1000)]), T0);
  const sizes: number[] = [];
  const all: PceEvent[] = [];

  for (let run = 1; run <= 200; run++) {
    const now = T0 + run * 5 * MIN;
    const events = [0, 1, 2].map((k) => host(`src-${run}-${k}`, now - (k + 1) * 1000));
    all.push(...events);
    const r = runEvents([rule], state, now, events);
    assert.deepEqual(r.alerts, [], `run ${run}`);
    state = compactState(r.state, [rule], now, 5 * MIN);
    sizes.push(JSON.stringify(state).length);
  }

  const held = state.rules.ev?.held;
  assert.equal(held?.count, 600);
  assert.equal(held?.talkers.length, 500, 'the held talkers are capped');
  assert.deepEqual(held?.samples?.map((s) => s.href), [all[2]!.href, all[1]!.href], 'the two oldest held events');
  const maxLater = Math.max(...sizes.slice(180));
  assert.ok(maxLater <= Math.max(...sizes.slice(160, 180)) * 1.01, `state grows no more once capped: ${maxLater}`);
  assert.ok(maxLater < 64 * 1024, `state under 64 KiB: ${maxLater}`);

  const end = T0 + 24 * 60 * MIN + MIN;
  const r = runEvents([rule], state, end, []);
  assert.deepEqual(r.alerts.map((a) => [a.count, a.topTalkers.length, a.held?.count]), [[600, 5, 600]]);
  assert.equal(r.alerts[0]?.firstSeen, all[2]!.timestamp);
  assert.equal(r.alerts[0]?.lastSeen, all.at(-3)!.timestamp);
});

test('compaction keeps a hold past the window, drops it when the rule loses its cooldown; the state check reads it', () => {
  const rule = eventRule({ threshold: 1, windowMinutes: 1, cooldownMinutes: 60 });
  let state = delivered(runEvents([rule], emptyState(), T0, [host('a', T0 - 1000)]), T0);
  state = runEvents([rule], state, T0 + 5 * MIN, [host('b', T0 + 5 * MIN - 1000)]).state;

  const kept = compactState(state, [rule], T0 + 50 * MIN, 5 * MIN);
  assert.deepEqual(kept.rules.ev?.buckets, []);
  assert.equal(kept.rules.ev?.held?.count, 1);
  assert.equal(kept.rules.ev?.held?.since, iso(T0 + 5 * MIN));
  assert.equal(stateProblem(kept), undefined);

  const noCooldown = compactState(state, [{ ...rule, cooldownMinutes: 0 }], T0 + 50 * MIN, 5 * MIN);
  assert.equal(noCooldown.rules.ev?.held, undefined);

  const bad = structuredClone(kept);
  bad.rules.ev!.held = { count: 1, talkers: [{ label: 'x' } as never] };
  assert.equal(stateProblem(bad), '/rules/ev/held/talkers/0: not a talker with label and count');
  bad.rules.ev!.held = { count: 1, since: 'yesterday', talkers: [] };
  assert.equal(stateProblem(bad), '/rules/ev/held/since: not a UTC time');
});

test('the held line in English and Traditional Chinese', async () => {
  const { buildView } = await import('../src/alert/view.js');
  const { emailSettings, eventAlert, loginFailure, renderContext } = await import('./helpers/mail-fixtures.js');
  const alert = { ...eventAlert('Login failures', 'medium', [loginFailure('u@example.com', 0)], (e) => String(e.href)) };
  const held = { ...alert, held: { since: '2025-03-04T14:02:00.000Z', count: 3, cooldownMinutes: 30 } };

  const en = buildView([held], renderContext(emailSettings(25, { timeZone: 'UTC' })));
  assert.equal(en.alerts[0]?.details[0], 'Held back by the 30-minute cooldown since 2025-03-04 14:02:00 (UTC, UTC+00:00) (3 held).');
  const zh = buildView([held], renderContext(emailSettings(25, { timeZone: 'Asia/Taipei', language: 'zh-TW' })));
  assert.equal(zh.alerts[0]?.details[0], '自 2025-03-04 22:02:00 (Asia/Taipei, UTC+08:00) 起因 30 分鐘冷卻期而暫緩發送（暫緩 3 筆）。');

  const plain = buildView([alert], renderContext(emailSettings(25, { timeZone: 'UTC' })));
  assert.deepEqual(plain.alerts[0]?.details, alert.details);
});
