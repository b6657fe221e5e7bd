/**
 * Found by a user: past 50,000 events in the overlap the de-duplication
 * memory dropped its oldest entries, so those events were read again as new
 * (counted and mailed twice) and the re-reads used up the per-run ceiling
 * for ever. Now the memory says from when it is complete, and the next read
 * starts there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactState, SEEN_MAX } from '../src/state/compact.js';
import { emptyState } from '../src/state/store.js';
import { event } from './helpers/records.js';
import { countOf, eventRule, mailedHrefs, MIN, runEnv, T0 } from './helpers/run-env.js';

test('over the bound, the memory keeps the newest whole timestamps and says from when it is complete', () => {
  const state = emptyState();
  state.eventsCheckpoint = new Date(T0).toISOString();
  // SEEN_MAX + 10 events, two per millisecond, the newest at T0.
  for (let i = 0; i < SEEN_MAX + 10; i++) state.seenEvents[`/orgs/1/events/${i}`] = T0 - Math.floor(i / 2);
  const next = compactState(state, [], T0, 5 * MIN);

  const kept = Object.values(next.seenEvents);
  const edge = Math.min(...kept);
  assert.equal(next.seenSince, new Date(edge).toISOString());
  assert.equal(kept.length, SEEN_MAX, 'SEEN_MAX is even: the cut falls between two milliseconds');
  assert.ok(Object.values(state.seenEvents).filter((at) => at >= edge).length === kept.length, 'every event at or after seenSince is remembered');

  const calm = compactState({ ...next, seenEvents: { a: T0 } }, [], T0, 5 * MIN);
  assert.equal(calm.seenSince, next.seenSince, 'still inside the overlap: kept');
  const later = compactState({ ...next, seenEvents: { a: T0 + 60 * MIN } , eventsCheckpoint: new Date(T0 + 60 * MIN).toISOString() }, [], T0 + 60 * MIN, 5 * MIN);
  assert.equal(later.seenSince, undefined, 'once the flood has left the overlap the memory is complete again');
});

test('a flood of more events than the memory holds: one event mailed once, the checkpoint keeps moving', { timeout: 120_000 }, async () => {
  const env = await runEnv({
    rules: [eventRule({ id: 'dup', eventTypes: ['xtest.dup'], windowMinutes: 10, cooldownMinutes: 1 })],
    monitor: { eventsPageSize: 10_000, maxEventsPerRun: 200_000, firstRunLookbackMinutes: 10 },
  });
  try {
    const now = env.clock.now();
    const dup = event('xtest.dup', now - 200_000, { host: 'dup.example.com' });
    const flood = Array.from({ length: SEEN_MAX + 5_000 }, (_, i) => event('xtest.flood', now - 165_000 + i * 3));
    env.pce.addEvents([dup, ...flood]);

    const checkpoints: string[] = [];
    for (const advance of [MIN, MIN, 2 * MIN]) {
      env.clock.advance(advance);
      const report = await env.run();
      assert.deepEqual(report.errors, []);
      checkpoints.push(report.events.readUntil ?? '');
    }
    assert.deepEqual(countOf(mailedHrefs(env.smtp.messages, 'dup')), new Map([[dup.href, 1]]));
    assert.ok(checkpoints[0]! < checkpoints[1]! && checkpoints[1]! < checkpoints[2]!, checkpoints.join(' '));
  } finally {
    await env.close();
  }
});
