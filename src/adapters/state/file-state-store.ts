import { createHash, randomUUID } from 'node:crypto';
import { link, lstat, open, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StateConflictError, StateUnavailableError } from '../../errors';
import { clipMessage } from '../../core/text-clip';
import { obstacleFor, type Obstacle } from '../files/first-obstacle';
import { removeIfLeftOver } from '../files/left-over';
import { makeFolder } from '../files/make-folder';
import { createWhole } from '../files/create-whole';
import { parseDocument, serialiseDocument, type StateStore, type StoredDocument } from './state-store';
import { processIsGone } from '../files/process-gone';

export interface FileStateStoreOptions {
  /** The JSON file holding the document; its folder is created on the first write. */
  readonly file: string;
  /** A lock file older than this was left by a crashed process and is broken. Default 30 s. */
  readonly staleLockInMs?: number;
  /** How long a write waits for another process's lock before giving up. Default 10 s. */
  readonly lockTimeoutInMs?: number;
  /** What the failures advise (default STATE_DIR_ADVICE: the config's `state.dir`). */
  readonly advice?: StateFolderAdvice;
  /**
   * After each write, remove this document's leftovers of killed writes from its folder
   * (documentLeftBehind, once over LEFT_OVER_AGE_IN_MS old). For a document whose folder no listing
   * tidies: the silences at the top of state.dir, whose `silence add` killed mid-write left its files
   * for good (a trial). The run's listing of state.dir reads the top too, but tidies only beside the
   * gateways' documents (`<sub>/<rg>/`: a user's files named alike at the top were removed, a break
   * trial). It costs a listing of the folder per write, so the gateways' documents, whose folders every
   * run lists anyway (keyed-state-stores.ts), go without. Default false.
   */
  readonly tidiesAfterWrite?: boolean;
}

/**
 * The document (a file name, `x.json`) whose write, killed in the middle, left a file named `name`
 * beside it, or undefined when `name` is not such a file's: the temporary file the write was writing
 * (`x.json.<pid>.<uuid>.tmp`), the file its lock's token was written to before it became the lock
 * (`x.json.lock.<pid>.<uuid>.tmp`) or a stale lock it had moved aside to break it
 * (`x.json.lock.stale-<uuid>`), exactly. Nothing else tidied them (a new-user trial found the folder
 * sink's alike). Whose it is matters: `silences.json.mine.json.888.<uuid>.tmp` only ended like one of
 * `silences.json`'s, and `silence add` removed it (a break trial).
 */
