import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, startCli, stop } from '../helpers/cli';

beforeAll(assertBuilt);

/** Each child gets a TMPDIR of its own, so "nothing left behind" is an empty folder. */
async function withTmpdir(fn: (tmpdir: string) => Promise<void>): Promise<void> {
  const tmpdir = await mkdtemp(path.join(os.tmpdir(), 'appgw-shutdown-'));
  try {
    await fn(tmpdir);
  } finally {
    await rm(tmpdir, { recursive: true, force: true });
  }
}

describe('a stopped CLI leaves no temp folder behind', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('emulator, stopped by %s', (signal) =>
    withTmpdir(async (tmpdir) => {
      const { child, firstLine } = await startCli(['emulator', '--port', '0'], {
        ...process.env,
        TMPDIR: tmpdir,
      });
      expect(JSON.parse(firstLine).caCertFile.startsWith(tmpdir)).toBe(true);
      expect(await readdir(tmpdir)).toHaveLength(1);
      await stop(child, signal);
      expect(await readdir(tmpdir)).toEqual([]);
    }),
  );

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('demo, stopped by %s mid-run, exits %i', (signal, expected) =>
    withTmpdir(async (tmpdir) => {
      const out = path.join(tmpdir, 'out');
      // The first line is printed once the emulator listens; the run then waits on its operations.
      const { child, firstLine } = await startCli(['demo', '--out', out], { ...process.env, TMPDIR: tmpdir });
      expect(firstLine).toMatch(/^Backend-health emulator on https:/);
      expect((await readdir(tmpdir)).filter((e) => e.startsWith('appgw-emulator-'))).toHaveLength(1);
      const code = await stop(child, signal);
      expect(code).toBe(expected);
      expect((await readdir(tmpdir)).filter((e) => e.startsWith('appgw-emulator-'))).toEqual([]);
    }),
  );
});
