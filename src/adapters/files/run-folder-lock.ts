import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RunInProgressError } from '../../errors';
import { errnoText } from './errno-text';
import { processIsGone } from './process-gone';

/** The lock: a folder in the run's folder, made with mkdir (only one process can make it), its holder inside. */
export const RUN_LOCK_NAME = '.appgw-run.lock';
/** Who holds the lock, in the lock's folder: named in the refusal of a second run. */
const OWNER_NAME = 'owner.json';
/**
 * Made with mkdir by the one run that takes a dead run's lock over, for the moment it takes to, so two
 * runs that both found the holder dead cannot both take it (a break trial: with proper-lockfile's
 * takeover, check then remove, two and three runs held the folder at once).
 */
export const TAKEOVER_NAME = '.appgw-run.takeover';
/**
 * A lock not refreshed for this long is a dead run's (killed with SIGKILL on another machine, or a
 * machine gone) and is taken over; its holder refreshes it every RUN_LOCK_REFRESH_IN_MS.
 */
export const RUN_LOCK_STALE_IN_MS = 60_000;
const RUN_LOCK_REFRESH_IN_MS = 10_000;
/** The tokens of the locks this process holds: a lock naming this pid and another token is a dead process's. */
const HELD_HERE = new Set<string>();

/** Who holds a run folder's lock. */
export interface RunLockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601, when it took the lock. */
  readonly since: string;
  /** This holding's own mark: a holder lets go of the lock only while it is still its own. */
  readonly token: string;
}

/** A held lock: release it when the run's last write to the folder is done. Never throws. */
export interface RunFolderLock {
  release(): Promise<void>;
}

export interface RunFolderLockOptions {
  /** Told when the lock could not be taken for a reason other than another run, or was lost while held. */
  readonly warn: (message: string) => void;
  /** The clock's now (the owner's `since`); default the system's. */
  readonly now?: () => Date;
  /** How to give the run another folder (FolderSinkAdvice.elsewhere), for the refusal. */
  readonly elsewhere?: string;
  /**
   * A one-off (the demo, `evaluate`): its refusal does not advise running less often, as a scheduled
   * `run`'s does (the demo was told to "run less often": a trial).
   */
  readonly oneOff?: boolean;
}

/**
 * Takes the lock on the folder a direct run writes its current view to (sinks.dir or --out: report.json,
 * index.html, insights/), so two runs never write one folder at the same time: the one that finished
 * last decided report.json and the page, and, without notify, an older reading replaced newer insights
 * (a break trial). The lock is a folder made with mkdir, its holder (process, machine, since) inside,
 * refreshed every 10 s while held and removed when the process exits by any path but SIGKILL. A lock
 * whose holder is a process of this machine that is gone, or that was not refreshed for
 * RUN_LOCK_STALE_IN_MS, is taken over by one run alone (TAKEOVER_NAME). Not proper-lockfile: its
 * takeover of a stale lock (check, then remove) let two runs hold the lock at once.
 *
 * Throws RunInProgressError when another run holds it (or is taking a dead run's over). Any other
 * failure (a folder that cannot be made or written) is warned of and the run goes on unlocked: the
 * folder sink then reports its own failure, and the run's other sinks and notices are not lost to a lock.
 */
