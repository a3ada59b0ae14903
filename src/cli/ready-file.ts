import { rmSync } from 'node:fs';
import { link, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder } from '../adapters/files/make-folder';

/**
 * A file whose existence means "ready" (`emulator --config-out FILE`), so a second command can wait
 * for it (`until [ -f FILE ]; do sleep 0.2; done`) and read it whole. It is written to a temporary
 * name in the same folder and hard-linked into place: a link within one file system is atomic, so the
 * file is either absent or complete, never half written, and, unlike a rename, it never replaces a
 * file already there (issue 15's trial: a second emulator's FILE replaced the first's, and the first,
 * stopping, removed the second's). `remove()` takes it away again (the emulator
 * stops), and a process that exits by any other path removes it too (an `exit` listener).
 */
/** The ready file exists already: another process's, or one left by a process that was killed. */
export class ReadyFileExistsError extends Error {
  override readonly name = 'ReadyFileExistsError';
  constructor(readonly file: string) {
    super(`${file} exists already`);
  }
}

export interface ReadyFile {
  /** The absolute path. */
  readonly file: string;
  /** Removes the file; safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * Writes `text` to `file` atomically (temp file + hard link in the same folder; the folder is made if
 * missing). Throws ReadyFileExistsError when `file` exists already; the file system's error when it
 * cannot be written (EACCES, ENOTDIR …).
 */
export async function writeReadyFile(file: string, text: string): Promise<ReadyFile> {
  const target = path.resolve(file);
  await makeFolder(path.dirname(target));
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await link(temp, target).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EEXIST' ? new ReadyFileExistsError(target) : error;
    });
  } finally {
    await rm(temp, { force: true });
  }
  const removeSync = () => rmSync(target, { force: true });
  process.once('exit', removeSync);
  return {
    file: target,
    remove: async () => {
      process.off('exit', removeSync);
      await rm(target, { force: true });
    },
  };
}