export function documentLeftBehind(name: string): string | undefined {
  return KILLED_WRITE.exec(name)?.[1];
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const KILLED_WRITE = new RegExp(
  `^(.+\\.json)(?:(?:\\.lock)?\\.\\d+\\.${UUID}\\.tmp|\\.lock\\.stale-${UUID})$`,
);

/**
 * The advice of a state file's failures, worded for how the user chose the folder: the config's
 * `state.dir` (STATE_DIR_ADVICE), or a verb that has no config and keeps its state in a folder of its
 * own (`demo`: `<--out>/.appgw-state`), so the advice is something that verb's user can do.
 */
export interface StateFolderAdvice {
  /** EACCES, EPERM: the account may not read or write it. */
  readonly access: string;
  /** EISDIR: a folder where a document should be. */
  readonly folderInTheWay: string;
  /** ENOTDIR, EEXIST, ELOOP: a file or a link where a folder of its path should be (the error names it). */
  readonly fileInTheWay: string;
  /** EROFS: a read-only file system. */
  readonly readOnly: string;
  /** Any other failure (retryable). */
  readonly other: string;
}

/** The advice when the folder is the config's `state.dir` (APPGW_STATE_DIR). */
export const STATE_DIR_ADVICE: StateFolderAdvice = {
  access:
    'Give the account that runs appgw-insights read and write access to state.dir (APPGW_STATE_DIR) and ' +
    'everything in it, or point state.dir at a folder it owns.',
  folderInTheWay: 'Move that folder away: state.dir holds one JSON file per gateway.',
  fileInTheWay:
    'Move the file or link in the way (named above) out of there: state.dir (APPGW_STATE_DIR) and the folders in it must be folders. Or point state.dir at another folder.',
  readOnly: 'Point state.dir (APPGW_STATE_DIR) at a writable folder.',
  other: 'Check state.dir (APPGW_STATE_DIR); the next run tries again.',
};

/**
 * A state store in one local JSON file, safe against other processes writing the same file.
 * The etag is a hash of the file's bytes. A write takes `<file>.lock` (created exclusively, `wx`),
 * re-reads the file and compares etags under the lock, then writes a temporary file and renames it over
 * the document, so readers (which take no lock) see the old or the new document, never half of one.
 * A lock older than `staleLockInMs` is taken to be a crashed writer's and is broken (one of a live
 * process of this machine only past LIVE_OWNER_STALE_IN_MS, and a write whose lock was broken meanwhile
 * is a StateConflictError, never a rename over what another wrote); so is, at once, a lock of this
 * machine whose process is gone (issue 14's trial: a run killed twice left its locks, and a
 * run started at once waited 10 s for each, gave up, and exited 2, though no other run was active).
 */
export function createFileStateStore<T>(options: FileStateStoreOptions): StateStore<T> {
  const file = path.resolve(options.file);
  const name = `state file ${file}`;
  const advice = options.advice ?? STATE_DIR_ADVICE;
  const lock = new LockFile(
    name,
    `${file}.lock`,
    options.staleLockInMs ?? 30_000,
    options.lockTimeoutInMs ?? 10_000,
    advice,
  );

  const readCurrent = async (): Promise<{ text: string; etag: string } | undefined> => {
    try {
      const bytes = await readDocument(file);
      if (bytes === NOT_A_FILE)
        throw new StateUnavailableError(
          name,
          'cannot read it: it is not a file (a pipe, socket or device)',
          'Move it out of there: appgw-insights keeps one JSON file there, and makes it itself.',
          { retryable: false },
        );
      return { text: bytes.toString('utf8'), etag: etagOf(bytes) };
    } catch (error) {
      if (error instanceof StateUnavailableError) throw error;
      if (isErrno(error, 'ENOENT') && !(await isLink(file))) return undefined;
      if (isErrno(error, 'ENOENT')) {
        // A link to nothing is not "no state yet": its notices are where it leads (a disk not mounted),
        // and a write would have replaced the link with a file of its own (a break trial's silences.json).
        throw new StateUnavailableError(
          name,
          'cannot read it: it is a link to nothing',
          'If the disk it leads to is not mounted, mount it; otherwise move the link out of there.',
          { retryable: true, cause: error },
        );
      }
      throw await namedFileStateError(name, 'read', error, advice, path.dirname(file));
    }
  };

  return {
    name,

    async read(): Promise<StoredDocument<T> | undefined> {
      const current = await readCurrent();
      if (!current) return undefined;
      return parseDocument<T>(current.text, current.etag, name);
    },

    async write(value: T, expectedEtag: string | undefined): Promise<string> {
      const text = serialiseDocument(value);
      await makeFolder(path.dirname(file)).catch(async (error: unknown) => {
        throw await namedFileStateError(name, 'create the folder of', error, advice, path.dirname(file));
      });
      const { token, release } = await lock.acquire();
      try {
        const current = await readCurrent();
        if (current?.etag !== expectedEtag) throw new StateConflictError(name);
        const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
        try {
          await writeFile(temp, text, { encoding: 'utf8', flush: true });
          // Broken as stale while this process stalled: another may have written since.
          await lock.stillHeld(token);
          await rename(temp, file);
        } catch (error) {
          await rm(temp, { force: true }).catch(() => undefined);
          if (error instanceof StateConflictError) throw error;
          throw fileStateError(name, 'write', error, advice);
        }
        return etagOf(Buffer.from(text, 'utf8'));
      } finally {
        await release();
        if (options.tidiesAfterWrite) await removeLeftoversOf(file);
      }
    },
  };
}

/**
 * Removes the leftovers of killed writes of `file` (documentLeftBehind) from its folder, once old
 * (removeIfLeftOver). Best effort: never throws.
 */
async function removeLeftoversOf(file: string): Promise<void> {
  const folder = path.dirname(file);
  const document = path.basename(file);
  const entries = await readdir(folder).catch(() => []);
  for (const entry of entries) {
    if (documentLeftBehind(entry) === document) await removeIfLeftOver(path.join(folder, entry), 'file');
  }
}

/** Content hash as an etag. Equal content, equal etag: a writer whose read matches the content is not stale. */
function etagOf(bytes: Buffer): string {
  return `"sha256-${createHash('sha256').update(bytes).digest('base64url')}"`;
}

/**
 * Why a state file could not be used, as StateUnavailableError: the errno's meaning (never the
 * file's content), what to do (`advice`, default the config's state.dir), and whether the next run may
 * fare better.
 */
export function fileStateError(
  document: string,
  action: string,
  error: unknown,
  advice: StateFolderAdvice = STATE_DIR_ADVICE,
  obstacle?: Obstacle,
): StateUnavailableError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const inTheWay = obstacle
    ? `${obstacle.what} is where a folder of its path should be (the ${obstacle.link ? 'link' : 'file'} ${clipMessage(obstacle.at, 300, { oneLine: true })})`
    : undefined;
  const known: Record<string, [detail: string, advice: string, retryable: boolean]> = {
    EACCES: ['permission denied', advice.access, false],
    EPERM: ['operation not permitted', advice.access, false],
    EISDIR: ['a folder is where the file should be', advice.folderInTheWay, false],
    ENOTDIR: [inTheWay ?? 'a part of its path is a file, not a folder', advice.fileInTheWay, false],
    // makeFolder's: a file where a folder of its path should be, or a link to nothing (a trial's).
    EEXIST: [
      inTheWay ?? 'a part of its path is a file or a link to nothing, not a folder',
      advice.fileInTheWay,
      false,
    ],
    ELOOP: [
      // None along its folder's path: the document itself is the link (a trial's `silences.json`).
      inTheWay ??
        'it, or a link along its path, is a link that never ends (a loop, or too many links in a row)',
      advice.fileInTheWay,
      false,
    ],
    // Only through a link to nothing (a disk not mounted, say): a document simply missing is none.
    ...(inTheWay ? { ENOENT: [inTheWay, advice.fileInTheWay, true] as [string, string, boolean] } : {}),
    EROFS: ['the file system is read-only', advice.readOnly, false],
    // A gateway's resource group or name longer than a file name may be (keyed-state-stores.ts
    // fileDocumentName): no run will fare better in this folder.
    ENAMETOOLONG: [
      'a name in its path is longer than the file system allows (255 bytes)',
      'Keep the state in blob storage ("state.blob" in the configuration file, APPGW_STATE_CONTAINER as a setting); the other gateways are not affected.',
      false,
    ],
    ENOSPC: ['no space left on the device', 'Free some space; the next run tries again.', true],
    EDQUOT: ['the disk quota is used up', 'Free some space; the next run tries again.', true],
  };
  const mapped = code === undefined ? undefined : known[code];
  const [detail, said, retryable] = mapped ?? [
    code ?? (error instanceof Error ? error.message.split('\n')[0] : String(error)),
    advice.other,
    true,
  ];
  return new StateUnavailableError(
    document,
    `cannot ${action} it: ${detail}${mapped ? ` (${code})` : ''}`,
    said,
    { retryable, cause: error },
  );
}

