import { rmSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder } from '../adapters/files/make-folder';

/**
 * A file whose existence means "ready" (`emulator --config-out FILE`), so a second command can wait
 * for it (`until [ -f FILE ]; do sleep 0.2; done`) and read it whole. It is written to a temporary
 * name in the same folder and renamed into place: a rename within one file system is atomic, so the
 * file is either absent or complete, never half written. `remove()` takes it away again (the emulator
 * stops), and a process that exits by any other path removes it too (an `exit` listener).
 */
export interface ReadyFile {
  /** The absolute path. */
  readonly file: string;
  /** Removes the file; safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * Writes `text` to `file` atomically (temp file + rename in the same folder; the folder is made if
 * missing). Throws the file system's error (EACCES, ENOTDIR …) when it cannot be written.
 */
export async function writeReadyFile(file: string, text: string): Promise<ReadyFile> {
  const target = path.resolve(file);
  await makeFolder(path.dirname(target));
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
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
