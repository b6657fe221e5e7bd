import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockedError } from '../src/errors.js';
import { memoryLogger } from '../src/output.js';
import { acquireLock } from '../src/state/lock.js';

const HOUR = 3600_000;

async function lockPath(): Promise<string> {
  return path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'imon-lock-')), 'state.json.lock');
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((resolve) => child.on('exit', resolve));
  return pid;
}

test('a held lock fails at once with LockedError (exit 75); release frees it', async () => {
  const file = await lockPath();
  const now = Date.now();
  const first = await acquireLock(file, { staleMs: HOUR, now, log: memoryLogger() });

  const holder = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.deepEqual([holder.pid, holder.host, holder.startedAt], [process.pid, os.hostname(), new Date(now).toISOString()]);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);

  const started = Date.now();
  const err = await acquireLock(file, { staleMs: HOUR, now, log: memoryLogger() }).then(() => undefined, (e: unknown) => e);
  assert.ok(Date.now() - started < 2000);
  assert.ok(err instanceof LockedError);
  assert.equal(err.exitCode, 75);
  assert.match(err.message, new RegExp(`held by process ${process.pid} on `));

  await first.release();
  await assert.rejects(fs.access(file));
  const again = await acquireLock(file, { staleMs: HOUR, now, log: memoryLogger() });
  await again.release();
});

test('a lock left by a dead process on this host is taken over with a warning', async () => {
  const file = await lockPath();
  const pid = await deadPid();
  const now = Date.now();
  await fs.writeFile(file, JSON.stringify({ pid, host: os.hostname(), startedAt: new Date(now - 60_000).toISOString() }));

  const log = memoryLogger();
  const lock = await acquireLock(file, { staleMs: HOUR, now, log });
  assert.equal(JSON.parse(await fs.readFile(file, 'utf8')).pid, process.pid);
  assert.deepEqual(log.lines.length, 1);
  assert.match(log.lines[0]!, new RegExp(`^warning: took over the lock .* process ${pid} is no longer running`));
  await lock.release();
});

test('a lock older than the stale age is taken over, even if its process runs', async () => {
  const file = await lockPath();
  const now = Date.now();
  await fs.writeFile(file, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date(now - 2 * HOUR).toISOString() }));

  const log = memoryLogger();
  const lock = await acquireLock(file, { staleMs: HOUR, now, log });
  assert.match(log.lines.join('\n'), /older than 60 minutes/);
  await lock.release();
});

test('a fresh lock from another host is respected (its process cannot be checked from here)', async () => {
  const file = await lockPath();
  const now = Date.now();
  await fs.writeFile(file, JSON.stringify({ pid: await deadPid(), host: 'elsewhere.example.com', startedAt: new Date(now - 60_000).toISOString() }));
  await assert.rejects(acquireLock(file, { staleMs: HOUR, now, log: memoryLogger() }), LockedError);
});

test('an unreadable lock is judged by its age', async () => {
  const file = await lockPath();
  await fs.writeFile(file, '');
  const now = Date.now();
  await assert.rejects(acquireLock(file, { staleMs: HOUR, now, log: memoryLogger() }), LockedError);
  const lock = await acquireLock(file, { staleMs: HOUR, now: now + 2 * HOUR, log: memoryLogger() });
  await lock.release();
});

test('release removes the lock only while it is still ours', async () => {
  const file = await lockPath();
  const lock = await acquireLock(file, { staleMs: HOUR, now: Date.now(), log: memoryLogger() });
  const successor = JSON.stringify({ pid: 1, host: os.hostname(), startedAt: new Date().toISOString(), token: 'theirs' });
  await fs.writeFile(file, successor);

  await lock.release();
  assert.equal(await fs.readFile(file, 'utf8'), successor);
});
