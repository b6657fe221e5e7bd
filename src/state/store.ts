/**
 * The state file: checkpoint, de-duplication memory, per-rule history and
 * cooldowns, and mail waiting for delivery. Written atomically with the
 * previous content kept as `<file>.bak`. An unreadable state is never
 * silently reset (that floods or misses alerts): the backup is restored, or
 * the run stops naming the file, which is moved aside.
 */
import { promises as fs } from 'node:fs';
import { StateError, errorMessage } from '../errors.js';
import type { Logger } from '../output.js';
import type { StateFile } from '../types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { toIsoZ } from '../util/time.js';
import { stateProblem } from './validate.js';

export { compactState } from './compact.js';

export function emptyState(): StateFile {
  return { version: 1, seenEvents: {}, rules: {}, outbox: [] };
}

type ReadOutcome = { kind: 'ok'; state: StateFile } | { kind: 'missing' } | { kind: 'bad'; reason: string };

export async function loadState(
  file: string,
  log: Logger,
  now: number = Date.now(),
): Promise<{ state: StateFile; restoredFromBackup: boolean }> {
  const primary = await readState(file);
  if (primary.kind === 'ok') return { state: primary.state, restoredFromBackup: false };

  const backupFile = `${file}.bak`;
  const backup = await readState(backupFile);

  if (primary.kind === 'missing') {
    if (backup.kind !== 'ok') return { state: emptyState(), restoredFromBackup: false };
    log.warn(`state file ${file} is missing; restored the previous state from ${backupFile} (delete both files to start afresh)`);
    return { state: backup.state, restoredFromBackup: true };
  }

  // Moved aside, so the next save does not turn the good backup into a copy of the bad file.
  const moved = await moveAside(file, now);
  const where = moved.to ? `moved it to ${moved.to}` : `could not move it aside (${moved.error})`;

  if (backup.kind === 'ok') {
    log.warn(`state file ${file} is not valid (${primary.reason}); restored the previous state from ${backupFile} and ${where}`);
    return { state: backup.state, restoredFromBackup: true };
  }

  throw new StateError('STATE_CORRUPT', `state file ${file} is not valid (${primary.reason}) and has no valid backup; ${where}`, {
    hint: 'Repair the moved file and put it back, or let the next run start afresh from the first-run look-back (alerts from that period may repeat).',
  });
}

/**
 * Read without side effects (for `state show`): the file, else its valid
 * backup, else an empty state when neither exists. Nothing is moved.
 */
export async function inspectState(
  file: string,
): Promise<{ state: StateFile; source: 'file' | 'backup' | 'none'; problem?: string }> {
  const primary = await readState(file);
  if (primary.kind === 'ok') return { state: primary.state, source: 'file' };

  const backup = await readState(`${file}.bak`);
  const problem = primary.kind === 'bad' ? primary.reason : 'the file is missing';
  if (backup.kind === 'ok') return { state: backup.state, source: 'backup', problem };
  if (primary.kind === 'missing') return { state: emptyState(), source: 'none' };

  throw new StateError('STATE_CORRUPT', `state file ${file} is not valid (${primary.reason}) and has no valid backup`, {
    hint: 'The next run moves it aside and stops; repair it or remove it to start afresh.',
  });
}

async function readState(file: string): Promise<ReadOutcome> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'bad', reason: `cannot read it: ${errorMessage(err)}` };
  }

  if (text.trim() === '') return { kind: 'bad', reason: 'the file is empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { kind: 'bad', reason: `not JSON: ${errorMessage(err)}` };
  }

  const problem = stateProblem(parsed);
  return problem ? { kind: 'bad', reason: problem } : { kind: 'ok', state: parsed as StateFile };
}

async function moveAside(file: string, now: number): Promise<{ to?: string; error?: string }> {
  const stamp = toIsoZ(now).replace(/[-:]/g, '').replace(/\.\d+/, '');
  for (let n = 0; n < 100; n++) {
    const to = `${file}.corrupt-${stamp}${n ? `-${n}` : ''}`;
    try {
      await fs.access(to);
      continue;
    } catch {
      // Free name.
    }
    try {
      await fs.rename(file, to);
      return { to };
    } catch (err) {
      return { error: errorMessage(err) };
    }
  }
  return { error: 'no free name' };
}

/** Atomic, mode 0600, previous content kept as `<file>.bak`; on failure the old state is unchanged. */
export async function saveState(file: string, state: StateFile): Promise<void> {
  try {
    await writeFileAtomic(file, `${JSON.stringify(state)}\n`, { mode: 0o600, backup: true });
  } catch (err) {
    throw new StateError('STATE_WRITE_FAILED', `could not write state file ${file}: ${errorMessage(err)}; the previous state is unchanged`, {
      hint: 'Free disk space or fix the permissions of its folder; the next run retries.',
      cause: err,
    });
  }
}

/** Size of the state file in bytes, 0 when it does not exist. */
export async function stateFileSize(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return 0;
  }
}
