import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * A temporary file or folder lives for the moments of one write (or, a run's temporary folder, for
 * the run, written to as its gateways are done); one last changed longer ago than this was left by a
 * process killed meanwhile (a younger one may be another process's, at work now). The folder sink's
 * `.staging-` folders and temporary files, the state folder's, and a run's temporary folder are
 * judged by it.
 */
export const LEFT_OVER_AGE_IN_MS = 60 * 60 * 1000;

/**
 * Removes `at` when it is a `kind` of its own (lstat: a link is never taken, nor what it leads to) last
 * changed more than LEFT_OVER_AGE_IN_MS ago; a folder's last change is the newest of its own and its
 * entries' (writing into a file it holds does not change the folder's own time). The caller matched
 * its name to the ones its writer gives, so a user's file named otherwise is never looked at. Best
 * effort: what cannot be read or removed stays, and says nothing.
 */
export async function removeIfLeftOver(at: string, kind: 'file' | 'folder'): Promise<void> {
  const changed = await lastChangeInMs(at, kind).catch(() => undefined);
  if (changed !== undefined && changed < Date.now() - LEFT_OVER_AGE_IN_MS)
    await rm(at, { recursive: kind === 'folder', force: true }).catch(() => undefined);
}

/** When `at` last changed (epoch ms), or undefined when it is not a `kind` of its own. Throws as lstat. */
async function lastChangeInMs(at: string, kind: 'file' | 'folder'): Promise<number | undefined> {
  const own = await lstat(at);
  if (kind === 'file') return own.isFile() ? own.mtimeMs : undefined;
  if (!own.isDirectory()) return undefined;
  let newest = own.mtimeMs;
  for (const name of await readdir(at)) newest = Math.max(newest, (await lstat(path.join(at, name))).mtimeMs);
  return newest;
}
