import { lstat, rm } from 'node:fs/promises';

/**
 * A temporary file or folder lives for the moments of one write; one last changed longer ago than this
 * was left by a process killed meanwhile (a younger one may be another process's, at work now). The
 * folder sink's `.staging-` folders and temporary files, and the state folder's, are judged by it.
 */
export const LEFT_OVER_AGE_IN_MS = 60 * 60 * 1000;

/**
 * Removes `at` when it is a `kind` of its own (lstat: a link is never taken, nor what it leads to) last
 * changed before `beforeInMs` (epoch ms; default LEFT_OVER_AGE_IN_MS ago). The caller matched its name
 * to the ones its writer gives, so a user's file named otherwise is never looked at. Best effort: what
 * cannot be read or removed stays, and says nothing.
 */
export async function removeIfLeftOver(
  at: string,
  kind: 'file' | 'folder',
  beforeInMs: number = Date.now() - LEFT_OVER_AGE_IN_MS,
): Promise<void> {
  const changed = await lstat(at).then(
    (s) => ((kind === 'folder' ? s.isDirectory() : s.isFile()) ? s.mtimeMs : undefined),
    () => undefined,
  );
  if (changed !== undefined && changed < beforeInMs)
    await rm(at, { recursive: kind === 'folder', force: true }).catch(() => undefined);
}
