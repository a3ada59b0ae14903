import * as fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * What another process does between this one's steps of a gateway folder's swap (folder-sink.ts
 * swapIn), played by a hook on rename: the moment a staged folder is renamed onto a gateway folder,
 * `beforeSwapIn` runs first. Another process's file system calls cannot be timed from a test; this
 * puts them exactly in the window the trial hit.
 */
let beforeSwapIn: ((to: string) => Promise<void>) | undefined;
/** When set, removing a `.staging-` folder fails once with this code. */
let failStagingRemoval: string | undefined;
jest.mock('node:fs/promises', () => {
  const real = jest.requireActual<typeof fsp>('node:fs/promises');
  return {
    ...real,
    rm: async (at: string, options?: Parameters<typeof fsp.rm>[1]) => {
      const code = failStagingRemoval;
      if (code && path.basename(at).startsWith('.staging-')) {
        failStagingRemoval = undefined;
        throw Object.assign(new Error(`${code}: refused, rm '${at}'`), { code, syscall: 'rm' });
      }
      return real.rm(at, options);
    },
    rename: async (from: string, to: string) => {
      const hook = beforeSwapIn;
      if (hook && path.basename(from).startsWith('.staging-') && !path.basename(to).startsWith('.staging-')) {
        beforeSwapIn = undefined;
        await hook(to);
      }
      return real.rename(from, to);
    },
  };
});

import { createFolderSink } from '../../../src/adapters/sinks/folder-sink';
import { gatewayInsightFolder } from '../../../src/insight/insight-path';
import { buildDelivery, gatewayRef } from '../../helpers/delivery-builder';

const gw = gatewayRef('appgw-one');
let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'appgw-swap-'));
});
afterEach(async () => {
  beforeSwapIn = undefined;
  failStagingRemoval = undefined;
  await fsp.rm(dir, { recursive: true, force: true });
});
const staging = async () => (await fsp.readdir(dir)).filter((name) => name.startsWith('.staging-'));

describe('folder sink: a gateway folder’s swap while another process works on the same folder', () => {
  it('another process’s folder lands between the move aside and the rename in: the last one wins, no old insights left in a .staging- folder (trial: 49 left)', async () => {
    const sink = createFolderSink({ dir });
    await sink.deliver(buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.1'] }]));
    beforeSwapIn = async (to) => {
      await fsp.mkdir(to, { recursive: true });
      await fsp.writeFile(path.join(to, 'from-process-B.md'), 'B\n');
    };
    await sink.deliver(buildDelivery('run-2', [{ gateway: gw, unhealthy: ['10.0.0.2'] }]));
    const folder = await fsp.readdir(path.join(dir, gatewayInsightFolder(gw)));
    expect(folder.some((file) => file.includes('10.0.0.2'))).toBe(true);
    expect(folder).not.toContain('from-process-B.md');
    expect(await staging()).toEqual([]);
  });

  it('the old folder moved aside is dated now, not by its last change: another run’s tidying takes it for young (trial: a 3-hour-old one could be removed mid-swap)', async () => {
    const sink = createFolderSink({ dir });
    await sink.deliver(buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.1'] }]));
    const old = new Date(Date.now() - 3 * 3_600_000);
    await fsp.utimes(path.join(dir, gatewayInsightFolder(gw)), old, old);
    const seen: number[] = [];
    beforeSwapIn = async () => {
      for (const name of await staging()) seen.push((await fsp.stat(path.join(dir, name))).mtimeMs);
    };
    const before = Date.now();
    await sink.deliver(buildDelivery('run-2', [{ gateway: gw, unhealthy: ['10.0.0.2'] }]));
    // The staged folder and the old one aside: both made or moved this moment (a margin of a minute).
    expect(seen).toHaveLength(2);
    for (const mtime of seen) expect(mtime).toBeGreaterThan(before - 60_000);
    expect(await staging()).toEqual([]);
  });

  it('the old folder that cannot be removed once the new one is in place fails nothing (a review’s: the delivery failed after the swap worked)', async () => {
    const sink = createFolderSink({ dir });
    await sink.deliver(buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.1'] }]));
    failStagingRemoval = 'EACCES';
    await expect(
      sink.deliver(buildDelivery('run-2', [{ gateway: gw, unhealthy: ['10.0.0.2'] }])),
    ).resolves.toBeDefined();
    expect(failStagingRemoval).toBeUndefined(); // the removal was tried, and failed
    const folder = await fsp.readdir(path.join(dir, gatewayInsightFolder(gw)));
    expect(folder.some((file) => file.includes('10.0.0.2'))).toBe(true);
  });
});