/**
 * fileStateError, naming what stands where a folder of `folder`'s path should be when the refusal is one
 * (ENOTDIR, EEXIST, ELOOP): a trial's file called `history` in the state folder was "a part of its path
 * is a file", which left the user to search the path for it.
 */
export async function namedFileStateError(
  document: string,
  action: string,
  error: unknown,
  advice: StateFolderAdvice | undefined,
  folder: string,
): Promise<StateUnavailableError> {
  const obstacle = await obstacleFor(folder, error);
  return fileStateError(document, action, error, advice ?? STATE_DIR_ADVICE, obstacle);
}

/**
 * How long a lock may stay empty. This release's locks are never empty (LockFile create links a file
 * that holds the token) except where the file system makes no hard links, or an earlier release made
 * them: there the owner writes its token the moment it has created the lock, so one still empty after
 * this was left by a process killed in between. Well under the 10 s a write waits for a lock, so the
 * next run is not kept waiting.
 */
const EMPTY_LOCK_GRACE_IN_MS = 3_000;

/**
 * How old a lock of a live process of this machine must be before it is broken. A write holds its lock
 * for milliseconds, but its process may stall (a slow disk, a paused VM, SIGSTOP): a break trial's
 * writer stalled 50 s, the lock was broken at 30 s by a run that then ended the episode, and the
 * stalled write landed over it, reopening an episode as told: the next `degraded` was never sent. A live
 * owner is waited for (the write fails for the next run to do) unless the lock is older than this: its
 * pid taken by another process since, never a write that long.
 */
