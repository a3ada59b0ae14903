import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import {
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileStateStore, STATE_DIR_ADVICE } from '../../../src/adapters/state/file-state-store';
import { StateConflictError, StateInvalidError, StateUnavailableError } from '../../../src/errors';
import { rejection } from '../../helpers/failures';
import { describeStateStoreContract } from './contract/state-store.contract';

const dir = mkdtempSync(path.join(os.tmpdir(), 'file-state-store-'));
let next = 0;
const freshFile = () => path.join(dir, `store-${next++}`, 'state.json');

afterAll(() => rm(dir, { recursive: true, force: true }));

describeStateStoreContract('file', () => createFileStateStore({ file: freshFile() }));

describe('file state store', () => {
  test('writes pretty JSON, leaves no lock or temporary file behind', async () => {
    const file = freshFile();
    const store = createFileStateStore<{ a: number }>({ file });
    const etag = await store.write({ a: 1 }, undefined);
    await store.write({ a: 2 }, etag);
    expect(await readFile(file, 'utf8')).toBe('{\n  "a": 2\n}\n');
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
  });

  test('the etag is a content hash: another store on the same file reads the same etag', async () => {
    const file = freshFile();
    const etag = await createFileStateStore({ file }).write({ a: 1 }, undefined);
    await expect(createFileStateStore({ file }).read()).resolves.toEqual({ value: { a: 1 }, etag });
  });

  test('a value that is not JSON is refused and nothing is written', async () => {
    const file = freshFile();
    const store = createFileStateStore<unknown>({ file });
    await expect(store.write(undefined, undefined)).rejects.toThrow(TypeError);
    await expect(store.read()).resolves.toBeUndefined();
  });

  test('a file that is not JSON is a StateInvalidError naming the file, not quoting it; the file stays', async () => {
    const file = freshFile();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '{ not json, "token": "s3cr3t-in-a-broken-file"');
    const error = await rejection(createFileStateStore({ file }).read());
    expect(error).toBeInstanceOf(StateInvalidError);
    expect(error).toMatchObject({ code: 'StateInvalid', document: `state file ${file}` });
    expect((error as Error).message).toContain(`The notify state in state file ${file} is not valid JSON`);
    expect((error as Error).message).toMatch(/not valid JSON/);
    expect((error as Error).message).not.toContain('s3cr3t');
    expect(await readFile(file, 'utf8')).toBe('{ not json, "token": "s3cr3t-in-a-broken-file"');
  });

  test('a folder where the file should be is a StateUnavailableError naming the file and what to do', async () => {
    const file = freshFile();
    await mkdir(file, { recursive: true });
    const store = createFileStateStore({ file, lockTimeoutInMs: 200 });
    for (const error of [await rejection(store.read()), await rejection(store.write({ counter: 1 }, 'x'))]) {
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect(error).toMatchObject({
        code: 'StateUnavailable',
        document: `state file ${file}`,
        retryable: false,
      });
      expect((error as Error).message).toMatch(
        /a folder is where the file should be \(EISDIR\)\. Move that folder away/,
      );
    }
  });

  test('a state folder that is a file is a StateUnavailableError when the document is written', async () => {
    const parent = freshFile();
    await mkdir(path.dirname(parent), { recursive: true });
    await writeFile(path.dirname(parent) + '/blocker', 'a file, not a folder');
    const file = path.join(path.dirname(parent), 'blocker', 'state.json');
    const error = await rejection(createFileStateStore({ file }).write({ counter: 1 }, undefined));
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect((error as Error).message).toMatch(/ENOTDIR|EEXIST/);
  });

  // The other things that can stand where a folder of the path should be (a trial's links at the
  // folder sink's insights/): each in words, named by its path, with the file-in-the-way advice, not
  // retried.
  test.each([
    [
      'a link to nothing',
      (at: string) => symlink('/nonexistent/appgw', at),
      (at: string) => `a link to nothing is where a folder of its path should be (the link ${at}) (EEXIST)`,
    ],
    [
      'a link to itself',
      (at: string) => symlink('blocker', at),
      (at: string) =>
        `a link that never ends (a loop, or too many links in a row) is where a folder of its path should be (the link ${at}) (ELOOP)`,
    ],
    [
      'a file',
      (at: string) => writeFile(at, 'x'),
      (at: string) => `a file is where a folder of its path should be (the file ${at}) (EEXIST)`,
    ],
  ])('%s where the state folder should be: said in words and named, move it', async (_, make, said) => {
    const parent = path.dirname(freshFile());
    await mkdir(parent, { recursive: true });
    const blocker = path.join(parent, 'blocker');
    await make(blocker);
    const file = path.join(blocker, 'state.json');
    const error = await rejection(createFileStateStore({ file }).write({ counter: 1 }, undefined));
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toContain(said(blocker));
    expect((error as Error).message).toContain(STATE_DIR_ADVICE.fileInTheWay);
  });

  // A new-user trial: a file called `history` in the state folder (where the status page's histories
  // go) was "a part of its path is a file … Point state.dir at a folder", naming neither the file nor
  // that moving it helps. Reading through it (ENOTDIR) and making the folder (EEXIST) both name it.
  test.each([
    ['read', (file: string) => createFileStateStore({ file }).read(), 'ENOTDIR'],
    ['written', (file: string) => createFileStateStore({ file }).write({ counter: 1 }, undefined), 'ENOTDIR'],
  ])(
    'a file called history inside the state folder, the document %s: the file is named',
    async (_, use, code) => {
      const stateDir = path.dirname(freshFile());
      await mkdir(stateDir, { recursive: true });
      await writeFile(path.join(stateDir, 'history'), 'not a folder');
      const file = path.join(stateDir, 'history', 'sub', 'gw.json');
      const error = await rejection(use(file));
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect((error as Error).message).toContain(
        `a file is where a folder of its path should be (the file ${path.join(stateDir, 'history')}) (${code})`,
      );
      expect((error as Error).message).toContain(
        'Move the file or link in the way (named above) out of there',
      );
    },
  );

  test('a lock that a full disk left empty is removed at once: the next write is not kept waiting (new-user trial: 10 s per document, then exit 2)', async () => {
    const file = freshFile();
    await mkdir(path.dirname(file), { recursive: true });
    const probe = await open(path.join(path.dirname(file), 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    await rm(path.join(path.dirname(file), 'probe'));
    // The lock's is the store's first FileHandle write: refused as a full disk refuses it.
    const full = jest
      .spyOn(prototype, 'write')
      .mockRejectedValueOnce(
        Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
      );
    try {
      const error = await rejection(createFileStateStore({ file }).write({ counter: 1 }, undefined));
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect((error as Error).message).toContain('no space left on the device (ENOSPC)');
    } finally {
      full.mockRestore();
    }
    expect(await readdir(path.dirname(file))).toEqual([]);
    // A lock left behind would keep this writer waiting past its 50 ms and fail it.
    await createFileStateStore({ file, lockTimeoutInMs: 50 }).write({ counter: 2 }, undefined);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ counter: 2 });
  });

  // A kill -9 between the lock's creation and its token (a trial: every run within 30 s waited 10 s a
  // document and exited 2, "held by another process").
  test('an empty lock a few seconds old is broken at once; one just made is waited for (its owner is writing its token)', async () => {
    const file = freshFile();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.lock`, '');
    const fiveSecondsAgo = new Date(Date.now() - 5_000);
    await utimes(`${file}.lock`, fiveSecondsAgo, fiveSecondsAgo);
    await createFileStateStore({ file, lockTimeoutInMs: 50 }).write({ counter: 1 }, undefined);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ counter: 1 });
    await writeFile(`${file}.lock`, '');
    const error = await rejection(
      createFileStateStore({ file, lockTimeoutInMs: 50 }).write({ counter: 2 }, undefined),
    );
    expect((error as Error).message).toContain('timed out after 50 ms waiting for the lock');
  });

  test('a writer waits for a lock another process holds, then writes', async () => {
    const file = freshFile();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.lock`, 'another process');
    const store = createFileStateStore({ file, lockTimeoutInMs: 5_000 });
    let settled = false;
    const writing = store.write({ counter: 1 }, undefined).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    await rm(`${file}.lock`);
    await expect(writing).resolves.toEqual(expect.any(String));
    await expect(store.read()).resolves.toMatchObject({ value: { counter: 1 } });
  });

  test('a fresh lock that is never released makes the write time out, naming the lock file', async () => {
    const file = freshFile();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.lock`, 'another process');
    const store = createFileStateStore({ file, lockTimeoutInMs: 200 });
    const error = await rejection(store.write({ counter: 1 }, undefined));
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect(error).toMatchObject({ retryable: true, document: `state file ${file}` });
    expect((error as Error).message).toContain(`waiting for the lock ${file}.lock`);
    await expect(store.read()).resolves.toBeUndefined();
    expect(await readFile(`${file}.lock`, 'utf8')).toBe('another process'); // not ours: left alone
  });

  test('a stale lock (crashed writer) is broken', async () => {
    const file = freshFile();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.lock`, 'crashed process');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    const store = createFileStateStore({ file, staleLockInMs: 30_000, lockTimeoutInMs: 200 });
    await expect(store.write({ counter: 1 }, undefined)).resolves.toEqual(expect.any(String));
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
  });

  // A break trial: a link to nothing at the lock's path read as "gone", was taken again at once, and the
  // write spun for ever (no timeout, one core at 100 %); an old folder there was moved aside and then
  // failed a bare ERR_FS_EISDIR, a young one was waited for 10 s and called "held by another process".
  test.each<[string, string, (lock: string) => Promise<void>]>([
    ['a link to nothing', 'a link', (lock) => symlink(path.join(dir, 'nothing-here'), lock)],
    ['a link to a folder', 'a link', (lock) => symlink(dir, lock)],
    [
      'a link to an old file',
      'a link',
      async (lock) => {
        const target = `${lock}-target`;
        await writeFile(target, 'not a lock');
        await utimes(target, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
        await symlink(target, lock);
      },
    ],
    ['a young folder', 'a folder', (lock) => mkdir(lock)],
    [
      'an old folder',
      'a folder',
      async (lock) => {
        await mkdir(lock);
        await utimes(lock, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
      },
    ],
  ])(
    '%s at the lock path fails the write at once, saying what stands there; nothing is moved or removed',
    async (_, kind, make) => {
      const file = freshFile();
      await mkdir(path.dirname(file), { recursive: true });
      const lock = `${file}.lock`;
      await make(lock);
      const before = (await readdir(path.dirname(file))).sort();
      // Well under the lock timeout: it is not waited for.
      const store = createFileStateStore({ file, lockTimeoutInMs: 30_000 });
      const started = Date.now();
      const error = await rejection(store.write({ counter: 1 }, undefined));
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect(error).toMatchObject({ retryable: false, document: `state file ${file}` });
      expect((error as Error).message).toContain(
        `cannot lock it: ${kind} stands where its lock file ${lock} should be`,
      );
      expect((error as Error).message).toContain('Move it out of there');
      expect((await readdir(path.dirname(file))).sort()).toEqual(before);
      await expect(store.read()).resolves.toBeUndefined();
    },
  );

  // A break trial: a named pipe where the document should be blocked the open for ever (run, notify list
  // and silence list hung; not even a second signal ended them).
  test('a named pipe where the document should be is said at once, for read and write; the pipe stays', async () => {
    const file = freshFile();
    await mkdir(path.dirname(file), { recursive: true });
    execFileSync('mkfifo', [file]);
    const store = createFileStateStore<{ counter: number }>({ file, lockTimeoutInMs: 200 });
    for (const error of [
      await rejection(store.read()),
      await rejection(store.write({ counter: 1 }, undefined)),
    ]) {
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect(error).toMatchObject({ retryable: false, document: `state file ${file}` });
      expect((error as Error).message).toContain(
        'cannot read it: it is not a file (a pipe, socket or device)',
      );
    }
    expect((await lstat(file)).isFIFO()).toBe(true);
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
  });

  // A break trial: a silences.json that was a link to nothing read as "none yet", and silence add
  // replaced the link with a file of its own.
  test('a document that is a link to nothing is said, not read as none; a write keeps the link', async () => {
    const file = freshFile();
    await mkdir(path.dirname(file), { recursive: true });
    const nowhere = path.join(dir, 'not-mounted', 'state.json');
    await symlink(nowhere, file);
    const store = createFileStateStore<{ counter: number }>({ file, lockTimeoutInMs: 200 });
    for (const error of [
      await rejection(store.read()),
      await rejection(store.write({ counter: 1 }, undefined)),
    ]) {
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect(error).toMatchObject({ retryable: true, document: `state file ${file}` });
      expect((error as Error).message).toContain('cannot read it: it is a link to nothing');
      expect((error as Error).message).toContain('If the disk it leads to is not mounted, mount it');
    }
    expect(await readlink(file)).toBe(nowhere);
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
  });

  test("the silences' store (tidiesAfterWrite) removes its killed writes' old leftovers beside it, and nothing else", async () => {
    const file = freshFile();
    const folder = path.dirname(file);
    await mkdir(folder, { recursive: true });
    const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const old = new Date(Date.now() - 2 * 3_600_000);
    const oldLeftovers = [`state.json.4242.${uuid}.tmp`, `state.json.lock.stale-${uuid}`];
    const kept = [
      `state.json.4243.${uuid}.tmp`, // young: a write at work now
      `other.json.4242.${uuid}.tmp`, // another document's (its folder's listing tidies it)
      `state.json.4242.${uuid}.tmp.keep`, // not a name the writer gives
      `state.json.mine.json.888.${uuid}.tmp`, // another document's, named to look like one (a break trial)
      'notes.txt',
    ];
    for (const name of [...oldLeftovers, ...kept]) await writeFile(path.join(folder, name), 'x');
    for (const name of [...oldLeftovers, ...kept.slice(1)]) await utimes(path.join(folder, name), old, old);
    await mkdir(path.join(folder, `state.json.9.${uuid}.tmp`)); // a folder by that name: not taken
    await utimes(path.join(folder, `state.json.9.${uuid}.tmp`), old, old);

    const etag = await createFileStateStore({ file }).write({ counter: 1 }, undefined);
    expect((await readdir(folder)).sort()).toEqual(
      [...oldLeftovers, ...kept, `state.json.9.${uuid}.tmp`, 'state.json'].sort(),
    );
    await createFileStateStore({ file, tidiesAfterWrite: true }).write({ counter: 2 }, etag);
    expect((await readdir(folder)).sort()).toEqual(
      [...kept, `state.json.9.${uuid}.tmp`, 'state.json'].sort(),
    );
  });

  // Issue 14's trial: a run killed twice left its locks; the next run waited 10 s for each and gave up.
  describe("a fresh lock whose owner's process is gone", () => {
    /** The pid of a process that ran on this machine and has exited (spawned, awaited). */
    const exitedPid = async (): Promise<number> => {
      const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
      await new Promise((resolve) => child.on('exit', resolve));
      return child.pid as number;
    };

    test('on this machine: broken at once, the write goes through', async () => {
      const file = freshFile();
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(
        `${file}.lock`,
        `${await exitedPid()} 0b6c1f0e-aaaa-bbbb-cccc-000000000000 ${os.hostname()}`,
      );
      const store = createFileStateStore({ file, staleLockInMs: 600_000, lockTimeoutInMs: 200 });
      await expect(store.write({ counter: 1 }, undefined)).resolves.toEqual(expect.any(String));
      expect(await readdir(path.dirname(file))).toEqual(['state.json']);
    });

    test.each([
      [
        'another machine (a shared folder): its process cannot be checked',
        async () => `${await exitedPid()} u other-host.example`,
      ],
      ['a lock of a release that wrote no host', async () => `${await exitedPid()} u`],
      ['a live process of this machine', async () => `${process.pid === 1 ? 2 : 1} u ${os.hostname()}`],
    ])('%s: waited for, never broken before it is stale', async (_, token) => {
      const file = freshFile();
      await mkdir(path.dirname(file), { recursive: true });
      const held = await token();
      await writeFile(`${file}.lock`, held);
      const store = createFileStateStore({ file, staleLockInMs: 600_000, lockTimeoutInMs: 200 });
      expect(await rejection(store.write({ counter: 1 }, undefined))).toBeInstanceOf(StateUnavailableError);
      expect(await readFile(`${file}.lock`, 'utf8')).toBe(held);
    });
  });

  /**
   * A break trial: a run's write stalled 50 s holding the lock; another run broke it at 30 s, ended the
   * episode, and the stalled write landed over that, reopening the episode as told (its next `degraded`
   * never went out). A live process of this machine is slow, not crashed.
   */
  describe('a stale lock whose owner is a live process of this machine', () => {
    const liveOwner = () => `${process.ppid} 0b6c1f0e-aaaa-bbbb-cccc-000000000000 ${os.hostname()}`;
    const aged = async (at: string, ageInMs: number) => {
      const then = new Date(Date.now() - ageInMs);
      await utimes(at, then, then);
    };

    test('older than staleLockInMs: waited for, never broken; the write fails for the next run to do', async () => {
      const file = freshFile();
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(`${file}.lock`, liveOwner());
      await aged(`${file}.lock`, 60_000);
      const store = createFileStateStore({ file, staleLockInMs: 30_000, lockTimeoutInMs: 200 });
      const error = await rejection(store.write({ counter: 1 }, undefined));
      expect(error).toMatchObject({ retryable: true });
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect(await readFile(`${file}.lock`, 'utf8')).toBe(liveOwner());
    });

    test('older than 10 minutes (its pid taken by another process since): broken, the write goes through', async () => {
      const file = freshFile();
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(`${file}.lock`, liveOwner());
      await aged(`${file}.lock`, 11 * 60_000);
      const store = createFileStateStore({ file, staleLockInMs: 30_000, lockTimeoutInMs: 200 });
      await expect(store.write({ counter: 1 }, undefined)).resolves.toEqual(expect.any(String));
    });
  });

  test('a write whose lock another process broke meanwhile never replaces what that process wrote: a conflict', async () => {
    const file = freshFile();
    const store = createFileStateStore<{ counter: number }>({ file, lockTimeoutInMs: 200 });
    const etag = await store.write({ counter: 1 }, undefined);
    // The lock taken from under the write, between its temporary file and its rename (as a stale break
    // by a process that then wrote the document), by hooking the write's temporary file.
    const { promises } = await import('node:fs');
    const original = promises.writeFile;
    const spy = jest
      .spyOn(promises, 'writeFile')
      .mockImplementation(async (...args: Parameters<typeof original>) => {
        await original(...args);
        if (String(args[0]).endsWith('.tmp')) {
          await writeFile(`${file}.lock`, `${process.ppid} other ${os.hostname()}`);
          await writeFile(file, JSON.stringify({ counter: 7 }));
        }
      });
    try {
      await expect(store.write({ counter: 2 }, etag)).rejects.toBeInstanceOf(StateConflictError);
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ counter: 7 });
    expect((await readdir(path.dirname(file))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a conflict releases the lock: the next writer is not blocked', async () => {
    const file = freshFile();
    const store = createFileStateStore({ file, lockTimeoutInMs: 200 });
    const etag = await store.write({ counter: 1 }, undefined);
    await expect(store.write({ counter: 2 }, undefined)).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.write({ counter: 2 }, etag)).resolves.toEqual(expect.any(String));
  });

  test('of 4 processes writing from the same read, exactly one wins', async () => {
    const file = freshFile();
    const store = createFileStateStore<{ counter: number; writer?: string }>({ file });
    await store.write({ counter: 0 }, undefined);
    const writers = Array.from({ length: 4 }, (_, i) => startWriterProcess(file, `process-${i}`));
    await Promise.all(writers.map((w) => w.ready)); // every process has read the same etag
    for (const w of writers) w.go();
    const outcomes = await Promise.all(writers.map((w) => w.outcome));
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(3);
    const winner = writers[outcomes.indexOf('won')]?.id;
    await expect(store.read()).resolves.toMatchObject({ value: { counter: 1, writer: winner } });
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
  }, 60_000);
});

