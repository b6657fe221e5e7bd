/**
 * Matches a cooldown holds back, through real runs (PCE simulator, real
 * SMTP server, the state file, a fake clock): mailed once by the first run
 * after the cooldown, even when they have left the rule's window by then;
 * never twice, never inside the cooldown; held matches below the threshold
 * stay unreported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { event } from './helpers/records.js';
import { eventRule, MIN, runEnv, secretLeaks, T0 } from './helpers/run-env.js';
import type { PceEvent } from '../src/types.js';

const SEC = 1000;

/** `2025-03-04 12:01:10 (UTC, UTC+00:00)`, as the mail shows a UTC time. */
function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} (UTC, UTC+00:00)`;
}

/** The plain-text top-sources lines of a message. */
function sourceLines(text: string): string[] {
  return text.split('\n').filter((l) => / \| Events: \d+$/.test(l));
}

test('the repro: a tampering on another host during a 2-minute cooldown is mailed once, by the first run after it', async () => {
  const rule = eventRule({ windowMinutes: 1, cooldownMinutes: 2, threshold: 1 });
  const env = await runEnv({ rules: [rule], email: { timeZone: 'UTC' } });
  try {
    env.clock.advance(MIN);
    const first = event('agent.tampering', env.clock.now() - 5 * SEC, { host: 'host-1' });
    env.pce.addEvents([first]);
    const r1 = await env.run();
    assert.equal(r1.ok, true, r1.errors.join('; '));
    assert.deepEqual(r1.alerts.map((a) => a.count), [1]);
    assert.equal(env.smtp.messages.length, 1);

    // 10 s later, inside the cooldown: held back, and the report says it will come.
    env.clock.advance(10 * SEC);
    const heldAt = env.clock.now();
    const second = event('agent.tampering', heldAt - 2 * SEC, { host: 'host-2' });
    env.pce.addEvents([second]);
    const r2 = await env.main(['run']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.ok(r2.stdout.includes('Held back by cooldown: tamper (1); it is mailed when the cooldown ends.'), r2.stdout);
    assert.equal(env.smtp.messages.length, 1, 'no second mail inside the cooldown');
    assert.equal((await env.state()).rules.tamper?.held?.since, new Date(heldAt).toISOString());

    // 130 s later the cooldown is over and host-2's event has left the 1-minute window.
    env.clock.advance(130 * SEC);
    const r3 = await env.run();
    assert.equal(r3.ok, true, r3.errors.join('; '));
    assert.deepEqual(r3.alerts.map((a) => [a.ruleId, a.count, a.topTalkers.map((t) => [t.label, t.count])]), [['tamper', 1, [['host-2', 1]]]]);
    assert.equal(r3.alerts[0]?.firstSeen, second.timestamp);
    assert.equal(r3.alerts[0]?.lastSeen, second.timestamp);
    assert.equal(env.smtp.messages.length, 2);

    const text = env.smtp.messages[1]!.parsed.text ?? '';
    assert.ok(text.includes('Count: 1 (threshold 1 in 1 min)'), text);
    assert.deepEqual(sourceLines(text), ['  1. host-2 | Events: 1']);
    assert.ok(text.includes(`Held back by the 2-minute cooldown since ${utc(heldAt)} (1 held).`), text);
    assert.ok(text.includes(`"href": "${second.href}"`), 'the held event is the sample');
    assert.ok(!text.includes(first.href), 'the alerted event is not shown again');
    assert.ok((env.smtp.messages[1]!.parsed.html || '').includes('Held back by the 2-minute cooldown'), 'the HTML part says it too');
    assert.equal((await env.state()).rules.tamper?.held, undefined);

    // Nothing new: nothing more, ever.
    for (let i = 0; i < 3; i++) {
      env.clock.advance(5 * MIN);
      const quiet = await env.run();
      assert.deepEqual(quiet.alerts, []);
    }
    assert.equal(env.smtp.messages.length, 2);
    assert.deepEqual(await secretLeaks(env), []);
  } finally {
    await env.close();
  }
});

test('a burst of 5 events from 2 hosts during the cooldown: one alert after it, count 5, app01 3 and db02 2', async () => {
  const rule = eventRule({ windowMinutes: 1, cooldownMinutes: 5, threshold: 2 });
  const env = await runEnv({ rules: [rule] });
  try {
    env.clock.advance(MIN);
    env.pce.addEvents([0, 1].map((k) => event('agent.tampering', env.clock.now() - (k + 1) * SEC, { host: 'web09' })));
    const r1 = await env.run();
    assert.deepEqual(r1.alerts.map((a) => a.count), [2]);

    const hosts = [['app01', 'db02'], ['app01'], ['db02', 'app01']];
    const burst: PceEvent[] = [];
    for (const batch of hosts) {
      env.clock.advance(MIN);
      const events = batch.map((host, i) => event('agent.tampering', env.clock.now() - (i + 1) * SEC, { host }));
      burst.push(...events);
      env.pce.addEvents(events);
      const r = await env.run();
      assert.deepEqual(r.alerts, []);
      // Every event since the alert is held, whether or not this run's window reaches the threshold.
      assert.deepEqual(r.suppressed.map((s) => s.held), [burst.length]);
    }
    assert.equal(env.smtp.messages.length, 1);

    // The cooldown (5 min from the first delivery) ends 2 minutes later.
    env.clock.advance(2 * MIN);
    const r = await env.run();
    const times = burst.map((e) => Date.parse(e.timestamp));
    assert.deepEqual(r.alerts.map((a) => [a.count, a.topTalkers.map((t) => [t.label, t.count]), a.firstSeen, a.lastSeen]), [
      [5, [['app01', 3], ['db02', 2]], new Date(Math.min(...times)).toISOString(), new Date(Math.max(...times)).toISOString()],
    ]);
    assert.equal(env.smtp.messages.length, 2);
    const text = env.smtp.messages[1]!.parsed.text ?? '';
    assert.deepEqual(sourceLines(text), ['  1. app01 | Events: 3', '  2. db02 | Events: 2']);
    assert.ok(text.includes('Held back by the 5-minute cooldown since'), text);

    env.clock.advance(10 * MIN);
    assert.deepEqual((await env.run()).alerts, []);
    assert.equal(env.smtp.messages.length, 2);
  } finally {
    await env.close();
  }
});

test('held events below the threshold (2 of 3) are not reported after the cooldown', async () => {
  const rule = eventRule({ windowMinutes: 1, cooldownMinutes: 3, threshold: 3 });
  const env = await runEnv({ rules: [rule] });
  try {
    env.clock.advance(MIN);
    env.pce.addEvents([1, 2, 3].map((k) => event('agent.tampering', env.clock.now() - k * SEC, { host: 'a' })));
    assert.deepEqual((await env.run()).alerts.map((a) => a.count), [3]);

    // With the 3 alerted ones the window reaches 5, but the 2 new ones alone do not reach 3.
    env.clock.advance(20 * SEC);
    env.pce.addEvents([1, 2].map((k) => event('agent.tampering', env.clock.now() - k * SEC, { host: 'b' })));
    const held = await env.run();
    assert.deepEqual(held.suppressed, [{ ruleId: 'tamper', reason: 'cooldown', count: 5 }]);

    for (let i = 0; i < 4; i++) {
      env.clock.advance(MIN);
      assert.deepEqual((await env.run()).alerts, [], `run ${i + 1} after`);
    }
    assert.equal(env.smtp.messages.length, 1);
    assert.equal((await env.state()).rules.tamper?.held, undefined, 'nothing left held once the cooldown is over');
  } finally {
    await env.close();
  }
});

test('the held mail waits for a relay outage too: mailed once, after the cooldown that starts on delivery', async () => {
  const rule = eventRule({ windowMinutes: 1, cooldownMinutes: 2, threshold: 1 });
  const env = await runEnv({ rules: [rule], start: T0 });
  try {
    env.clock.advance(MIN);
    env.pce.addEvents([event('agent.tampering', env.clock.now() - SEC, { host: 'host-1' })]);
    env.smtp.setFailMode('reject-data');
    assert.equal((await env.run()).email.queued, 1);

    // While the first mail waits, host-2 is held back.
    env.clock.advance(30 * SEC);
    env.pce.addEvents([event('agent.tampering', env.clock.now() - SEC, { host: 'host-2' })]);
    const waiting = await env.run();
    assert.deepEqual(waiting.suppressed.map((s) => [s.reason, s.held]), [['pending-delivery', 1]]);

    // Delivered here: the cooldown starts now and runs 2 minutes.
    env.smtp.setFailMode('none');
    env.clock.advance(MIN);
    const delivered = await env.run();
    assert.equal(delivered.email.retried.delivered, 1);
    assert.deepEqual(delivered.alerts, []);
    env.clock.advance(MIN);
    assert.deepEqual((await env.run()).alerts, [], 'still inside the cooldown');

    env.clock.advance(MIN + SEC);
    const after = await env.run();
    assert.deepEqual(after.alerts.map((a) => [a.count, a.topTalkers.map((t) => t.label)]), [[1, ['host-2']]]);
    assert.equal(env.smtp.messages.length, 2);
  } finally {
    await env.close();
  }
});
