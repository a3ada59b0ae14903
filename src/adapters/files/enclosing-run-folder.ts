import { closeSync, existsSync, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { RUN_LOCK_NAME } from './run-folder-lock';

/** A run's folder above another folder, and where that folder is once its links are resolved. */
export interface EnclosingRunFolder {
  /** The outermost folder above that holds a run's view. */
  readonly folder: string;
  /** The folder asked about, its links resolved (as given when it has none). */
  readonly real: string;
}

/**
 * The outermost folder above `dir` (its links resolved) that holds a run's current view: `index.html`
 * beside `report.json`, or a run's lock (a run's folder before its first page: its first run under way);
 * undefined when none does. A run, the demo or `evaluate` writing inside it would have its files replaced
 * or removed by that run, and replace that run's (a break trial: `--out out/insights`, and a link to it).
 * The outermost, so a folder named beside it is outside every one (a trial: beside the nearest of two,
 * nested, was inside the other).
 */
export function enclosingRunFolder(dir: string): EnclosingRunFolder | undefined {
  const real = realPath(dir);
  let found: string | undefined;
  for (let folder = path.dirname(real); ; folder = path.dirname(folder)) {
    const runs =
      (existsSync(path.join(folder, 'index.html')) && isRunReport(path.join(folder, 'report.json'))) ||
      existsSync(path.join(folder, RUN_LOCK_NAME));
    if (runs) found = folder;
    if (path.dirname(folder) === folder) return found === undefined ? undefined : { folder: found, real };
  }
}

/**
 * Whether `file` is a run report of ours: JSON whose first key is `schemaVersion` or `runId` and that
 * names a `runId` within its first KiB (core/run-report.ts writes them first). A site's own index.html
 * beside a report.json of its own was taken for a run's folder, and the advice said to remove them (a
 * trial). Read no further: a report of 20 000 gateways is tens of MB.
 */
function isRunReport(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(1024);
    const read = readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, read).toString('utf8');
    return /^\s*\{\s*"(?:schemaVersion|runId)"\s*:/.test(text) && /"runId"\s*:\s*"/.test(text);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
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
