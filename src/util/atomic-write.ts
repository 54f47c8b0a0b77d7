/**
 * The one way regsize replaces a file (`report --output`, cache entries): readers (a web
 * server, a chat bot, another regsize) see the old file or the whole new one, never half, and
 * nobody else who can write to the folder can turn the write against the user.
 *
 *   1. The temporary file sits in the target's folder (rename is atomic only within one file
 *      system) under a name with 96 random bits: no one can plant a symlink there in advance.
 *   2. It is opened O_CREAT|O_EXCL|O_WRONLY (flag "wx"): should the name exist anyway, as a
 *      file or a symlink, the open fails instead of following it; another random name is tried.
 *   3. It gets an explicit mode: the replaced file's own mode when there is one (a report kept
 *      0600 stays 0600), else the caller's default (0644 for a report; the umask applies).
 *   4. The bytes are fsynced before the rename, so a crash never leaves an empty file in
 *      place of the old one; then the folder is fsynced so the rename itself is durable.
 * On any failure the temporary file is removed, only if this call created it.
 *
 * writeFileAtomicSync takes the same steps without yielding, for the one caller that holds a
 * lock across the write and must not let the event loop run in between (the size history).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, fchmodSync, lstatSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export interface AtomicWriteOptions {
  /** Mode of a new file. @default 0o644 */
  mode?: number;
  /** Keep the mode of the file being replaced. @default true */
  keepMode?: boolean;
  /** Temporary names start with this (the cache sweeps its own by prefix). @default ".<name>." */
  tempPrefix?: string;
  /**
   * fsync the data and the folder. The cache turns it off: its entries are checked against
   * their digest on every read, so a torn one costs a refetch, not a wrong answer. @default true
   */
  durable?: boolean;
}

const ATTEMPTS = 5;

/** Step 1: a name in the target's folder that nobody can have planted in advance. */
function tempName(folder: string, prefix: string): string {
  return join(folder, `${prefix}${randomBytes(12).toString('hex')}.tmp`);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, o: AtomicWriteOptions = {}): Promise<void> {
  const target = resolve(file);
  const folder = dirname(target);
  const kept = (o.keepMode ?? true) ? await existingMode(target) : undefined;
  const mode = kept ?? o.mode ?? 0o644;
  const durable = o.durable ?? true;
  const prefix = o.tempPrefix ?? `.${basename(target)}.`;
  for (let attempt = 1; ; attempt++) {
    const temp = tempName(folder, prefix);
    let handle;
    try {
      handle = await open(temp, 'wx', mode);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < ATTEMPTS) continue;
      throw e;
    }
    try {
      try {
        // open() applies the umask, right for a new file; a kept mode is restored exactly.
        if (kept !== undefined) await handle.chmod(kept);
        await handle.writeFile(data);
        if (durable) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (e) {
      await unlink(temp).catch(() => {});
      throw e;
    }
    if (durable) await syncFolder(folder);
    return;
  }
}

export interface AtomicWriteSyncOptions {
  /** Mode of a new file. @default 0o644 */
  mode?: number;
  /**
   * Replace the file a symlink points to instead of the link (the history database may be a
   * link into a synced folder, and the link must stay). @default false
   */
  followSymlink?: boolean;
}

/** writeFileAtomic's steps 1-4 without yielding; always durable, always keeps the replaced file's mode. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, o: AtomicWriteSyncOptions = {}): void {
  let target = resolve(file);
  if (o.followSymlink) {
    try {
      target = realpathSync(target);
    } catch {
      // nothing there yet: a new file
    }
  }
  const folder = dirname(target);
  const kept = existingModeSync(target);
  for (let attempt = 1; ; attempt++) {
    const temp = tempName(folder, `.${basename(target)}.`);
    let fd;
    try {
      fd = openSync(temp, 'wx', kept ?? o.mode ?? 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < ATTEMPTS) continue;
      throw e;
    }
    try {
      try {
        if (kept !== undefined) fchmodSync(fd, kept);
        writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, target);
    } catch (e) {
      rmSync(temp, { force: true });
      throw e;
    }
    syncFolderSync(folder);
    return;
  }
}

function existingModeSync(file: string): number | undefined {
  try {
    const st = lstatSync(file);
    return st.isFile() ? st.mode & 0o7777 : undefined;
  } catch {
    return undefined;
  }
}

function syncFolderSync(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // as in syncFolder
  }
}

/** The mode of the regular file at `file`; undefined when there is none (nothing, or a symlink: its target's mode is not ours to copy). */
async function existingMode(file: string): Promise<number | undefined> {
  try {
    const st = await lstat(file);
    return st.isFile() ? st.mode & 0o7777 : undefined;
  } catch {
    return undefined;
  }
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const dir = await open(folder, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename has happened all the same.
  }
}

/**
 * A command's --output file, replaced atomically (a web server or a chat bot reading it never
 * sees half a report); a failure is the user's to fix (a missing folder, no permission): exit 2
 * with one line naming the file.
 */
export async function writeOutputFile(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, text, { mode: 0o644 });
  } catch (e) {
    throw new UsageError('INVALID_INPUT', `cannot write ${file}: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`);
  }
}
