import { readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Files a desktop's file manager leaves in any folder it shows (Finder, Explorer): removed with the
 * folder, never a refusal (a trial: opening a gateway's folder in Finder stopped its delivery for good).
 */
const DESKTOP_FILES: ReadonlySet<string> = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);
/** Names listed in the refusal; the rest are counted. */
const SHOWN = 3;

/**
 * A gateway's folder holds entries the folder sink did not write (`found`: their paths in it, at most
 * a few, and how many in all): it is not replaced or removed, since it is replaced whole and what is in
 * it would be lost (a break trial: a run's folder, notify state and all, inside another run's
 * insights/<subscription>/<resource group>/<gateway> went with that run's next delivery, and its 12
 * notices were sent again). folder-refusal.ts says it as something in the way.
 */
export class ForeignEntriesError extends Error {
  constructor(
    /** The folder, relative to the sink's root (`insights/<sub>/<rg>/<gw>`). */
    readonly folder: string,
    readonly found: readonly string[],
    readonly count: number,
  ) {
    super(`${folder} holds what appgw-insights did not write`);
    this.name = 'ForeignEntriesError';
  }
}

/**
 * Throws ForeignEntriesError when `folder` (under `root`) holds anything but folders, files named as
 * the sink names them there (`ours`: insight-path.ts INSIGHT_FILE_NAME, STATUS_COPY_FILE_NAME) and a
 * file manager's DESKTOP_FILES: a file of another name (a user's `runbook.md`: any `.md` or `.html`
 * passed, and went with the folder: a break trial), a link, or one of ours named `.appgw-…` (a run's
 * lock). Nothing when it does not exist. Other failures to read it are thrown as they are (the sink says them).
 */
export async function refuseForeignEntries(root: string, folder: string, ours: RegExp): Promise<void> {
  const dir = path.join(root, folder);
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw error;
  }
  const foreign = entries
    .filter(
      (entry) =>
        entry.name.startsWith('.appgw-') ||
        (!entry.isDirectory() &&
          !(entry.isFile() && (ours.test(entry.name) || DESKTOP_FILES.has(entry.name)))),
    )
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort()
    // A foreign folder is named, not each file in it.
    .filter((name, _, all) => !all.some((other) => name.startsWith(`${other}${path.sep}`)));
  if (foreign.length > 0) throw new ForeignEntriesError(folder, foreign.slice(0, SHOWN), foreign.length);
}
