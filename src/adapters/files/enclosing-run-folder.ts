import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { RUN_LOCK_NAME } from './run-folder-lock';

/** A run's folder above another folder, and where that folder leads when a link made it another. */
export interface EnclosingRunFolder {
  /** The outermost folder above that holds a run's view. */
  readonly folder: string;
  /** The folder asked about, its links resolved; absent when no link on its path made it another. */
  readonly linkedTo?: string;
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
    if (isRunFolder(folder)) found = folder;
    if (path.dirname(folder) !== folder) continue;
    if (found === undefined) return undefined;
    return path.resolve(dir) === real ? { folder: found } : { folder: found, linkedTo: real };
  }
}

/** How deep below a folder, and how many folders, enclosedRunFolder looks: a run's folder is its own. */
const ENCLOSED_DEPTH = 6;
const ENCLOSED_FOLDERS = 10_000;

/**
 * A run's folder below `dir` (its links resolved; links below it are not followed), found level by
 * level, at most ENCLOSED_DEPTH levels down and ENCLOSED_FOLDERS folders looked at; undefined when none,
 * and when `dir` is a run's folder already. A run around another would keep its own view there, and
 * that run, once the outer one has written its page and report, is refused as inside it: a break trial,
 * `run --out a` after `demo --out a/inner`, and the scheduled inner run was refused on every run from
 * then on, its notices with it. A run's folder already is not searched: no run could have begun below
 * it since (refused as inside), so what looks like one there is a copy (a second trial: an `archive/`
 * of its own index.html and report.json stopped the run).
 */
export function enclosedRunFolder(dir: string): string | undefined {
  const real = realPath(dir);
  if (isRunFolder(real)) return undefined;
  let level = [real];
  let looked = 0;
  for (let depth = 0; depth < ENCLOSED_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const folder of level) {
      let entries;
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (!entry.isDirectory()) continue;
        const below = path.join(folder, entry.name);
        if (isRunFolder(below)) return below;
        if (++looked >= ENCLOSED_FOLDERS) return undefined;
        next.push(below);
      }
    }
    level = next;
  }
  return undefined;
}

/** Whether `folder` holds a run's current view: `index.html` beside a run report of ours, or a run's lock. */
function isRunFolder(folder: string): boolean {
  return (
    (existsSync(path.join(folder, 'index.html')) && isRunReport(path.join(folder, 'report.json'))) ||
    existsSync(path.join(folder, RUN_LOCK_NAME))
  );
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
