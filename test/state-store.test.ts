import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StateError } from '../src/errors.js';
import { memoryLogger } from '../src/output.js';
import { emptyState, inspectState, loadState, saveState } from '../src/state/store.js';
import type { StateFile } from '../src/types.js';

async function tmpDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'imon-state-'));
}

function sample(n: number): StateFile {
  return {
    version: 1,
    eventsCheckpoint: '2025-03-04T10:00:00.000Z',
    seenEvents: { [`/orgs/1/events/${n}`]: Date.UTC(2025, 2, 4, 9, 58) },
    rules: {
      'agent-tampering': { buckets: [[Date.UTC(2025, 2, 4, 9, 58), n]], newSinceAlert: n, lastAlertAt: '2025-03-04T09:30:00.000Z' },
      health: { buckets: [], newSinceAlert: 0, alertedProblems: ['PCE unreachable'] },
    },
    outbox: [{ id: 'm', createdAt: '2025-03-04T09:59:00.000Z', attempts: 2, lastError: 'refused', ruleIds: ['agent-tampering'], raw: 'Subject: x\r\n\r\nbody', envelope: { from: 'a@example.com', to: ['b@example.com'] } }],
  };
}

const NOW = Date.UTC(2025, 2, 4, 10, 15, 22, 481);
const STAMP = '20250304T101522Z';

test('a missing state file is the first run: an empty state', async () => {
  const log = memoryLogger();
  const r = await loadState(path.join(await tmpDir(), 'state.json'), log);
  assert.deepEqual(r, { state: emptyState(), restoredFromBackup: false });
  assert.deepEqual(log.lines, []);
});

test('save then load round-trips; the file is 0600 and the previous content is kept as .bak', async () => {
  const file = path.join(await tmpDir(), 'state.json');
  await saveState(file, sample(1));
  await saveState(file, sample(2));

  const r = await loadState(file, memoryLogger());
  assert.deepEqual(r, { state: sample(2), restoredFromBackup: false });
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(await fs.readFile(`${file}.bak`, 'utf8')), sample(1));
  assert.equal((await fs.stat(`${file}.bak`)).mode & 0o777, 0o600);
});

test('a corrupt state without a valid backup is moved aside and stops the run (exit 1)', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'state.json');
  const garbage = '{"version":1,"seenEvents":{';
  await fs.writeFile(file, garbage);

  const err = await loadState(file, memoryLogger(), NOW).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof StateError);
  assert.equal(err.code, 'STATE_CORRUPT');
  assert.equal(err.exitCode, 1);
  const moved = `${file}.corrupt-${STAMP}`;
  assert.ok(err.message.includes(file), err.message);
  assert.ok(err.message.includes(moved), err.message);
  assert.ok(err.hint);

  assert.equal(await fs.readFile(moved, 'utf8'), garbage);
  await assert.rejects(fs.access(file));
});

test('valid JSON of the wrong shape is corrupt too', async () => {
  const file = path.join(await tmpDir(), 'state.json');
  await fs.writeFile(file, JSON.stringify({ ...sample(1), version: 2 }));
  await assert.rejects(loadState(file, memoryLogger(), NOW), (e: unknown) => e instanceof StateError && /\/version/.test(e.message));

  await fs.writeFile(file, JSON.stringify({ ...sample(1), rules: { x: { buckets: [[1]], newSinceAlert: 0 } } }));
  await assert.rejects(loadState(file, memoryLogger(), NOW + 1000), (e: unknown) => e instanceof StateError && /\/rules\/x\/buckets\/0/.test(e.message));
});

test('a corrupt state with a valid backup is restored from it, with a warning', async () => {
  const file = path.join(await tmpDir(), 'state.json');
  await saveState(file, sample(1));
  await saveState(file, sample(2));
  await fs.writeFile(file, '');

  const log = memoryLogger();
  const r = await loadState(file, log, NOW);
  assert.deepEqual(r, { state: sample(1), restoredFromBackup: true });
  assert.equal(log.lines.length, 1);
  assert.match(log.lines[0]!, /^warning: state file .*state\.json is not valid \(the file is empty\); restored .*state\.json\.bak/);
  assert.equal(await fs.readFile(`${file}.corrupt-${STAMP}`, 'utf8'), '');

  // The next save keeps the good backup: the bad file is no longer there to be backed up.
  await saveState(file, sample(3));
  assert.deepEqual(JSON.parse(await fs.readFile(`${file}.bak`, 'utf8')), sample(1));
});

test('inspectState reads without moving anything', async () => {
  const file = path.join(await tmpDir(), 'state.json');
  await saveState(file, sample(1));
  await saveState(file, sample(2));
  await fs.writeFile(file, 'nonsense');

  const r = await inspectState(file);
  assert.equal(r.source, 'backup');
  assert.deepEqual(r.state, sample(1));
  assert.equal(await fs.readFile(file, 'utf8'), 'nonsense');
});

test('a failed write (the temp file cannot be created) leaves the old state byte-identical', async () => {
  const dir = await tmpDir();
  // NAME_MAX is 255: the file fits, its temp and backup temp names do not.
  const file = path.join(dir, `${'s'.repeat(240)}.json`);
  await saveState(path.join(dir, 'seed.json'), sample(1));
  await fs.copyFile(path.join(dir, 'seed.json'), file);
  const before = await fs.readFile(file);

  const err = await saveState(file, sample(2)).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof StateError);
  assert.equal(err.code, 'STATE_WRITE_FAILED');
  assert.match(err.message, /previous state is unchanged/);
  assert.deepEqual(await fs.readFile(file), before);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['seed.json', path.basename(file)].sort());
});

test('a failed write into a read-only folder leaves the old state byte-identical', { skip: process.getuid?.() === 0 && 'root ignores folder permissions' }, async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'state.json');
  await saveState(file, sample(1));
  const before = await fs.readFile(file);
  await fs.chmod(dir, 0o555);
  try {
    await assert.rejects(saveState(file, sample(2)), StateError);
    assert.deepEqual(await fs.readFile(file), before);
  } finally {
    await fs.chmod(dir, 0o755);
  }
});

test('a deleted state file with a valid backup is restored from it, with a warning', async () => {
  const file = path.join(await tmpDir(), 'state.json');
  await saveState(file, sample(1));
  await saveState(file, sample(2));
  await fs.rm(file);

  const log = memoryLogger();
  const r = await loadState(file, log, NOW);
  assert.deepEqual(r, { state: sample(1), restoredFromBackup: true });
  assert.match(log.lines.join('\n'), /is missing; restored the previous state/);
});
