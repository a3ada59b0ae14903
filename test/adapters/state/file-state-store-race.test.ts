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
jest.mock('node:fs/promises', () => {
  const real = jest.requireActual<typeof fsp>('node:fs/promises');
  return {
    ...real,
    rename: async (from: string, to: string) => {
      await real.rename(from, to);
      const hook = afterAside;
      if (hook && /\.lock\.stale-/.test(path.basename(to))) {
        afterAside = undefined;
        await hook();
      }
    },
  };
});

import { createFileStateStores } from '../../../src/adapters/state/keyed-state-stores';
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
});
