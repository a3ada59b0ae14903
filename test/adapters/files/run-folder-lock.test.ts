import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  lockRunFolder,
  RUN_LOCK_NAME,
  RUN_LOCK_STALE_IN_MS,
} from '../../../src/adapters/files/run-folder-lock';
import { isRunInProgressError } from '../../../src/errors';
import { ROOT } from '../../helpers/cli';

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
  const owner = (dir: string) => path.join(dir, RUN_LOCK_NAME, 'owner.json');

  /** A lock as another run left it: its folder, its holder inside, refreshed `ageInMs` ago. */
  async function leftLock(dir: string, holder: { pid: number; host: string }, ageInMs: number) {
    await mkdir(path.join(dir, RUN_LOCK_NAME), { recursive: true });
    await writeFile(
      owner(dir),
      JSON.stringify({ ...holder, since: '2026-12-04T03:00:00.000Z', token: 'old' }),
    );
    const at = new Date(Date.now() - ageInMs);
    await utimes(path.join(dir, RUN_LOCK_NAME), at, at);
  }

  it('makes the folder, holds it, names its holder in the lock, and lets go of it', async () => {
    const dir = path.join(root, 'out');
    const lock = await lockRunFolder(dir, options);
    expect(JSON.parse(await readFile(owner(dir), 'utf8'))).toEqual({
      pid: process.pid,
      host: os.hostname(),
      since: '2026-12-04T03:20:11.123Z',
      token: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    await lock.release();
    await expect(stat(path.join(dir, RUN_LOCK_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
    await (await lockRunFolder(dir, options)).release();
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

  // A trial: the demo, refused, was told to "run less often", as if a schedule started it.
  it('a one-off (the demo, evaluate) refused: let that run finish, or another folder; no schedule named', async () => {
    const lock = await lockRunFolder(root, options);
    const refused = await lockRunFolder(root, {
      ...options,
      elsewhere: 'choose another folder with --out',
      oneOff: true,
    }).catch((e: unknown) => e);
    expect(isRunInProgressError(refused)).toBe(true);
    expect((refused as Error).message).toContain(
      'this run checked nothing and wrote nothing. Let that run finish, or choose another folder with --out. The lock is',
    );
    expect((refused as Error).message).not.toMatch(/schedule|less often/);
    await lock.release();
  });

  it('a release lets go only of its own lock: one taken over since stays', async () => {
    const lock = await lockRunFolder(root, options);
    await writeFile(owner(root), JSON.stringify({ pid: 1, host: 'elsewhere', since: 'x', token: 'theirs' }));
    await lock.release();
    await expect(stat(owner(root))).resolves.toBeDefined();
  });

  it.each([
    [
      'a process of this machine that is gone, refreshed just now',
      () => ({ pid: gonePid(), host: os.hostname() }),
      0,
      true,
    ],
    [
      'a run of another machine, not refreshed for longer than the stale time: taken over',
      () => ({ pid: 1, host: 'elsewhere' }),
      RUN_LOCK_STALE_IN_MS + 30_000,
      true,
    ],
    [
      'a run of another machine, refreshed just now: refused',
      () => ({ pid: 1, host: 'elsewhere' }),
      0,
      false,
    ],
    // A break trial: pid 1 of a container with a fixed host name was refused as alive for a minute.
    [
      'an earlier process with this very pid (a container’s pid 1), not a lock this process holds: taken over',
      () => ({ pid: process.pid, host: os.hostname() }),
      0,
      true,
    ],
  ])('a lock left by %s', async (_, holder, ageInMs, takenOver) => {
    await leftLock(root, holder(), ageInMs);
    const outcome = await lockRunFolder(root, options).then(
      (lock) => lock,
      (error: unknown) => error,
    );
    expect(isRunInProgressError(outcome)).toBe(!takenOver);
    if (takenOver) {
      expect(JSON.parse(await readFile(owner(root), 'utf8'))).toMatchObject({ pid: process.pid });
      await (outcome as { release(): Promise<void> }).release();
    }
  });

  // A break trial: proper-lockfile's takeover (check, then remove) let two and three of four processes
  // that found a dead run's lock at the same moment hold the folder at once.
  it.each([
    ['a process of this machine that is gone', () => ({ pid: gonePid(), host: os.hostname() }), 0, false],
    ['another machine, stale', () => ({ pid: 1, host: 'elsewhere' }), RUN_LOCK_STALE_IN_MS + 30_000, false],
    // A run killed while taking over left its mark: one run alone moves it aside (a break trial).
    [
      'another machine, stale, and a takeover mark left by a run killed while taking over',
      () => ({ pid: 1, host: 'elsewhere' }),
      RUN_LOCK_STALE_IN_MS + 30_000,
      true,
    ],
  ])(
    'a dead run’s lock (%s) found by six processes at once: exactly one takes it over',
    async (_, holder, ageInMs, staleMark) => {
      for (let round = 0; round < 3; round++) {
        await leftLock(root, holder(), ageInMs);
        if (staleMark) {
          const mark = path.join(root, '.appgw-run.takeover');
          await mkdir(mark, { recursive: true });
          const old = new Date(Date.now() - RUN_LOCK_STALE_IN_MS - 30_000);
          await utimes(mark, old, old);
        }
        const at = Date.now() + 1_500;
        const outcomes = await Promise.all(Array.from({ length: 6 }, () => contender(root, at)));
        expect(outcomes.filter((o) => o === 'HELD')).toHaveLength(1);
        expect(outcomes.filter((o) => o !== 'HELD').every((o) => o === 'RunInProgress')).toBe(true);
        await rm(path.join(root, RUN_LOCK_NAME), { recursive: true, force: true });
      }
    },
    60_000,
  );

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

/**
 * A process that, at `at` (ms since the epoch), tries to lock `dir` and holds it for 2 s: `HELD`, or the
 * error code. The built lock (dist/), as the CLI runs it.
 */
function contender(dir: string, at: number): Promise<string> {
  const script = `
    const { lockRunFolder } = require(${JSON.stringify(path.join(ROOT, 'dist/src/adapters/files/run-folder-lock.js'))});
    setTimeout(async () => {
      try {
        const lock = await lockRunFolder(${JSON.stringify(dir)}, { warn: (m) => process.stdout.write('WARN ' + m) });
        process.stdout.write('HELD');
        setTimeout(() => lock.release(), 2000);
      } catch (e) { process.stdout.write(e.code ?? String(e)); }
    }, Math.max(0, ${at} - Date.now()));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}