/**
 * A separate Node process (TypeScript compiled by SWC on load) that reads the state, reports `ready`,
 * and on `go` writes with the etag it read, then reports `won`, `conflict` or the error.
 */
function startWriterProcess(file: string, id: string) {
  const storeModule = path.resolve(__dirname, '../../../src/adapters/state/file-state-store.ts');
  const script = `
    const fs = require('node:fs');
    const swc = require(${JSON.stringify(require.resolve('@swc/core'))});
    require.extensions['.ts'] = (module, filename) => module._compile(swc.transformSync(fs.readFileSync(filename, 'utf8'),
      { filename, module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }).code, filename);
    const { createFileStateStore } = require(${JSON.stringify(storeModule)});
    const store = createFileStateStore({ file: ${JSON.stringify(file)} });
    store.read().then((current) => {
      process.once('message', () => store.write({ counter: 1, writer: ${JSON.stringify(id)} }, current.etag).then(
        () => process.send('won', () => process.exit(0)),
        (e) => process.send(e.code === 'StateConflict' ? 'conflict' : 'error: ' + e.stack, () => process.exit(0))));
      process.send('ready');
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: string[] = [];
  const waiters: Array<() => void> = [];
  child.on('message', (m) => {
    messages.push(String(m));
    waiters.splice(0).forEach((w) => w());
  });
  const nth = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => (messages[n] !== undefined ? resolve(messages[n]) : waiters.push(check));
      child.once('exit', (code) =>
        reject(new Error(`writer ${id} exited (${code}) after ${messages.join(', ')}`)),
      );
      check();
    });
  return { id, ready: nth(0), go: () => child.send('go'), outcome: nth(1) };
}
