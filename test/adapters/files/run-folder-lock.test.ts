import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  lockRunFolder,
  RUN_LOCK_NAME,
  RUN_LOCK_OWNER_NAME,
  RUN_LOCK_STALE_IN_MS,
} from '../../../src/adapters/files/run-folder-lock';
import { isRunInProgressError } from '../../../src/errors';

describe('lockRunFolder: one direct run at a time writes a folder', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-lock-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const warnings: string[] = [];
  const options = {
    warn: (m: string) => void warnings.push(m),
    now: () => new Date('2026-12-04T03:20:11.123Z'),
  };
  beforeEach(() => warnings.splice(0));

  /** A lock as another run left it: its folder, its owner beside it, refreshed `ageInMs` ago. */
  async function leftLock(dir: string, owner: { pid: number; host: string }, ageInMs: number) {
    await mkdir(path.join(dir, RUN_LOCK_NAME), { recursive: true });
    await writeFile(
      path.join(dir, RUN_LOCK_OWNER_NAME),
      JSON.stringify({ ...owner, since: '2026-12-04T03:00:00.000Z' }),
    );
    const at = new Date(Date.now() - ageInMs);
    await utimes(path.join(dir, RUN_LOCK_NAME), at, at);
  }

  it('makes the folder, holds it, names its holder beside it, and lets go of it', async () => {
    const dir = path.join(root, 'out');
    const lock = await lockRunFolder(dir, options);
    await expect(stat(path.join(dir, RUN_LOCK_NAME))).resolves.toBeDefined();
    expect(JSON.parse(await readFile(path.join(dir, RUN_LOCK_OWNER_NAME), 'utf8'))).toEqual({
      pid: process.pid,
      host: os.hostname(),
      since: '2026-12-04T03:20:11.123Z',
    });
    await lock.release();
    await expect(stat(path.join(dir, RUN_LOCK_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(path.join(dir, RUN_LOCK_OWNER_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
    (await lockRunFolder(dir, options)).release();
    expect(warnings).toEqual([]);
  });

  it('refuses a second run while the first holds it, naming the holder, the lock and where else to write', async () => {
    const lock = await lockRunFolder(root, options);
    const refused = await lockRunFolder(root, {
      ...options,
      elsewhere: 'give another folder with --out',
    }).catch((e: unknown) => e);
    expect(isRunInProgressError(refused)).toBe(true);
    expect((refused as Error).message).toBe(
      `Another appgw-insights run (process ${process.pid} on ${os.hostname()}, since 2026-12-04 03:20:11 UTC) is writing to ${root}: ` +
        'this run checked nothing and wrote nothing. Let that run finish; if your schedule starts runs while the last is still going, ' +
        'run less often, or give another folder with --out. ' +
        `The lock is ${root}/${RUN_LOCK_NAME}: a run that was killed leaves it until its process is gone (this machine) or it is 60 s old.`,
    );
    expect((refused as { retryable: boolean }).retryable).toBe(true);
    await lock.release();
    await (await lockRunFolder(root, options)).release();
  });

  it.each([
    [
      'a process of this machine that is gone, refreshed just now',
      () => ({ pid: gonePid(), host: os.hostname() }),
      0,
      true,
    ],
    [
      'a run of another machine, not refreshed for longer than the stale time',
      () => ({ pid: 1, host: 'elsewhere' }),
      RUN_LOCK_STALE_IN_MS + 30_000,
      true,
    ],
    ['a run of another machine, refreshed just now', () => ({ pid: 1, host: 'elsewhere' }), 0, false],
    [
      'a process of this machine that is alive (this one)',
      () => ({ pid: process.pid, host: os.hostname() }),
      0,
      false,
    ],
  ])('a lock left by %s: taken over %s', async (_, owner, ageInMs, takenOver) => {
    await leftLock(root, owner(), ageInMs);
    const outcome = await lockRunFolder(root, options).then(
      (lock) => lock,
      (error: unknown) => error,
    );
    if (takenOver) {
      expect(isRunInProgressError(outcome)).toBe(false);
      await (outcome as { release(): Promise<void> }).release();
    } else {
      expect(isRunInProgressError(outcome)).toBe(true);
    }
  });

  it('a folder it cannot make: says so and goes on without the lock (the folder sink reports its own failure)', async () => {
    const file = path.join(root, 'a-file');
    await writeFile(file, 'x');
    const lock = await lockRunFolder(path.join(file, 'out'), options);
    await lock.release();
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Could not lock .*a-file\/out for this run \((ENOTDIR|EEXIST)[^)]*\); going on without the lock/,
      ),
    ]);
  });
});

/** The pid of a process that has ended (a child run to its end). */
function gonePid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}
