/**
 * Found by a user: events of the overlap that earlier runs already read used
 * up maxEventsPerRun, so a busy overlap held the checkpoint still for ever
 * and later events were never read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { event } from './helpers/records.js';
import { countOf, mailedHrefs, MIN, runEnv, T0 } from './helpers/run-env.js';

test('a busy overlap does not hold the checkpoint: later events are read, each mailed once', async () => {
  const env = await runEnv({
    monitor: { maxEventsPerRun: 100, eventsPageSize: 10, firstRunLookbackMinutes: 3, overlapMinutes: 5 },
  });
  try {
    // 150 events over the 150 s before T0: more than the ceiling, all inside any later overlap.
    const burst = Array.from({ length: 150 }, (_, i) => event('agent.tampering', T0 - 150_000 + i * 1000, { host: `h${i % 7}.example.com` }));
    env.pce.addEvents(burst);

    const complete: boolean[] = [];
    for (let run = 0; run < 4; run++) {
      env.clock.advance(MIN);
      const report = await env.run();
      complete.push(report.events.complete);
    }
    assert.equal(complete.at(-1), true, `runs: ${complete.join(', ')}`);

    // One more event after the burst: the next run reads it.
    const later = event('agent.tampering', env.clock.now() - 1000, { host: 'after-burst.example.com' });
    env.pce.addEvents([later]);
    env.clock.advance(31 * MIN); // past the rule's cooldown
    const report = await env.run();
    assert.equal(report.events.complete, true);
    assert.deepEqual(report.errors, []);

    const counts = countOf(mailedHrefs(env.smtp.messages, 'tamper'));
    for (const e of [...burst, later]) assert.equal(counts.get(e.href), 1, `${e.href} mailed once`);
  } finally {
    await env.close();
  }
});
