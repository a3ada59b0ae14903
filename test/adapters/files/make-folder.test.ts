import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeFolder } from '../../../src/adapters/files/make-folder';
import { createFolderSink } from '../../../src/adapters/sinks/folder-sink';
import { createFileStateStore } from '../../../src/adapters/state/file-state-store';
import { writeReadyFile } from '../../../src/cli/ready-file';
import { DeliveryError, StateUnavailableError } from '../../../src/errors';
import { buildDelivery, gatewayRef } from '../../helpers/delivery-builder';

/**
 * A folder whose making the file system answers with ENOENT although its parent exists (/proc): Node
 * 22's `mkdir(…, { recursive: true })` spins forever there (issue 15 trial: `demo --out /proc/ro` hung
 * 14 minutes). Each place that makes a folder must fail at once instead. /proc is Linux's; elsewhere
 * the cases still run against a folder that cannot be made for another reason.
 */
const UNMAKEABLE = existsSync('/proc/self') ? '/proc/ro' : '/dev/null/ro';

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'appgw-make-folder-'));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'made',
    (error: NodeJS.ErrnoException) => error.code,
  );

describe('makeFolder', () => {
  it.each([
    // stat sees a link to nothing as missing, and mkdir finds it there: not "made meanwhile".
    ['a link to nothing', (at: string) => symlink(path.join(temp, 'nowhere'), at), 'EEXIST'],
    ['a link to itself', (at: string) => symlink('x', at), 'ELOOP'],
    [
      'a link to a folder',
      async (at: string) => {
        await mkdir(path.join(temp, 'real'));
        await symlink(path.join(temp, 'real'), at);
      },
      'made',
    ],
  ])('%s where a folder of the path should be: %s', async (_, make, code) => {
    await make(path.join(temp, 'x'));
    await expect(codeOf(makeFolder(path.join(temp, 'x', 'y')))).resolves.toBe(code);
  });

  it('makes the folder and its missing parents; a folder already there is fine', async () => {
    const dir = path.join(temp, 'a', 'b', 'c');
    await makeFolder(dir);
    expect((await stat(dir)).isDirectory()).toBe(true);
    await expect(makeFolder(dir)).resolves.toBeUndefined();
    await expect(makeFolder(temp)).resolves.toBeUndefined();
  });

  it('two makers of the same folders at once both succeed', async () => {
    const dir = path.join(temp, 'x', 'y', 'z');
    await Promise.all([makeFolder(dir), makeFolder(dir), makeFolder(path.join(dir, 'w'))]);
    expect((await stat(path.join(dir, 'w'))).isDirectory()).toBe(true);
  });

  it.each([
    ['a folder the file system will not make (ENOENT with its parent there)', () => `${UNMAKEABLE}/x`],
    ['its own name under /proc', () => UNMAKEABLE],
  ])('fails at once, with the file system error: %s', async (_, dir) => {
    expect(await codeOf(makeFolder(dir()))).toMatch(/^E[A-Z]+$/);
  });

  it('a file in the way: EEXIST for the folder itself, ENOTDIR for a parent (as mkdir -p)', async () => {
    const file = path.join(temp, 'f');
    await writeFile(file, 'x');
    expect(await codeOf(makeFolder(file))).toBe('EEXIST');
    expect(await codeOf(makeFolder(path.join(file, 'sub', 'deeper')))).toBe('ENOTDIR');
  });
});

describe('every folder we make fails at once where it cannot be made', () => {
  it('the folder sink (run with sinks.dir there): a DeliveryError', async () => {
    const sink = createFolderSink({ dir: UNMAKEABLE });
    await expect(
      sink.deliver(buildDelivery('r1', [{ gateway: gatewayRef('gw'), unhealthy: ['10.0.0.4'] }])),
    ).rejects.toBeInstanceOf(DeliveryError);
  });

  it('the file state store (state.dir there): a StateUnavailableError', async () => {
    const store = createFileStateStore<{ a: number }>({ file: path.join(UNMAKEABLE, 'state.json') });
    await expect(store.write({ a: 1 }, undefined)).rejects.toBeInstanceOf(StateUnavailableError);
  });

  it('emulator --config-out there: the file system error', async () => {
    expect(await codeOf(writeReadyFile(path.join(UNMAKEABLE, 'config.json'), '{}'))).toMatch(/^E[A-Z]+$/);
  });
});
