/**
 * One run at a time: a lock file created with O_EXCL holding who took it.
 * A held lock fails at once (exit 75, nothing changed). A lock whose process
 * is gone (same host) or that is older than the stale age is taken over with
 * a warning, so a crashed or killed run never blocks cron for good.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { LockedError, StateError, errorMessage } from '../errors.js';
import type { Logger } from '../output.js';
import { toIsoZ } from '../util/time.js';

export interface LockOptions {
  /** A lock older than this is taken over. */
  staleMs: number;
  now: number;
  log: Logger;
}

export interface Lock {
  release(): Promise<void>;
}

interface LockContent {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
}

export async function acquireLock(lockFile: string, options: LockOptions): Promise<Lock> {
  const mine: LockContent = { pid: process.pid, host: os.hostname(), startedAt: toIsoZ(options.now), token: randomUUID() };
  const text = `${JSON.stringify(mine)}\n`;

  if (await tryCreate(lockFile, text)) return releaser(lockFile, mine.token);

  const held = await readHolder(lockFile);
  const why = staleReason(held, options);
  if (!why) throw new LockedError(`${lockFile} is held by ${describe(held)}`);

  await takeOver(lockFile, held, why, options.log);
  if (await tryCreate(lockFile, text)) return releaser(lockFile, mine.token);
  throw new LockedError(`${lockFile} was taken by another run while replacing a stale lock`);
}

async function tryCreate(lockFile: string, text: string): Promise<boolean> {
  try {
    await fs.writeFile(lockFile, text, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StateError('LOCK_FAILED', `cannot create lock file ${lockFile}: ${errorMessage(err)}`, {
      hint: 'Check that the folder of the state file exists and is writable.',
    });
  }
}

type Holder = { content?: LockContent; raw: string; mtimeMs: number } | undefined;

async function readHolder(lockFile: string): Promise<Holder> {
  try {
    const [raw, stat] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile)]);
    return { content: parseContent(raw), raw, mtimeMs: stat.mtimeMs };
  } catch {
    return undefined; // Gone in the meantime: free.
  }
}

function parseContent(raw: string): LockContent | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockContent>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string') {
      return { pid: v.pid, host: v.host, startedAt: v.startedAt, token: String(v.token ?? '') };
    }
  } catch {
    // Unreadable content: judged by the file's age alone.
  }
  return undefined;
}

/** Why the lock may be taken over, or undefined while its holder may still run. */
function staleReason(held: Holder, options: LockOptions): string | undefined {
  if (!held) return 'it disappeared';
  const c = held.content;
  if (c && c.host === os.hostname() && !processAlive(c.pid)) return `process ${c.pid} is no longer running`;

  const started = c ? Date.parse(c.startedAt) : held.mtimeMs;
  const since = Number.isNaN(started) ? held.mtimeMs : started;
  if (options.now - since > options.staleMs) return `it is older than ${Math.round(options.staleMs / 60_000)} minutes`;
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Rename the stale lock aside (only one contender can), then check that what
 * was renamed is the lock judged stale and not a fresh one just created by
 * another run; if it is fresh, put it back.
 */
async function takeOver(lockFile: string, held: Holder, why: string, log: Logger): Promise<void> {
  if (!held) return;
  const aside = `${lockFile}.stale-${process.pid}-${randomUUID()}`;
  try {
    await fs.rename(lockFile, aside);
  } catch {
    return; // Someone else removed it first; the create decides.
  }

  const renamed = await fs.readFile(aside, 'utf8').catch(() => '');
  if (renamed !== held.raw) {
    await fs.link(aside, lockFile).catch(() => undefined);
    await fs.rm(aside, { force: true });
    throw new LockedError(`${lockFile} was taken by another run while replacing a stale lock`);
  }

  await fs.rm(aside, { force: true });
  log.warn(`took over the lock ${lockFile} from ${describe(held)}: ${why}`);
}

function describe(held: Holder): string {
  const c = held?.content;
  return c ? `process ${c.pid} on ${c.host} since ${c.startedAt}` : 'an unknown process';
}

function releaser(lockFile: string, token: string): Lock {
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const raw = await fs.readFile(lockFile, 'utf8').catch(() => '');
      // Only our own lock: a run that was judged stale must not remove its successor's.
      if (parseContent(raw)?.token === token) await fs.rm(lockFile, { force: true });
    },
  };
}