const LIVE_OWNER_STALE_IN_MS = 10 * 60_000;

/** An advisory lock between processes: a file created with O_EXCL, holding the owner's token. */
class LockFile {
  constructor(
    private readonly document: string,
    private readonly lockFile: string,
    private readonly staleInMs: number,
    private readonly timeoutInMs: number,
    /** The store's advice: a lock's failure is its folder's (the demo's words, not state.dir's). */
    private readonly advice: StateFolderAdvice,
  ) {}

  /** Resolves once this process holds the lock, with its token (stillHeld) and a release function. */
  async acquire(): Promise<{ readonly token: string; readonly release: () => Promise<void> }> {
    const token = `${process.pid} ${randomUUID()} ${thisHost()}`;
    const deadline = Date.now() + this.timeoutInMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.create(token);
        return { token, release: () => this.release(token) };
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw fileStateError(this.document, 'lock', error, this.advice);
      }
      // Checked before a broken lock's retry too: a lock name taken, then seen gone, over and over (only
      // a file system that contradicts itself does that) still ends the wait.
      if (Date.now() >= deadline) {
        throw new StateUnavailableError(
          this.document,
          `timed out after ${this.timeoutInMs} ms waiting for the lock ${this.lockFile}, held by another process`,
          'If no run is active, delete that lock file; otherwise the next run tries again.',
          { retryable: true },
        );
      }
      if (
        await this.breakIfStale().catch((error: unknown) => {
          if (error instanceof StateUnavailableError) throw error;
          // Which file could not be looked at or moved aside (a trial's bare "cannot lock it: EPERM").
          throw fileStateError(this.document, `break the stale lock ${this.lockFile} of`, error, this.advice);
        })
      )
        continue;
      // Back off with jitter so that waiting writers do not retry in lock-step.
      await sleep(Math.min(100, 5 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
    }
  }

  /** Creates the lock file holding `token`, never seen empty (createWhole); EEXIST when another holds it. */
  private create(token: string): Promise<void> {
    return createWhole(this.lockFile, token);
  }

  /**
   * Removes the lock only if it is still ours (a lock broken as stale may belong to someone else now).
   * Never throws: the write it guarded is done, and a lock left behind is broken once stale.
   */
  private async release(token: string): Promise<void> {
    try {
      // unlink, not rm: rm looks at the file twice before it removes it (two lstat calls a write).
      if ((await readFile(this.lockFile, 'utf8')) === token) await unlink(this.lockFile);
    } catch {
      // gone already, or not ours to remove
    }
  }

  /**
   * Whether the lock's owner is another process of this machine (ownerOf) that is gone, alive
   * (processIsGone), or neither known (another machine's, or a token without a host).
   */
  private async owner(): Promise<'gone' | 'alive' | 'unknown'> {
    const owner = await ownerOf(this.lockFile);
    if (owner === undefined || owner.host !== thisHost() || owner.pid === process.pid) return 'unknown';
    return processIsGone(owner.pid) ? 'gone' : 'alive';
  }

  /**
   * Throws StateConflictError unless the lock still holds `token`: another process broke it as stale
   * (this one stalled), and what it wrote since must not be overwritten. Checked right before the
   * rename that replaces the document (a stall in between is the rename's own).
   */
  async stillHeld(token: string): Promise<void> {
    const held = await readFile(this.lockFile, 'utf8').catch(() => undefined);
    if (held !== token) throw new StateConflictError(this.document);
  }

