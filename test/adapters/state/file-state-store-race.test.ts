import * as fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * What another process does between this one's steps when it breaks a stale lock (file-state-store.ts
 * breakIfStale), played by a hook on rename: the moment the stale lock is moved aside, `afterAside`
 * runs. Another process's calls cannot be timed from a test; this puts them exactly in the window a
 * break trial hit.
 */
let afterAside: (() => Promise<void>) | undefined;
/**
 * A writer held up the moment its lock's name exists (a busy disk queues its next calls behind a run's
 * other writes), played by a hook on the calls that can make that name: `open` with `wx` and `link`.
 */
let afterLockNamed: (() => Promise<void>) | undefined;
/** A file system that makes no hard links (FAT, some network shares): link answers this errno. */
let linkRefusal: string | undefined;
/** A stale lock this process may not move aside (another user's, in a folder with the sticky bit). */
let asideRefusal: string | undefined;
jest.mock('node:fs/promises', () => {
  const real = jest.requireActual<typeof fsp>('node:fs/promises');
  const lockNamed = async (at: unknown) => {
    const hook = afterLockNamed;
    if (hook && String(at).endsWith('.lock')) {
      afterLockNamed = undefined;
      await hook();
    }
  };
  return {
    ...real,
    rename: async (from: string, to: string) => {
      if (asideRefusal && /\.lock\.stale-/.test(path.basename(to)))
        throw Object.assign(new Error(`${asideRefusal}: operation not permitted, rename`), {
          code: asideRefusal,
        });
      await real.rename(from, to);
      const hook = afterAside;
      if (hook && /\.lock\.stale-/.test(path.basename(to))) {
        afterAside = undefined;
        await hook();
      }
    },
    open: async (...args: Parameters<typeof fsp.open>) => {
      const handle = await real.open(...args);
      if (args[1] === 'wx') await lockNamed(args[0]);
      return handle;
    },
    link: async (from: string, to: string) => {
      if (linkRefusal && String(to).endsWith('.lock'))
        throw Object.assign(new Error(`${linkRefusal}: operation not permitted, link`), {
          code: linkRefusal,
        });
      await real.link(from, to);
      await lockNamed(to);
    },
  };
});

import { createFileStateStore } from '../../../src/adapters/state/file-state-store';
import { createFileStateStores } from '../../../src/adapters/state/keyed-state-stores';
import { StateUnavailableError } from '../../../src/errors';
import { gatewayKey } from '../../../src/core/arm-id';

describe('file state store: another run tidies the folder while this one breaks a stale lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'appgw-state-race-'));
  });
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it('the stale lock moved aside (dated by the dead run) is removed by the other run’s tidying in between: the write goes on (break trial: "cannot lock it: ENOENT")', async () => {
    const key = gatewayKey(
      '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw',
    );
    const stores = createFileStateStores<{ n: number }>({ dir });
    await stores.forKey(key).write({ n: 1 }, undefined);
    // A lock a dead run of another machine left two hours ago: broken for its age.
    const lock = path.join(dir, 'sub', 'rg', 'gw.json.lock');
    await fsp.writeFile(lock, '1 dead-run other-host');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await fsp.utimes(lock, twoHoursAgo, twoHoursAgo);
    let tidiedAside: string[] = [];
    afterAside = async () => {
      await stores.listKeys();
      tidiedAside = (await fsp.readdir(path.join(dir, 'sub', 'rg'))).filter((n) => n.includes('.stale-'));
    };
    const current = await stores.forKey(key).read();
    await expect(stores.forKey(key).write({ n: 2 }, current?.etag)).resolves.toEqual(expect.any(String));
    expect(afterAside).toBeUndefined(); // the hook ran
    expect(tidiedAside).toEqual([]); // the aside was taken from under the write
    expect((await stores.forKey(key).read())?.value).toEqual({ n: 2 });
    expect(await fsp.readdir(path.join(dir, 'sub', 'rg'))).toEqual(['gw.json']);
  });

  // Created empty and filled after, the lock was empty while its writer was held up, and broken as left
  // empty once 3 s old: two writers passed the etag check at once.
  it('a writer held up once its lock exists keeps it: another writer waits, and does not break it as left empty', async () => {
    const file = path.join(dir, 'doc.json');
    let other: unknown;
    afterLockNamed = async () => {
      // Old enough to pass for empty and left (3 s), young enough not to be stale (30 s).
      const tenSecondsAgo = new Date(Date.now() - 10_000);
      await fsp.utimes(`${file}.lock`, tenSecondsAgo, tenSecondsAgo);
      other = await createFileStateStore<{ n: number }>({ file, lockTimeoutInMs: 300 })
        .write({ n: 2 }, undefined)
        .catch((error: unknown) => error);
    };
    await createFileStateStore<{ n: number }>({ file }).write({ n: 1 }, undefined);
    expect(afterLockNamed).toBeUndefined(); // the hook ran
    expect(other).toBeInstanceOf(StateUnavailableError);
    expect((other as Error).message).toContain('waiting for the lock');
    expect((await createFileStateStore<{ n: number }>({ file }).read())?.value).toEqual({ n: 1 });
    expect(await fsp.readdir(dir)).toEqual(['doc.json']);
  });

  it.each(['EPERM', 'ENOTSUP'])(
    'where the file system makes no hard links (link: %s), the lock is made in place: writes go on, and nothing is left',
    async (code) => {
      linkRefusal = code;
      try {
        const file = path.join(dir, 'doc.json');
        const store = createFileStateStore<{ n: number }>({ file, lockTimeoutInMs: 300 });
        const etag = await store.write({ n: 1 }, undefined);
        await store.write({ n: 2 }, etag);
        expect((await store.read())?.value).toEqual({ n: 2 });
        expect(await fsp.readdir(dir)).toEqual(['doc.json']);
      } finally {
        linkRefusal = undefined;
      }
    },
  );

  // A trial: "cannot lock it: operation not permitted (EPERM)" did not say which file it could not move.
  it('a stale lock it may not move aside: the write fails naming that lock file', async () => {
    const file = path.join(dir, 'doc.json');
    await fsp.writeFile(`${file}.lock`, '1 dead-run other-host');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await fsp.utimes(`${file}.lock`, twoHoursAgo, twoHoursAgo);
    asideRefusal = 'EPERM';
    try {
      const error = await createFileStateStore({ file, lockTimeoutInMs: 300 })
        .write({ n: 1 }, undefined)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect((error as Error).message).toContain(`cannot break the stale lock ${file}.lock of it:`);
      expect((error as Error).message).toContain('(EPERM)');
    } finally {
      asideRefusal = undefined;
    }
  });
});