export async function lockRunFolder(dir: string, options: RunFolderLockOptions): Promise<RunFolderLock> {
  const lockPath = path.join(dir, RUN_LOCK_NAME);
  const owner: RunLockOwner = {
    pid: process.pid,
    host: os.hostname(),
    since: (options.now?.() ?? new Date()).toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const refused = (holder: RunLockOwner | undefined) =>
    new RunInProgressError(dir, holder, RUN_LOCK_STALE_IN_MS, options.elsewhere, !options.oneOff);
  try {
    await mkdir(dir, { recursive: true });
    await take(dir, lockPath, owner, refused);
  } catch (error) {
    if (error instanceof RunInProgressError) throw error;
    options.warn(
      `Could not lock ${dir} for this run (${errnoText(error)}); going on without the lock: a run started at the same time could write there too.`,
    );
    return { release: async () => undefined };
  }
  return held(dir, lockPath, owner, options.warn);
}

/** Makes the lock, or takes a dead run's over; throws `refused(holder)` when a live run holds it. */
async function take(
  dir: string,
  lockPath: string,
  owner: RunLockOwner,
  refused: (holder: RunLockOwner | undefined) => RunInProgressError,
): Promise<void> {
  if (await made(lockPath, owner)) return;
  const found = await inspect(lockPath);
  if (alive(found)) throw refused(found.owner);
  const takeover = path.join(dir, TAKEOVER_NAME);
  // Another run is taking the dead run's lock over: that run, not the dead one, is who holds the folder.
  if (!(await madeTakeover(takeover, owner.token))) throw refused(undefined);
  try {
    // Judged again now that no other run can take it over: it may have been taken meanwhile.
    const again = await inspect(lockPath);
    if (again.exists && alive(again)) throw refused(again.owner);
    if (again.exists) {
      const aside = `${lockPath}.dead-${owner.token}`;
      // Another run got there first (a race this mark did not hold off): that run has the folder.
      if (!(await movedAside(lockPath, aside))) throw refused((await inspect(lockPath)).owner);
      const moved = await inspect(aside);
      if (moved.owner?.token !== again.owner?.token || alive(moved)) {
        // Not the dead run's lock but one taken since: put it back, and leave the folder to its holder.
        await rename(aside, lockPath).catch(() => undefined);
        throw refused(moved.owner);
      }
      await rm(aside, { recursive: true, force: true });
    }
    // A run that found no lock at all may have made one since: then it holds the folder.
    if (!(await made(lockPath, owner))) throw refused((await inspect(lockPath)).owner);
  } finally {
    await rmdir(takeover).catch(() => undefined);
  }
}

/** rename(from, to); false when `from` is gone (another run moved it first). */
async function movedAside(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** mkdir of the lock, then its holder inside; false when another made it first. */
async function made(lockPath: string, owner: RunLockOwner): Promise<boolean> {
  try {
    await mkdir(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  await writeFile(path.join(lockPath, OWNER_NAME), `${JSON.stringify(owner)}\n`);
  return true;
}

/**
 * mkdir of the takeover mark. One left by a run killed while taking over (older than the stale time) is
 * moved aside first, by one run alone (rename), and only if what was moved is still that old: a mark
 * made since by another run is put back (a break trial: two runs that both removed a stale mark both
 * went in). False when another run holds the mark.
 */
async function madeTakeover(takeover: string, token: string): Promise<boolean> {
  for (let tries = 0; tries < 2; tries++) {
    try {
      await mkdir(takeover);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await ageInMs(takeover);
      if (age === undefined || age <= RUN_LOCK_STALE_IN_MS) return false;
      const aside = `${takeover}.dead-${token}`;
      if (!(await movedAside(takeover, aside))) return false;
      if (((await ageInMs(aside)) ?? 0) <= RUN_LOCK_STALE_IN_MS) {
        await rename(aside, takeover).catch(() => undefined);
        return false;
      }
      await rm(aside, { recursive: true, force: true });
    }
  }
  return false;
}

interface FoundLock {
  readonly exists: boolean;
  readonly owner?: RunLockOwner;
  /** Since the lock was made or last refreshed. */
  readonly ageInMs?: number;
}

async function inspect(lockPath: string): Promise<FoundLock> {
  const age = await ageInMs(lockPath);
  if (age === undefined) return { exists: false };
  const owner = await readOwner(lockPath);
  return { exists: true, ageInMs: age, ...(owner ? { owner } : {}) };
}

/**
 * Whether the lock's holder may still be at work: not when it was not refreshed for the stale time, nor
 * when its holder is a process of this machine that is gone. A lock without its holder written yet is
 * being taken now: alive.
 */
function alive(found: FoundLock): boolean {
  if (!found.exists) return false;
  if ((found.ageInMs ?? 0) > RUN_LOCK_STALE_IN_MS) return false;
  const owner = found.owner;
  if (!owner || owner.host !== os.hostname()) return true;
  // This very pid, but not a lock this process holds: an earlier process that had the same pid (pid 1
  // of a container with a fixed host name), gone.
  if (owner.pid === process.pid) return HELD_HERE.has(owner.token);
  return !processIsGone(owner.pid);
}

async function ageInMs(file: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The holder written in the lock, or undefined when missing or not one (being written, hand-edited). */
async function readOwner(lockPath: string): Promise<RunLockOwner | undefined> {
  try {
    return ownerOf(await readFile(path.join(lockPath, OWNER_NAME), 'utf8'));
  } catch {
    return undefined;
  }
}

function ownerOf(text: string): RunLockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<RunLockOwner>;
    return typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.since === 'string' &&
      typeof value.token === 'string'
      ? { pid: value.pid, host: value.host, since: value.since, token: value.token }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The lock as held: refreshed until released; removed at release, or when the process exits, while it is ours. */
function held(
  dir: string,
  lockPath: string,
  owner: RunLockOwner,
  warn: (message: string) => void,
): RunFolderLock {
  const ours = (text: string | undefined) => text !== undefined && ownerOf(text)?.token === owner.token;
  const readSync = () => {
    try {
      return readFileSync(path.join(lockPath, OWNER_NAME), 'utf8');
    } catch {
      return undefined;
    }
  };
  // Only synchronous work in an `exit` listener: a second signal's process.exit, an uncaught error.
  const onExit = () => {
    if (ours(readSync())) rmSync(lockPath, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  HELD_HERE.add(owner.token);
  let lost = false;
  const refresh = setInterval(() => {
    void (async () => {
      const text = await readFile(path.join(lockPath, OWNER_NAME), 'utf8').catch(() => undefined);
      if (!ours(text)) {
        if (!lost)
          warn(
            `The lock on ${dir} (${RUN_LOCK_NAME}) was lost while this run held it (removed, or taken over after ${RUN_LOCK_STALE_IN_MS / 1000} s without a refresh): another run may write there at the same time.`,
          );
        lost = true;
        clearInterval(refresh);
        return;
      }
      const now = new Date();
      await utimes(lockPath, now, now).catch(() => undefined);
    })();
  }, RUN_LOCK_REFRESH_IN_MS);
  refresh.unref();
  return {
    async release() {
      clearInterval(refresh);
      process.off('exit', onExit);
      HELD_HERE.delete(owner.token);
      const text = await readFile(path.join(lockPath, OWNER_NAME), 'utf8').catch(() => undefined);
      if (ours(text)) await rm(lockPath, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
