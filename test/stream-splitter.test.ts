/**
 * The streamed JSON array splitter, fed the same bodies in one piece, in
 * 1-byte chunks and in random chunk sizes: the records must equal what one
 * JSON.parse of the whole body gives, and every broken body must throw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowStreamError, JsonArraySplitter } from '../src/pce/flow-stream.js';
import { makeRng } from '../src/sim/pce-data.js';
import { bigFlowBody } from '../src/sim/big-flows.js';

type Chunking = 'whole' | 'bytes' | 'random';

function chunks(body: Buffer, how: Chunking, seed = 1): Buffer[] {
  if (how === 'whole') return [body];
  if (how === 'bytes') return Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
  const rng = makeRng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; ) {
    const size = 1 + Math.floor(rng() * 40);
    out.push(body.subarray(i, i + size));
    i += size;
  }
  return out;
}

function split(body: Buffer | string, how: Chunking, seed?: number): unknown[] {
  const records: unknown[] = [];
  const splitter = new JsonArraySplitter((r) => records.push(r));
  for (const c of chunks(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), how, seed)) splitter.push(c);
  splitter.end();
  return records;
}

function failure(body: string, how: Chunking = 'whole'): string {
  try {
    split(body, how);
  } catch (err) {
    assert.ok(err instanceof FlowStreamError, String(err));
    return err.message;
  }
  assert.fail(`expected ${JSON.stringify(body.slice(0, 60))} to be refused`);
}

// Written by hand so the escapes are exactly these bytes, not what JSON.stringify would choose.
const TRICKY = String.raw`  [
  {"a": "quote \" inside", "b": "brackets ]}[{ in a string", "c": "ends in a backslash \\"},
  {"u": "\u00e9t\u00e9 \ud83d\ude00 \u005c\u0022", "raw": "été 😀 中文", "esc": "\\\\\"\\"},
  {"nested": [[1, [2, {"x": [3, {"y": "}"}]}]], {"z": []}], "empty": {}},
  "a string record with , and ]",
  null, true, false, -12.5e3, 0,
  [1, "two", {"three": 3}],
  {"slash": "\/", "ctl": "\t\n\r\b\f"}
]
`;

describe('JsonArraySplitter', () => {
  for (const how of ['whole', 'bytes', 'random'] as const) {
    it(`gives exactly what JSON.parse of the whole body gives (${how} chunks)`, () => {
      assert.deepEqual(split(TRICKY, how), JSON.parse(TRICKY));
    });
  }

  it('agrees with JSON.parse on a generated label-rich download at many random chunkings', () => {
    const body = Buffer.from([...bigFlowBody({ seed: 3, count: 300, now: Date.UTC(2025, 2, 4, 12) })].join(''), 'utf8');
    const expected = JSON.parse(body.toString('utf8')) as unknown[];
    assert.equal(expected.length, 300);
    for (let seed = 1; seed <= 5; seed++) assert.deepEqual(split(body, 'random', seed), expected);
    assert.deepEqual(split(body, 'bytes'), expected);
  });

  it('splits multi-byte characters at every byte without damage', () => {
    const records = ['中文', '😀', 'é'].map((s, i) => ({ i, s: s.repeat(5) }));
    assert.deepEqual(split(JSON.stringify(records), 'bytes'), records);
  });

  it('accepts an empty list and surrounding whitespace', () => {
    assert.deepEqual(split(' \n[ ]\r\n', 'bytes'), []);
  });

  it('refuses a body cut short at every byte before its closing bracket', () => {
    const body = JSON.stringify([{ a: 'x"y', b: [1, 2] }, { c: '\\' }]);
    for (let n = 0; n < body.length; n++) {
      assert.throws(() => split(body.slice(0, n), 'random', n), FlowStreamError, `prefix of ${n} bytes`);
    }
    assert.match(failure(body.slice(0, -1)), /^a body cut short after \d+ bytes \(2 records read, the list was never closed\)$/);
    assert.equal(failure(''), 'an empty body');
  });

  it('refuses data after the list, a trailing comma, a missing comma and a broken record', () => {
    assert.match(failure('[{"a":1}] x', 'bytes'), /^data after the end of the list at byte 10$/);
    assert.match(failure('[1][2]'), /data after the end of the list/);
    assert.match(failure('[1,]'), /^a missing record at byte 3$/);
    assert.match(failure('[,1]'), /a missing record/);
    assert.match(failure('[{"a":1} {"b":2}]', 'bytes'), /^a missing comma between records 1 and 2/);
    assert.match(failure('[{"a":}]'), /^record 1 that is not JSON/);
    assert.match(failure('[{"a":[1}]]'), /^record 1 that is not JSON/);
    assert.match(failure('[nul]'), /^record 1 that is not JSON/);
  });

  it('names a body that is not a list: an object, CSV, HTML', () => {
    assert.equal(failure('{"error":"x"}'), 'JSON that is not a list of flows');
    assert.equal(failure('Source IP,Destination IP\r\n10.0.0.1,10.0.0.2\r\n', 'bytes'), 'CSV instead of JSON');
    assert.equal(failure('<html><body>Login</body></html>'), 'a body that is not JSON');
  });
});
