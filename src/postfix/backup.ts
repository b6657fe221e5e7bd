/**
 * Copies of every file a run may change, taken before the first change, so
 * a failed run can put each one back byte for byte (and remove files the run
 * created). The folder is 0700: it holds the old sasl_passwd.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface BackupEntry {
  file: string;
  /** False when the file did not exist: restoring removes it. */
  existed: boolean;
  mode: number;
}

export interface Backup {
  dir: string;
  entries: BackupEntry[];
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function backupStamp(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export async function createBackup(wantedDir: string, files: string[]): Promise<Backup> {
  await fs.mkdir(path.dirname(wantedDir), { recursive: true, mode: 0o700 });
  const dir = await makeFreshDir(wantedDir);

  const entries: BackupEntry[] = [];
  for (const file of files) entries.push(await copyOne(file, dir));

  await writeFileAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify({ entries }, null, 2)}\n`);
  return { dir, entries };
}

/** Two runs in the same second get `<stamp>-1`, `<stamp>-2`, … instead of sharing a folder. */
async function makeFreshDir(wanted: string): Promise<string> {
  for (let n = 0; ; n++) {
    const dir = n === 0 ? wanted : `${wanted}-${n}`;
    try {
      await fs.mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw err;
    }
  }
}

async function copyOne(file: string, dir: string): Promise<BackupEntry> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, existed: false, mode: 0 };
    throw err;
  }

  const copy = path.join(dir, path.basename(file));
  await fs.copyFile(file, copy);
  await fs.chmod(copy, stat.mode & 0o7777);
  return { file, existed: true, mode: stat.mode & 0o7777 };
}

/** Put every file back as it was; returns the files restored or removed. */
export async function restoreBackup(backup: Backup): Promise<string[]> {
  const touched: string[] = [];
  for (const entry of backup.entries) {
    if (entry.existed) {
      const data = await fs.readFile(path.join(backup.dir, path.basename(entry.file)));
      await writeFileAtomic(entry.file, data, { mode: entry.mode });
    } else {
      await fs.rm(entry.file, { force: true });
    }
    touched.push(entry.file);
  }
  return touched;
}
