/**
 * The streamed traffic download end to end over a real socket: a generated
 * label-rich result (plain and gzip) must reach onFlow exactly as one
 * JSON.parse of the same bytes gives it; a body cut short, broken gzip or
 * trailing garbage is a PCE_BAD_RESPONSE, and the download is never
 * re-requested once bytes arrived.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, beforeEach, describe, it } from 'node:test';
import { queryTraffic, type TrafficQueryOptions } from '../src/pce/traffic.js';
import { bigFlowBody } from '../src/sim/big-flows.js';
import { generatedFlowSource } from '../src/sim/flow-source.js';
import type { TrafficFlow } from '../src/types.js';
import { pceRejection, pceTestBed, T0, type PceTestBed } from './helpers/pce-setup.js';

const COUNT = 2500;
const BODY = [...bigFlowBody({ seed: 11, count: COUNT, now: T0 })].join('');
const EXPECTED = JSON.parse(BODY) as TrafficFlow[];

const options = (name = 'stream test'): TrafficQueryOptions => ({
  start: T0 - 3600_000,
  end: T0,
  policyDecisions: ['blocked'],
  maxResults: 200_000,
  deadlineMs: 60_000,
  queryName: name,
});


describe('streamed traffic download', () => {
  let bed: PceTestBed;
  beforeEach(async () => {
    await bed?.close();
    bed = await pceTestBed();
    bed.sim.pollsUntilComplete = 0;
    // Small pieces, so records and escapes cross chunk boundaries on the wire too.
    bed.sim.flowSource = generatedFlowSource(COUNT, () => splitEvery(BODY, 1000));
  });
  after(() => bed.close());

  for (const gzip of [false, true]) {
    it(`hands over every record exactly as JSON.parse reads the body${gzip ? ' (gzip)' : ''}`, async () => {
      bed.sim.gzip = gzip;
      const seen: TrafficFlow[] = [];
      const result = await queryTraffic(bed.client(), options(), (f) => seen.push(f));

      assert.equal(EXPECTED.length, COUNT);
      assert.deepEqual(seen, EXPECTED);
      assert.deepEqual([result.flows, result.skipped, result.flowsCount], [COUNT, 0, COUNT]);
      assert.equal(bed.sim.requestsTo('/download')[0]?.encoding, gzip ? 'gzip' : undefined);
    });
  }

  it('fails a download whose connection drops mid-body, without asking again', async () => {
    bed.sim.downloadCutAfterBytes = Math.floor(BODY.length / 2);
    let handed = 0;
    const err = await pceRejection(queryTraffic(bed.client(), options(), () => handed++));

    assert.equal(err.code, 'PCE_BAD_RESPONSE');
    // got may report the broken chunked body as an error or as an early end; either way it is refused.
    assert.match(err.message, /\/download (broke off after \d+ bytes and \d+ records: |with a body cut short after \d+ bytes)/);
    assert.ok(handed > 0 && handed < COUNT, `some flows were handed over before the break (${handed})`);
    assert.equal(bed.sim.requestsTo('/download').length, 1, 'never re-requested once bytes arrived');
  });

  it('fails a gzip body that is cut short', async () => {
    const zipped = gzipSync(Buffer.from(BODY));
    bed.sim.flowSource = { count: COUNT, open: () => Readable.from([BODY]), openGzip: () => Readable.from([zipped.subarray(0, zipped.length - 100)]) };
    bed.sim.gzip = true;
    const err = await pceRejection(queryTraffic(bed.client(), options(), () => undefined));
    assert.equal(err.code, 'PCE_BAD_RESPONSE');
    assert.equal(bed.sim.requestsTo('/download').length, 1);
  });

  it('fails a complete-looking body with data after the list, or a list never closed', async () => {
    bed.sim.flowSource = generatedFlowSource(COUNT, () => [BODY, '{"extra":1}']);
    const trailing = await pceRejection(queryTraffic(bed.client(), options(), () => undefined));
    assert.equal(trailing.code, 'PCE_BAD_RESPONSE');
    assert.match(trailing.message, /data after the end of the list at byte \d+/);

    bed.sim.flowSource = generatedFlowSource(COUNT, () => [BODY.slice(0, BODY.lastIndexOf(']'))]);
    const open = await pceRejection(queryTraffic(bed.client(), options('second'), () => undefined));
    assert.equal(open.code, 'PCE_BAD_RESPONSE');
    assert.match(open.message, new RegExp(`a body cut short after \\d+ bytes \\(${COUNT} records read, the list was never closed\\)`));
  });

  it('retries a download refused before any byte (503), then streams it', async () => {
    bed.sim.addFault({ path: /\/download$/, status: 503 });
    const seen: TrafficFlow[] = [];
    await queryTraffic(bed.client(), options(), (f) => seen.push(f));
    assert.equal(seen.length, COUNT);
    assert.equal(bed.sim.requestsTo('/download').length, 2);
  });
});

function* splitEvery(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}
