/**
 * Whole runs and the files beside the config: the run lock (a second run
 * exits 75 at once and changes nothing; a dead holder's lock is taken over)
 * and an unreadable state (restored from the backup, or the run stops
 * naming the file, which is moved aside).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { event } from './helpers/records.js';
import { countOf, mailedHrefs, MIN, runEnv, secretLeaks, T0 } from './helpers/run-env.js';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test('a second run while the lock is held exits 75 within 2 s and changes nothing; a dead holder\'s lock is taken over with a warning', async () => {
  const env = await runEnv({ realClock: true });
  try {
    env.pce.addEvents([event('agent.tampering', Date.now() - 2 * MIN)]);
    const first = await env.run();
    assert.equal(first.ok, true, first.errors.join('; '));
    const before = await fs.readFile(env.stateFile);
    const lockFile = `${env.stateFile}.lock`;

    // Held by a live process on this host (this test).
    const held = JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), token: 't' });
    await fs.writeFile(lockFile, held);
    env.pce.addEvents([event('agent.tampering', Date.now() - 1000)]);
    const requestsBefore = env.pce.requests.length;
    const started = Date.now();
    const locked = await env.cli(['run', '--json']);
    const elapsed = Date.now() - started;
    assert.equal(locked.code, 75, locked.stderr);
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    assert.match(locked.stderr, /held by process \d+/);
    assert.deepEqual(await fs.readFile(env.stateFile), before, 'state unchanged');
    assert.equal(await fs.readFile(lockFile, 'utf8'), held, 'the holder keeps its lock');
    assert.equal(env.pce.requests.length, requestsBefore, 'the PCE was not asked');
    assert.equal(env.smtp.messages.length, 1);

    // Left by a process that is gone: taken over, the run does its work.
    const stale = JSON.stringify({ pid: await deadPid(), host: os.hostname(), startedAt: new Date().toISOString(), token: 't' });
    await fs.writeFile(lockFile, stale);
    const taken = await env.cli(['run', '--json']);
    assert.equal(taken.code, 0, taken.stderr);
    assert.match(taken.stderr, /warning: took over the lock .* is no longer running/);
    assert.equal(env.smtp.messages.length, 2);
    await assert.rejects(fs.access(lockFile), 'released after the run');
    assert.deepEqual(await secretLeaks(env), []);
  } finally {
    await env.close();
  }
});

test('garbage in the state with a valid backup: restored with a warning, the run works, nothing mailed twice', async () => {
  const env = await runEnv();
  try {
    const a = event('agent.tampering', T0 - MIN);
    env.pce.addEvents([a]);
    assert.equal((await env.main(['run'])).code, 0);

    // Right after the run that mailed `a`: the backup must not bring that mail back.
    await fs.writeFile(env.stateFile, '{"version":1,"seenEv\u0000garbage');
    const b = event('agent.tampering', env.clock.now() - MIN);
    env.pce.addEvents([b]);
    env.clock.advance(5 * MIN);
    const r = await env.main(['run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: state file .* is not valid .*restored the previous state from .*\.bak/);
    assert.deepEqual(r.json.alerts.map((x: { count: number }) => x.count), [2]);

    const aside = (await fs.readdir(env.dir)).filter((f) => f.includes('.state.json.corrupt-'));
    assert.equal(aside.length, 1, 'the bad file is kept for inspection');
    assert.deepEqual([...countOf(mailedHrefs(env.smtp.messages, 'tamper'))], [[a.href, 1], [b.href, 1]]);
    assert.deepEqual(await secretLeaks(env), []);
  } finally {
    await env.close();
  }
});

test('garbage in the state and no backup: exit 1 naming the file, moved aside, nothing mailed', async () => {
  const env = await runEnv();
  try {
    env.pce.addEvents([event('agent.tampering', T0 - MIN)]);
    const garbage = 'not json at all';
    await fs.writeFile(env.stateFile, garbage);

    const r = await env.main(['run']);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(env.stateFile), r.stderr);
    assert.match(r.stderr, /no valid backup/);
    assert.equal(env.smtp.messages.length, 0);
    await assert.rejects(fs.access(env.stateFile));
    const aside = (await fs.readdir(env.dir)).filter((f) => f.includes('.state.json.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(await fs.readFile(path.join(env.dir, aside[0]!), 'utf8'), garbage);
    assert.deepEqual(await secretLeaks(env), []);
  } finally {
    await env.close();
  }
});
