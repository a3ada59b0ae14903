import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * What stands where a folder should be: a file, or a link that leads nowhere, back into itself, or to a
 * file. `at` is its absolute path; `link` says whether it is a link (a file is named "the file …", a link
 * "the link …").
 */
export interface Obstacle {
  readonly what:
    | 'a file'
    | 'a link to a file'
    | 'a link to nothing'
    | 'a link that never ends (a loop, or too many links in a row)';
  readonly at: string;
  readonly link: boolean;
}

/**
 * The first of `from`, `from/parts[0]`, `from/parts[0]/parts[1]` … that is neither a folder nor a link to
 * one; undefined when each is one, or when one is missing (nothing further along can be in the way).
 * Read-only (lstat and stat), for the words of a refusal (ENOTDIR, EEXIST, ELOOP, ENOENT through a link
 * to nothing) after it happened: a folder sink's `runs`, a state folder's `history` (trials named neither).
 */
export async function firstObstacle(from: string, parts: readonly string[]): Promise<Obstacle | undefined> {
  for (let n = 0; n <= parts.length; n++) {
    const at = path.join(from, ...parts.slice(0, n));
    const own = await lstat(at).catch(() => undefined);
    if (!own) return undefined;
    if (own.isDirectory()) continue;
    if (!own.isSymbolicLink()) return { what: 'a file', at, link: false };
    const target = await stat(at).then(
      (s) => (s.isDirectory() ? 'folder' : 'file'),
      (error: NodeJS.ErrnoException) => (error.code === 'ELOOP' ? 'loop' : 'nothing'),
    );
    if (target === 'folder') continue;
    const what = (
      {
        file: 'a link to a file',
        nothing: 'a link to nothing',
        loop: 'a link that never ends (a loop, or too many links in a row)',
      } as const
    )[target];
    return { what, at, link: true };
  }
  return undefined;
}

/**
 * firstObstacle along `folder`'s absolute path, from its file system's root: for a store that knows only
 * its file, not the folder the user chose.
 */
export function firstObstacleOf(folder: string): Promise<Obstacle | undefined> {
  const absolute = path.resolve(folder);
  const { root } = path.parse(absolute);
  const parts = path.relative(root, absolute).split(path.sep).filter(Boolean);
  return firstObstacle(root, parts);
}

/**
 * The refusals that something standing where a folder should be explains: ENOENT too, through a link to
 * nothing (a trial's TMPDIR); a folder that is simply missing has no obstacle, and is said as before.
 */
const OBSTACLE_CODES = new Set(['ENOTDIR', 'EEXIST', 'ELOOP', 'ENOENT']);

/**
 * firstObstacleOf `folder` when `error` is a refusal that something in a folder's place explains
 * (OBSTACLE_CODES); undefined for any other refusal, or when nothing is found. Never throws.
 * One test for every message that names what is in the way (the state store's, the demo's `--out`,
 * obstacleText's), each worded for its own message.
 */
export async function obstacleFor(folder: string, error: unknown): Promise<Obstacle | undefined> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !OBSTACLE_CODES.has(code)) return undefined;
  return firstObstacleOf(folder).catch(() => undefined);
}

/**
 * The words for a refusal to make or reach something in `folder` when what stands in a folder's place
 * can be named (obstacleFor): `a file is where a folder should be (/x/precious) (EEXIST)`; undefined
 * otherwise (the caller says the refusal's own code). A break trial saw `cannot write
 * /x/precious/c.json (EEXIST)` and `cannot make it: ENOTDIR` with nothing to say which file was in the
 * way.
 */
export async function obstacleText(folder: string, error: unknown): Promise<string | undefined> {
  const found = await obstacleFor(folder, error);
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return found ? `${found.what} is where a folder should be (${found.at}) (${code})` : undefined;
}
