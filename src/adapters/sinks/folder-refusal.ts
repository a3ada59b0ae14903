import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import { clipMessage } from '../../core/text-clip';
import { firstObstacle } from '../files/first-obstacle';
import { ForeignEntriesError } from './foreign-entries';

/**
 * What a refusal asks of the user: `inTheWay`, move something out of the folder (a file, folder or
 * link where the sink writes, or a link or mount to another file system under it); `space`, free some;
 * `again`, nothing (another run wrote the same place at the same moment); `access`, let the account
 * write or point the folder elsewhere (permission, read-only, anything else).
 */
export type RefusalKind = 'inTheWay' | 'space' | 'again' | 'access';

/** A refusal in words (`text`, with its code) and what kind of advice fits it. */
export interface Refusal {
  readonly text: string;
  readonly kind: RefusalKind;
}

/**
 * Why the file system refused a write under `root` (the sink's folder), in words, with its code;
 * never the path it names (a staging folder's random name would make each failure of one cause a
 * different message) nor the call. What is in the way is named as the user would look for it: `it`
 * (the folder itself), or its path inside the folder (`runs`, `insights/<sub>`), the first along the
 * refused path; a link is said to be one, and where it leads (nowhere, back to itself, a file: a
 * trial saw "the folder cannot be made there (ENOENT)" for a link to nothing, and a bare ELOOP).
 */
export async function describeRefusal(root: string, error: unknown): Promise<Refusal> {
  if (error instanceof ForeignEntriesError) {
    const more = error.count > error.found.length ? ` and ${error.count - error.found.length} more` : '';
    return inTheWay(
      `${error.folder} holds what appgw-insights did not write there (${error.found.join(', ')}${more}), ` +
        `which replacing it would lose: this gateway's insights and their copies are left as they were until that is moved out of ${error.folder}`,
    );
  }
  const { code, message, syscall, path: refused, dest } = error as NodeJS.ErrnoException & { dest?: unknown };
  const paths = [dest, refused].filter((p): p is string => typeof p === 'string');
  switch (code) {
    case 'EISDIR': {
      const name = nameInside(root, paths[0]);
      return inTheWay(
        `a folder is where a file should be${name ? ` (the folder ${name} in it)` : ''} (EISDIR)`,
      );
    }
    case 'EEXIST':
    case 'ENOTDIR':
    case 'ELOOP':
    case 'ENOENT': {
      // rename onto a folder that is not empty may say EEXIST (POSIX) where Linux says ENOTEMPTY;
      // mkdir's EEXIST is something in the way.
      if (code === 'EEXIST' && syscall === 'rename') return writtenAtOnce(code);
      const found = await obstacleInside(root, paths.at(-1));
      if (found) return inTheWay(`${found.what} is where a folder should be (${found.named}) (${code})`);
      if (code === 'ELOOP')
        return inTheWay('links there never end (a loop, or too many links in a row) (ELOOP)');
      if (code === 'ENOENT') return { text: 'the folder cannot be made there (ENOENT)', kind: 'access' };
      return inTheWay(`a file is where a folder should be (${code})`);
    }
    case 'EXDEV': {
      const crossing = await firstOtherFileSystem(root, paths);
      return inTheWay(
        `${crossing ? `${crossing} is` : 'a part of it is'} on another file system (a link or a mount), and ` +
          `what is written in the folder is moved into place, which cannot cross file systems (EXDEV)`,
      );
    }
    case 'EBUSY': {
      // A mount point where the sink replaces a folder, or a folder another process is using.
      const named = await firstOtherFileSystem(root, paths);
      return inTheWay(
        `${named ? `${named} is` : 'a part of it is'} busy: a mount point, or in use by another process (EBUSY)`,
      );
    }
    case 'ENOTEMPTY':
      return writtenAtOnce(code);
    case 'EACCES':
    case 'EPERM':
      return { text: `permission denied (${code})`, kind: 'access' };
    case 'EROFS':
      return { text: 'the file system is read-only (EROFS)', kind: 'access' };
    case 'ENOSPC':
    case 'EDQUOT':
      return { text: `no space left (${code})`, kind: 'space' };
    default:
      return { text: code ?? clipMessage(String(message ?? error), 300, { oneLine: true }), kind: 'access' };
  }
}

function inTheWay(text: string): Refusal {
  return { text, kind: 'inTheWay' };
}

/** A rename onto a folder another run had just put there (ENOTEMPTY, or POSIX's EEXIST). */
function writtenAtOnce(code: string): Refusal {
  return { text: `another run wrote the same folder at the same moment (${code})`, kind: 'again' };
}

/**
 * otherFileSystem of the first of `paths` that names one: a rename's two paths are the staging
 * folder's (never named) and the one on the other side.
 */
async function firstOtherFileSystem(root: string, paths: readonly string[]): Promise<string | undefined> {
  for (const each of paths) {
    const found = await otherFileSystem(root, each);
    if (found) return found;
  }
  return undefined;
}

/** `target`'s path inside `root`, quoted and clipped; undefined outside it, for root, or in a staging folder. */
function nameInside(root: string, target: string | undefined): string | undefined {
  const parts = partsInside(root, target);
  if (!parts || parts.length === 0) return undefined;
  return quoted(parts);
}

function partsInside(root: string, target: string | undefined): string[] | undefined {
  if (target === undefined) return undefined;
  const relative = path.relative(root, target);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const parts = relative === '' ? [] : relative.split(path.sep);
  // A staging folder's random name would make each failure's message another.
  return parts.some((part) => part.startsWith('.staging-')) ? undefined : parts;
}

function quoted(parts: readonly string[]): string {
  return JSON.stringify(clipMessage(parts.join('/'), 200, { oneLine: true }));
}

/**
 * The first thing along `refused` (from `root` down) that is not a folder, nor a link to one
 * (files/first-obstacle.ts): what it is (`what`) and how it is named (`named`: `it is a file`, `the link
 * "insights" in it` …).
 */
async function obstacleInside(
  root: string,
  refused: string | undefined,
): Promise<{ readonly what: string; readonly named: string } | undefined> {
  const parts = partsInside(root, refused);
  if (!parts) return undefined;
  const found = await firstObstacle(root, parts);
  if (!found) return undefined;
  const inside = partsInside(root, found.at) ?? [];
  const named =
    inside.length === 0
      ? `it is ${found.what}`
      : `the ${found.link ? 'link' : 'file'} ${quoted(inside)} in it`;
  return { what: found.what, named };
}

/**
 * The first part of `target`'s path inside `root` that leads to another file system: a link, or a
 * folder on another device (a mount), named as `the link "insights" in it`; undefined when none is seen.
 */
async function otherFileSystem(root: string, target: string | undefined): Promise<string | undefined> {
  const parts = partsInside(root, target);
  const device = await stat(root).then(
    (s) => s.dev,
    () => undefined,
  );
  if (!parts || device === undefined) return undefined;
  for (let n = 1; n <= parts.length; n++) {
    const at = path.join(root, ...parts.slice(0, n));
    const own = await lstat(at).catch(() => undefined);
    if (!own) return undefined;
    if (own.isSymbolicLink()) return `the link ${quoted(parts.slice(0, n))} in it`;
    if (own.dev !== device) return `the folder ${quoted(parts.slice(0, n))} in it`;
  }
  return undefined;
}
