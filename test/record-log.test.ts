import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordLog } from '../src/run/record-log.js';

async function files(dir: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const f of (await fs.readdir(dir)).sort()) {
    out[f] = (await fs.readFile(path.join(dir, f), 'utf8')).split('\n').filter(Boolean);
  }
  return out;
}

test('records are JSON lines, rotated as they are written, keeping maxFiles files', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-log-'));
  // Each line is {"record":{"n":NNN}} plus a newline: 21 bytes for n in 100..999.
  const line = (n: number) => `${JSON.stringify({ record: { n } })}\n`;
  assert.equal(line(100).length, 21);

  const log = new RecordLog({ dir, maxBytes: 21 * 3, maxFiles: 3 });
  await log.open(['flows']);
  for (let n = 100; n < 110; n++) log.add('flows', { n });
  await log.close();

  // 10 lines, 3 per file: the newest 1 in flows.jsonl, then 3 in .1, 3 in .2; the oldest 3 are gone.
  const got = await files(dir);
  const ns = (name: string) => (got[name] ?? []).map((l) => (JSON.parse(l) as { record: { n: number } }).record.n);
  assert.deepEqual(Object.keys(got), ['flows.jsonl', 'flows.jsonl.1', 'flows.jsonl.2']);
  assert.deepEqual(ns('flows.jsonl'), [109]);
  assert.deepEqual(ns('flows.jsonl.1'), [106, 107, 108]);
  assert.deepEqual(ns('flows.jsonl.2'), [103, 104, 105]);
  const mode = (await fs.stat(path.join(dir, 'flows.jsonl'))).mode & 0o777;
  assert.equal(mode, 0o600);
});

test('a full file from an earlier run is rotated before appending; meta fields are kept', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-log-'));
  await fs.writeFile(path.join(dir, 'events.jsonl'), 'x'.repeat(100));
  const log = new RecordLog({ dir, maxBytes: 50, maxFiles: 5 });
  await log.open(['events']);
  log.add('events', { href: '/orgs/1/events/1' }, { run: 'r1' });
  await log.close();
  const got = await files(dir);
  assert.deepEqual(got['events.jsonl.1'], ['x'.repeat(100)]);
  assert.deepEqual(got['events.jsonl']!.map((l) => JSON.parse(l)), [{ run: 'r1', record: { href: '/orgs/1/events/1' } }]);
});