  /** True when the lock is gone or was stale and has been broken: try to take it again at once. */
  private async breakIfStale(): Promise<boolean> {
    let seen;
    try {
      // lstat: a link is what stands there, never where it leads (a link to nothing was "gone", taken
      // again at once, and the write spun for ever: a break trial).
      seen = await lstat(this.lockFile);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return true;
      throw error;
    }
    if (!seen.isFile()) {
      throw new StateUnavailableError(
        this.document,
        `cannot lock it: ${kindOf(seen)} stands where its lock file ${this.lockFile} should be`,
        'Move it out of there: appgw-insights makes and removes that file itself, around each write.',
        { retryable: false },
      );
    }
    const age = Date.now() - seen.mtimeMs;
    // Empty past EMPTY_LOCK_GRACE_IN_MS: its owner died between creating it and writing its token (a
    // kill -9 there made every run within staleInMs wait 10 s a document and exit 2: a trial).
    const leftEmpty = seen.size === 0 && age >= EMPTY_LOCK_GRACE_IN_MS;
    const owner = leftEmpty ? 'unknown' : await this.owner();
    const staleInMs = owner === 'alive' ? Math.max(this.staleInMs, LIVE_OWNER_STALE_IN_MS) : this.staleInMs;
    if (age < staleInMs && !leftEmpty && owner !== 'gone') return false;
    // Rename is atomic: of several processes breaking the same stale lock, one moves it aside.
    const aside = `${this.lockFile}.stale-${randomUUID()}`;
    try {
      await rename(this.lockFile, aside);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return true;
      throw error;
    }
    // Gone already: another run's tidying of its folder (keyed-state-stores.ts removeLeftTemporaries)
    // took the stale lock aside, by its old date, in between; it is broken all the same (a break trial
    // saw "cannot lock it: ENOENT"). A fresh lock is young and never taken so.
    const moved = await lstat(aside).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    });
    if (!moved) return true;
    if (moved.ino !== seen.ino || moved.mtimeMs !== seen.mtimeMs) {
      // Another process broke the stale lock and took a fresh one in between: put that one back.
      await link(aside, this.lockFile).catch(() => undefined);
    }
    await rm(aside, { force: true });
    return true;
  }
}

/** What readDocument returns for a pipe, socket or device where a document should be. */
const NOT_A_FILE = Symbol('not a file');

/**
 * The bytes of the document `file`, or NOT_A_FILE when it is not a regular file (a folder still fails
 * as reading one does: EISDIR). Opened without blocking: a named pipe there (a break trial's mkfifo)
 * blocked the open for ever, in a file system thread that even a second signal could not end, so
 * `run`, `notify list` and `silence list` hung until killed. O_NONBLOCK changes nothing for a file.
 * Throws as open and read do (ENOENT …).
 */
async function readDocument(file: string): Promise<Buffer | typeof NOT_A_FILE> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const found = await handle.stat();
    if (!found.isFile() && !found.isDirectory()) return NOT_A_FILE;
    return await handle.readFile();
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Whether `at` is a link (lstat), false when nothing is there or it cannot be looked at. */
function isLink(at: string): Promise<boolean> {
  return lstat(at).then(
    (found) => found.isSymbolicLink(),
    () => false,
  );
}

/** What a non-file at a lock's path is, for the message. */
function kindOf(entry: Stats): string {
  if (entry.isDirectory()) return 'a folder';
  if (entry.isSymbolicLink()) return 'a link';
  return 'something that is not a file (a pipe, socket or device)';
}

/**
 * Whether the lock's token (`pid uuid host`) names a process of this machine that no longer runs. A
 * lock of another machine (a shared folder), of a release that wrote no host, or one that cannot be
 * read is not known to be gone: only its age can break it. A pid reused by another process reads as
 * alive, so the age decides then too.
 */
async function ownerOf(lockFile: string): Promise<{ pid: number; host: string } | undefined> {
  try {
    const [pid, , host] = (await readFile(lockFile, 'utf8')).split(' ');
    return pid && host && /^\d+$/.test(pid) ? { pid: Number(pid), host } : undefined;
  } catch {
    return undefined;
  }
}

let host: string | undefined;
/** This machine's name, asked once: os.hostname() is a system call, and every write takes a lock. */
function thisHost(): string {
  host ??= hostname();
  return host;
}

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
