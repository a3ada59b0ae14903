import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { RUN_LOCK_NAME } from './run-folder-lock';

/**
 * The nearest folder above `dir` (its links resolved) that holds a run's current view: `index.html`
 * beside `report.json`, or a run's lock (a run's folder before its first page: its first run under way);
 * undefined when none does. A run, the demo or `evaluate` writing inside it would have its files replaced
 * or removed by that run, and replace that run's (a break trial: `--out out/insights`, and a link to it).
 */
export function enclosingRunFolder(dir: string): string | undefined {
  for (let folder = path.dirname(realPath(dir)); ; folder = path.dirname(folder)) {
    const runs =
      (existsSync(path.join(folder, 'index.html')) && existsSync(path.join(folder, 'report.json'))) ||
      existsSync(path.join(folder, RUN_LOCK_NAME));
    if (runs) return folder;
    if (path.dirname(folder) === folder) return undefined;
  }
}

/** `dir` with its links resolved, as far as it exists (the rest as given). */
function realPath(dir: string): string {
  const absolute = path.resolve(dir);
  for (let existing = absolute; ; existing = path.dirname(existing)) {
    try {
      return path.join(realpathSync(existing), path.relative(existing, absolute));
    } catch {
      if (path.dirname(existing) === existing) return absolute;
    }
  }
}
