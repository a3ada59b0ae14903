import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes `dir` and its missing parents, like `mkdir -p`, one folder at a time from the nearest one
 * that exists. Not `fs.mkdir(dir, { recursive: true })`: on Node 22 that never returns (it spins a
 * core) when the file system answers ENOENT for a folder whose parent exists, as /proc does
 * (`demo --out /proc/ro` hung for 14 minutes in the issue 15 trial; Node's recursive mkdir makes the
 * parent again on ENOENT, gets EEXIST, and retries the child forever).
 *
 * @throws the file system's error for the first folder that cannot be made (ENOENT, EACCES, EROFS,
 *   EPERM …), ENOTDIR when a parent is a file, EEXIST when `dir` itself is a file, or `dir` or a missing parent
 *   is a link to nothing, ELOOP for a link that never ends (a loop, or too many links) — the codes `mkdir -p` gives.
 */
export async function makeFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    try {
      const found = await stat(current);
      // A file where the folder should be: mkdir's own EEXIST (or ENOTDIR for a file parent).
      if (!found.isDirectory()) await mkdir(current);
      break;
    } catch (error) {
      const parent = path.dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      missing.push(current);
      current = parent;
    }
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (error) {
      // Made meanwhile by another writer (two gateways' deliveries at once): what we wanted. Not a
      // link to nothing, which stat saw as missing and mkdir finds there (a trial's `insights` link).
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await isFolder(folder))) throw error;
    }
  }
}

/** Whether `at` is a folder now (a link to one included). */
function isFolder(at: string): Promise<boolean> {
  return stat(at).then(
    (found) => found.isDirectory(),
    () => false,
  );
}
