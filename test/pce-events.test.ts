import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { fetchEvents } from '../src/pce/events.js';
import type { PceEvent } from '../src/types.js';
import { parsePceTime, toIsoZ } from '../src/util/time.js';
import { pceTestBed, T0, type PceTestBed } from './helpers/pce-setup.js';

const HOUR = 3_600_000;

function event(n: number, at: number, extra: Partial<PceEvent> = {}): PceEvent {
  return {
    href: `/orgs/1/events/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    timestamp: toIsoZ(at),
    event_type: n % 2 ? 'agent.tampering' : 'user.sign_in',
    status: 'success',
    severity: 'info',
    ...extra,
  };
}

describe('fetchEvents', () => {
  let bed: PceTestBed;
  beforeEach(async () => {
    await bed?.close();
    bed = await pceTestBed();
  });
  after(() => bed.close());

  it('reads 2,500 events with pageSize 1,000 exactly once, oldest ranges first', async () => {
    const all = Array.from({ length: 2500 }, (_, i) => event(i, T0 - HOUR + i * 1440));
    bed.sim.addEvents(all);

    const result = await fetchEvents(bed.client(), { from: T0 - HOUR, to: T0, pageSize: 1000, maxTotal: 100_000 });

    assert.equal(result.complete, true);
    assert.equal(result.readUntil, T0);
    assert.equal(result.events.length, 2500);
    assert.deepEqual(new Set(result.events.map((e) => e.href)), new Set(all.map((e) => e.href)));
    assert.equal(result.skipped, 0);

    const sent = bed.sim.requestsTo('/api/v2/orgs/1/events', 'GET');
    assert.equal(result.requests, sent.length);
    for (const r of sent) assert.equal(r.query.max_results, '1000');
    assert.equal(sent[0]?.query['timestamp[gte]'], toIsoZ(T0 - HOUR));
    // lte reaches to the last microsecond of the last millisecond.
    assert.equal(sent[0]?.query['timestamp[lte]'], toIsoZ(T0).replace('Z', '999Z'));
  });

  it('stops at maxTotal without ever claiming unread time', async () => {
    const all = Array.from({ length: 2500 }, (_, i) => event(i, T0 - HOUR + i * 1440));
    bed.sim.addEvents(all);

    const result = await fetchEvents(bed.client(), { from: T0 - HOUR, to: T0, pageSize: 1000, maxTotal: 1200 });

    assert.equal(result.complete, false);
    assert.ok(result.events.length >= 1200 && result.events.length < 2500);
    assert.ok(result.readUntil >= T0 - HOUR && result.readUntil < T0);
    const read = new Set(result.events.map((e) => e.href));
    const due = all.filter((e) => (parsePceTime(e.timestamp) as number) <= result.readUntil);
    assert.deepEqual(new Set(due.map((e) => e.href)), read, 'exactly the events in [from, readUntil] were read');
  });

  it('uses the async collection when one millisecond holds more than a page', async () => {
    const burstAt = T0 - 30 * 60_000;
    const burst = Array.from({ length: 1500 }, (_, i) => event(i, burstAt));
    const others = Array.from({ length: 300 }, (_, i) => event(10_000 + i, T0 - HOUR + i * 10_000));
    bed.sim.addEvents([...burst, ...others]);

    const result = await fetchEvents(bed.client(), { from: T0 - HOUR, to: T0, pageSize: 1000, maxTotal: 100_000 });

    assert.equal(result.complete, true);
    assert.equal(result.events.length, 1800);
    assert.equal(new Set(result.events.map((e) => e.href)).size, 1800);

    const asyncGets = bed.sim.requests.filter((r) => r.headers.prefer === 'respond-async');
    assert.equal(asyncGets.length, 1);
    assert.equal(asyncGets[0]?.query['timestamp[gte]'], toIsoZ(burstAt));
    assert.equal(bed.sim.requestsTo('/jobs/').length, 2, 'one running poll, one done');
    assert.equal(bed.sim.requestsTo('/datafiles/').length, 1);
    assert.deepEqual(bed.clock.waits.slice(0, 1), [1000], 'waited the Retry-After of the 202');
  });

  it('sees a late-indexed event on a later read of the same range', async () => {
    bed.sim.addEvents([
      event(1, T0 - 60_000),
      { ...event(2, T0 - 60_000 + 5), indexedAt: T0 + 120_000 },
    ]);
    const client = bed.client();

    const first = await fetchEvents(client, { from: T0 - 10 * 60_000, to: T0, pageSize: 100, maxTotal: 1000 });
    assert.deepEqual(first.events.map((e) => e.href), [event(1, 0).href]);

    bed.clock.advance(3 * 60_000);
    const second = await fetchEvents(client, { from: T0 - 10 * 60_000, to: bed.clock.now(), pageSize: 100, maxTotal: 1000 });
    assert.deepEqual(second.events.map((e) => e.href).sort(), [event(1, 0).href, event(2, 0).href]);
  });

  it('skips and counts malformed records, keeps µs and +00:00 timestamps, de-duplicates', async () => {
    const good = event(1, T0 - 5000);
    bed.sim.addEvents([
      good,
      { ...event(2, 0), timestamp: '2025-03-04T11:59:58.123456+00:00' },
      { ...event(3, 0), timestamp: '2025-03-04T11:59:57.5' },
      { ...event(4, 0), timestamp: 'yesterday', at: T0 - 3000 },
      { ...event(5, T0 - 2000), href: undefined as unknown as string },
    ]);
    bed.sim.events.push(good);
    bed.sim.events.push(42 as unknown as PceEvent);

    const result = await fetchEvents(bed.client(), { from: T0 - 60_000, to: T0, pageSize: 100, maxTotal: 1000 });

    assert.equal(result.skipped, 3);
    assert.equal(result.skippedReasons.length, 3);
    assert.ok(result.skippedReasons.some((r) => r.includes('"yesterday"')));
    assert.ok(result.skippedReasons.includes('event without href'));
    assert.ok(result.skippedReasons.includes('event record is not an object'));
    assert.deepEqual(result.events.map((e) => e.href).sort(), [1, 2, 3].map((n) => event(n, 0).href));
  });

  it('caps max_results at the PCE limit of 10,000', async () => {
    bed.sim.addEvents([event(1, T0 - 1000)]);
    const result = await fetchEvents(bed.client(), { from: T0 - 60_000, to: T0, pageSize: 50_000, maxTotal: 1000 });
    assert.equal(result.events.length, 1);
    assert.equal(bed.sim.requestsTo('/events')[0]?.query.max_results, '10000');
  });

  it('reports an empty range as complete with nothing read', async () => {
    const result = await fetchEvents(bed.client(), { from: T0 - 60_000, to: T0, pageSize: 100, maxTotal: 1000 });
    assert.deepEqual({ n: result.events.length, complete: result.complete, until: result.readUntil, req: result.requests }, {
      n: 0,
      complete: true,
      until: T0,
      req: 1,
    });
  });
});

describe('parsePceTime and toIsoZ', () => {
  it('reads every form the PCE sends, as UTC whatever TZ says', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Asia/Taipei';
    try {
      const ms = Date.UTC(2022, 7, 17, 18, 12, 24, 268);
      for (const s of [
        '2022-08-17T18:12:24.268Z',
        '2022-08-17T18:12:24.268123Z',
        '2022-08-17T18:12:24.268+00:00',
        '2022-08-17T18:12:24.268',
        '2022-08-17 18:12:24.268999',
        '2022-08-17T20:12:24.268+02:00',
        '2022-08-17T13:12:24.268-0500',
      ]) {
        assert.equal(parsePceTime(s), ms, s);
      }
      assert.equal(parsePceTime('2025-03-04T00:00:00Z'), Date.UTC(2025, 2, 4));
      assert.equal(toIsoZ(ms), '2022-08-17T18:12:24.268Z');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('rejects what is not a time', () => {
    for (const bad of ['', 'yesterday', '2022-02-30T00:00:00Z', '2022-08-17T25:00:00Z', null, 17, undefined]) {
      assert.equal(parsePceTime(bad), undefined, String(bad));
    }
  });
});
