import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { RunInProgressError } from '../../errors';
import { errnoText } from './errno-text';
import { processIsGone } from './process-gone';

/** The lock's folder in the run's folder (made with mkdir, which only one process can do). */
export const RUN_LOCK_NAME = '.appgw-run.lock';
/** Who holds the lock, beside it: named in the refusal of a second run. */
export const RUN_LOCK_OWNER_NAME = '.appgw-run.owner.json';
/**
 * A lock not refreshed for this long is a dead run's (killed with SIGKILL, its machine gone) and is taken
 * over; the holder refreshes it every RUN_LOCK_REFRESH_IN_MS (proper-lockfile's `stale` and `update`).
 */
export const RUN_LOCK_STALE_IN_MS = 60_000;
const RUN_LOCK_REFRESH_IN_MS = 10_000;

/** Who holds a run folder's lock (RUN_LOCK_OWNER_NAME). */
export interface RunLockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601, when it took the lock. */
  readonly since: string;
}

/** A held lock: release it when the run's last write to the folder is done. Never throws. */
export interface RunFolderLock {
  release(): Promise<void>;
}

export interface RunFolderLockOptions {
  /** Told when the lock could not be taken for a reason other than another run (the run goes on without it). */
  readonly warn: (message: string) => void;
  /** The clock's now (the owner's `since`); default the system's. */
  readonly now?: () => Date;
  /** How to give the run another folder (FolderSinkAdvice.elsewhere), for the refusal. */
  readonly elsewhere?: string;
}

/**
 * Takes the lock on the folder a direct run writes its current view to (sinks.dir or --out: report.json,
 * index.html, insights/), so two runs never write one folder at the same time: the one that finished
 * last decided report.json and the page, and, without notify, an older reading replaced newer insights
 * (a break trial). Made with proper-lockfile (a folder made with mkdir, refreshed while held, released
 * when the process exits by any path but SIGKILL). A lock whose holder is a process of this machine
 * that is gone, or that is older than RUN_LOCK_STALE_IN_MS, is taken over.
 *
 * Throws RunInProgressError when another run holds it. Any other failure (a folder that cannot be made
 * or written) is warned of and the run goes on unlocked: the folder sink then reports its own failure,
 * and the run's other sinks and notices are not lost to a lock.
 */
export async function lockRunFolder(dir: string, options: RunFolderLockOptions): Promise<RunFolderLock> {
  const lockPath = path.join(dir, RUN_LOCK_NAME);
  const ownerPath = path.join(dir, RUN_LOCK_OWNER_NAME);
  const lockOptions: lockfile.LockOptions = {
    lockfilePath: lockPath,
    realpath: false,
    stale: RUN_LOCK_STALE_IN_MS,
    update: RUN_LOCK_REFRESH_IN_MS,
    retries: 0,
    // Lost while held (its refresh failed for RUN_LOCK_STALE_IN_MS, or another run took it over as
    // stale): said, never thrown (proper-lockfile's default throws from a timer: a crash mid-run).
    onCompromised: (error) =>
      options.warn(
        `The lock on ${dir} (${RUN_LOCK_NAME}) was lost while this run held it (${errnoText(error)}): another run may write there at the same time.`,
      ),
  };
  try {
    await mkdir(dir, { recursive: true });
    const release = await takeOrTakeOver(
      dir,
      { lockPath, ownerPath, elsewhere: options.elsewhere },
      lockOptions,
    );
    const owner: RunLockOwner = {
      pid: process.pid,
      host: os.hostname(),
      since: (options.now?.() ?? new Date()).toISOString(),
    };
    // Said in a refusal only: a failed write costs the message its details, nothing else.
    await writeFile(ownerPath, `${JSON.stringify(owner)}\n`).catch(() => undefined);
    return {
      async release() {
        await rm(ownerPath, { force: true }).catch(() => undefined);
        await release().catch(() => undefined);
      },
    };
  } catch (error) {
    if (error instanceof RunInProgressError) throw error;
    options.warn(
      `Could not lock ${dir} for this run (${errnoText(error)}); going on without the lock: a run started at the same time could write there too.`,
    );
    return { release: async () => undefined };
  }
}

async function takeOrTakeOver(
  dir: string,
  where: { readonly lockPath: string; readonly ownerPath: string; readonly elsewhere: string | undefined },
  lockOptions: lockfile.LockOptions,
): Promise<() => Promise<void>> {
  const { lockPath, ownerPath } = where;
  const refused = (owner: RunLockOwner | undefined) =>
    new RunInProgressError(dir, owner, RUN_LOCK_STALE_IN_MS, ...(where.elsewhere ? [where.elsewhere] : []));
  try {
    return await lockfile.lock(dir, lockOptions);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readOwner(ownerPath);
    // A run of this machine that is gone (killed with SIGKILL, or the machine restarted) left it:
    // waiting for it to go stale would refuse every run for a minute.
    if (owner && owner.host === os.hostname() && owner.pid !== process.pid && processIsGone(owner.pid)) {
      await rm(lockPath, { recursive: true, force: true });
      try {
        return await lockfile.lock(dir, lockOptions);
      } catch (again) {
        if ((again as NodeJS.ErrnoException).code !== 'ELOCKED') throw again;
        throw refused(await readOwner(ownerPath));
      }
    }
    throw refused(owner);
  }
}

/** The owner beside the lock, or undefined when missing or not one (being written, hand-edited). */
async function readOwner(ownerPath: string): Promise<RunLockOwner | undefined> {
  try {
    const value = JSON.parse(await readFile(ownerPath, 'utf8')) as Partial<RunLockOwner>;
    return typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string'
      ? { pid: value.pid, host: value.host, since: value.since }
      : undefined;
  } catch {
    return undefined;
  }
}
