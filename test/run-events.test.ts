/**
 * Whole runs against the PCE simulator: capped event replies, late events
 * and the overlap, timestamp forms and the host's TZ, a trickle across
 * runs. Expected values come from the records each test made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { event } from './helpers/records.js';
import { countOf, eventRule, mailedHrefs, MIN, runEnv, secretLeaks, T0, type RunEnv } from './helpers/run-env.js';
import type { PceEvent } from '../src/types.js';

async function clean(env: RunEnv): Promise<void> {
  assert.deepEqual(await secretLeaks(env), []);
}

/** n tamper events one second apart, the first `startAgo` before `now`. */
function burst(n: number, now: number, startAgo: number): PceEvent[] {
  return Array.from({ length: n }, (_, i) => event('agent.tampering', now - startAgo + i * 1000, { host: `h${i % 13}.example.com` }));
}

test('2,500 matching events with pages of 1,000: one alert counting 2,500, every event in the mail once', async () => {
  const env = await runEnv({ monitor: { eventsPageSize: 1000 } });
  try {
    const events = burst(2500, T0, 50 * MIN);
    env.pce.addEvents(events);

    const r = await env.main(['run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.events.complete, true);
    assert.deepEqual(r.json.alerts.map((a: { ruleId: string; count: number }) => [a.ruleId, a.count]), [['tamper', 2500]]);

    assert.equal(env.smtp.messages.length, 1);
    const mailed = mailedHrefs(env.smtp.messages, 'tamper');
    assert.equal(mailed.length, 2500);
    assert.deepEqual(new Set(mailed), new Set(events.map((e) => e.href)));
    assert.ok(env.pce.requestsTo('/events', 'GET').length >= 3, 'a full page was split');
    await clean(env);
  } finally {
    await env.close();
  }
});

test('capped at maxEventsPerRun: exit 1 and complete:false, checkpoint only over what was read; later runs read the rest, each event mailed once', async () => {
  const env = await runEnv({ realClock: true, monitor: { eventsPageSize: 1000, maxEventsPerRun: 1000 } });
  try {
    const now = Date.now();
    const events = burst(2500, now, 50 * MIN);
    const at = new Map(events.map((e) => [e.href, Date.parse(e.timestamp)]));
    env.pce.addEvents(events);

    const runs: { code: number | null; complete: boolean; readUntil: string; count: number }[] = [];
    for (let i = 0; i < 5 && runs.at(-1)?.complete !== true; i++) {
      const before = env.smtp.messages.length;
      const r = await env.cli(['run', '--json']);
      const state = await env.state();
      const mailedSoFar = new Set(mailedHrefs(env.smtp.messages, 'tamper'));

      // Nothing at or before the checkpoint is left unread (and so unmailed).
      const checkpoint = Date.parse(state.eventsCheckpoint ?? '');
      assert.equal(state.eventsCheckpoint, r.json.events.readUntil, `run ${i + 1}`);
      const upTo = events.filter((e) => at.get(e.href)! <= checkpoint).map((e) => e.href);
      assert.deepEqual(new Set(upTo), mailedSoFar, `run ${i + 1}: read = mailed = everything up to the checkpoint`);
      assert.equal(env.smtp.messages.length, before + 1, `run ${i + 1} mails its new events`);

      runs.push({ code: r.code, complete: r.json.events.complete, readUntil: r.json.events.readUntil, count: r.json.alerts[0]?.count });
      if (!r.json.events.complete) {
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.json.events.error, /incomplete/);
        assert.ok(checkpoint < now, 'the checkpoint stays before unread events');
      } else {
        assert.equal(r.code, 0, r.stderr);
      }
      // Threshold 1, window 60 min: the alert counts everything read so far.
      assert.equal(runs.at(-1)!.count, mailedSoFar.size);
    }

    // Stopped at the ceiling at least once, then finished; incomplete runs exit 1.
    assert.ok(runs.length >= 2, JSON.stringify(runs));
    assert.deepEqual(runs.map((r) => r.code), [...Array<number>(runs.length - 1).fill(1), 0]);
    const counts = countOf(mailedHrefs(env.smtp.messages, 'tamper'));
    assert.equal(counts.size, 2500);
    assert.deepEqual([...new Set(counts.values())], [1], 'no event mailed twice');
    assert.deepEqual(new Set(counts.keys()), new Set(events.map((e) => e.href)));
    await clean(env);
  } finally {
    await env.close();
  }
});

test('a late event (indexed 3 min after its time) is alerted once in the next run; the overlap never counts an event twice', async () => {
  const threeRule = eventRule({ id: 'tamper-3', name: 'Three tamperings', threshold: 3 });
  const env = await runEnv({ rules: [eventRule(), threeRule], monitor: { overlapMinutes: 5 } });
  try {
    const first = await env.main(['run', '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.json.alerts, []);

    const late = { ...event('agent.tampering', T0 - 1 * MIN), indexedAt: T0 + 2 * MIN };
    const inOverlap = event('agent.tampering', T0 + 4 * MIN);
    env.pce.addEvents([late, inOverlap]);

    env.clock.advance(5 * MIN);
    const second = await env.main(['run', '--json']);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(second.json.alerts.map((a: { ruleId: string; count: number }) => [a.ruleId, a.count]), [['tamper', 2]]);
    assert.deepEqual(new Set(mailedHrefs(env.smtp.messages, 'tamper')), new Set([late.href, inOverlap.href]));

    // The next run re-reads T0 .. T0+10 min: inOverlap again, but it is not new.
    env.clock.advance(5 * MIN);
    const third = await env.main(['run', '--json']);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(third.json.events.fetched, 1);
    assert.equal(third.json.events.new, 0);
    assert.deepEqual(third.json.alerts, []);
    const state = await env.state();
    assert.deepEqual(state.rules['tamper-3']?.buckets.reduce((n, [, c]) => n + c, 0), 2, 'counted once each');

    assert.equal(env.smtp.messages.length, 1);
    assert.deepEqual([...countOf(mailedHrefs(env.smtp.messages, 'tamper')).values()], [1, 1]);
    await clean(env);
  } finally {
    await env.close();
  }
});

/** µs + Z, ms + +00:00, µs with a space and no zone, all on whole seconds plus known fractions. */
function timestampForms(base: number) {
  const sec = Math.floor(base / 1000) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const a = sec - 2 * MIN;
  const b = sec - 3 * MIN;
  const c = sec - 4 * MIN;
  const d = sec - 30 * MIN;
  const events = [
    event('agent.tampering', a, { timestamp: `${iso(a)}.123456Z` }),
    event('agent.tampering', b, { timestamp: `${iso(b)}.250+00:00` }),
    event('agent.tampering', c, { timestamp: `${iso(c).replace('T', ' ')}.987654` }),
    event('agent.tampering', d, { timestamp: `${iso(d)}.000+00:00` }),
  ];
  return { events, ms: [a + 123, b + 250, c + 987, d] };
}

function checkTimes(json: any, state: any, forms: ReturnType<typeof timestampForms>, label: string): void {
  const [a, , c] = forms.ms as [number, number, number, number];
  assert.equal(json.alerts.length, 1, label);
  const alert = json.alerts[0];
  assert.equal(alert.count, 3, `${label}: three inside the 10-minute window, the 30-minute-old one outside`);
  assert.equal(alert.firstSeen, new Date(c).toISOString(), label);
  assert.equal(alert.lastSeen, new Date(a).toISOString(), label);

  assert.match(state.eventsCheckpoint, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(state.rules.tamper.lastAlertedMatchAt, new Date(a).toISOString());
  assert.match(state.rules.tamper.lastAlertAt, /Z$/);
  // The memory keeps what the next run re-reads (overlap + margin): not the 30-minute-old one.
  const seen = forms.events.map((e) => state.seenEvents[e.href]);
  assert.deepEqual(seen, [...forms.ms.slice(0, 3), undefined], `${label}: the de-duplication memory holds UTC epoch ms`);
}

test('timestamps with µs, +00:00 and no zone fall in the right windows; the state says Z; TZ=Asia/Taipei changes nothing', async () => {
  const rules = [eventRule({ windowMinutes: 10 })];
  const email = { timeZone: 'Asia/Taipei' };

  const inProcess = await runEnv({ rules, email });
  try {
    const forms = timestampForms(T0);
    inProcess.pce.addEvents(forms.events);
    const r = await inProcess.main(['run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    checkTimes(r.json, await inProcess.state(), forms, 'in-process');

    // The mail shows the newest match on the configured zone's clock, naming it.
    const text = inProcess.smtp.messages[0]?.parsed.text ?? '';
    const taipei = new Date(forms.ms[0]! + 8 * 60 * MIN).toISOString().slice(0, 19).replace('T', ' ');
    assert.ok(text.includes(`${taipei} (Asia/Taipei, UTC+08:00)`), text);
    await clean(inProcess);
  } finally {
    await inProcess.close();
  }

  const subprocess = await runEnv({ rules, email, realClock: true });
  try {
    const forms = timestampForms(Date.now());
    subprocess.pce.addEvents(forms.events);
    const r = await subprocess.cli(['run', '--json'], { TZ: 'Asia/Taipei' });
    assert.equal(r.code, 0, r.stderr);
    checkTimes(r.json, await subprocess.state(), forms, 'TZ=Asia/Taipei');
    await clean(subprocess);
  } finally {
    await subprocess.close();
  }
});

test('a trickle of one auth failure per 5-minute run fires once, at the third run, counting 3; old history never fires again', async () => {
  const rule = eventRule({
    id: 'api-auth', name: 'API auth failures', eventTypes: ['request.authentication_failed'],
    threshold: 3, windowMinutes: 30, cooldownMinutes: 5, severity: 'high',
  });
  const env = await runEnv({ rules: [rule] });
  try {
    const times: number[] = [];
    const fired: { run: number; count: number }[] = [];
    for (let run = 1; run <= 12; run++) {
      env.clock.advance(5 * MIN);
      const now = env.clock.now();
      if (run <= 3) {
        times.push(now - MIN);
        env.pce.addEvents([event('request.authentication_failed', now - MIN, { status: 'failure' })]);
      }
      const r = await env.run();
      assert.equal(r.ok, true, r.errors.join('; '));
      for (const a of r.alerts) fired.push({ run, count: a.count });
    }
    // The window (30 min) still holds all three long after the cooldown (5 min) ended.
    assert.deepEqual(fired, [{ run: 3, count: times.length }]);
    assert.equal(env.smtp.messages.length, 1);
    await clean(env);
  } finally {
    await env.close();
  }
});

test('run --fail-on-alert exits 3 when an alert fired and was delivered, 0 on the next run with nothing new', async () => {
  const env = await runEnv({ realClock: true });
  try {
    env.pce.addEvents([event('agent.tampering', Date.now() - MIN)]);
    const fired = await env.cli(['run', '--fail-on-alert', '--json']);
    assert.equal(fired.code, 3, fired.stderr);
    assert.equal(fired.json.exitCode, 3);
    assert.equal(fired.json.email.sent, true);
    assert.equal(env.smtp.messages.length, 1);

    const quiet = await env.cli(['run', '--fail-on-alert']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.match(quiet.stdout, /No alerts/);
    await clean(env);
  } finally {
    await env.close();
  }
});
