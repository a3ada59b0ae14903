import { lstatSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Why `dir` (absolute) cannot be the folder a run writes into, or undefined: it, or a folder on the
 * way to it, is a file, a link to nothing or a link that never ends (a trial's `--out` loop
 * got the folder sink's "move what is in the way out of it" once per gateway). A folder that does not exist yet is fine (runs make it); one that cannot be
 * written is found when it is written, with its own error. Checked when the configuration is loaded,
 * so a run that could keep no state or write no insight stops before it reads any gateway, with one
 * line, rather than failing once per gateway (trial 18).
 */
export function folderProblem(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    let isFolder: boolean;
    try {
      isFolder = statSync(at).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Not there yet (made on the first write), or a file on the way (stat says so further up).
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        // A link to nothing: the folder cannot be made through it.
        const target = danglingLinkTarget(at);
        if (target !== undefined)
          return `${at} is a link to ${target}, which does not exist: make that folder, or point it at one (made if missing)`;
        if (path.dirname(at) === at) return undefined;
        continue;
      }
      if (code === 'ELOOP') {
        const loop = firstLoop(dir);
        return loop === dir
          ? `${dir} is a link that never ends (a loop, or too many links in a row): point it at a folder (made if missing)`
          : `${loop} is a link that never ends (a loop, or too many links in a row), so ${dir} cannot be a folder: point it at a folder (made if missing)`;
      }
      return undefined; // EACCES and the like: the write says what it is, with its own error
    }
    if (isFolder) return undefined;
    return at === dir
      ? `${dir} is a file, not a folder: point it at a folder (made if missing)`
      : `${at} is a file, so ${dir} cannot be a folder: point it at a folder (made if missing)`;
  }
}

/** Where `at` links to when it is a symbolic link whose target does not exist; else undefined. */
function danglingLinkTarget(at: string): string | undefined {
  try {
    return lstatSync(at).isSymbolicLink() ? readlinkSync(at) : undefined;
  } catch {
    return undefined; // not there at all
  }
}

/** The first path from the root down to `dir` that stat cannot follow (ELOOP): the looping link. */
function firstLoop(dir: string): string {
  const parts = dir.split(path.sep);
  for (let n = 2; n <= parts.length; n++) {
    const at = parts.slice(0, n).join(path.sep) || path.sep;
    try {
      statSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') return at;
    }
  }
  return dir;
}
