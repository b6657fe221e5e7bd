/**
 * Write a file so that a reader sees either the old or the new content,
 * never a torn one: temp file beside it, fsync, rename, fsync the folder.
 * A full disk or any other failure leaves the old file byte-identical.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** File mode for a new file; an existing file keeps this mode too. Default 0o600. */
  mode?: number;
  /** Keep the previous content as `<file>.bak` (written the same careful way). */
  backup?: boolean;
}

export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);

  if (options.backup) await backupExisting(file, mode);

  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, file);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }

  await syncDir(dir);
}

async function backupExisting(file: string, mode: number): Promise<void> {
  let previous: Buffer;
  try {
    previous = await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await writeFileAtomic(`${file}.bak`, previous, { mode });
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable; not every file system allows it.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: the data is already synced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
