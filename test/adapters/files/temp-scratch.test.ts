import { spawn } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  open,
  readdir,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTempScratch } from '../../../src/adapters/files/temp-scratch';
import { isScratchUnavailableError } from '../../../src/errors';
import { assertBuilt, ROOT } from '../../helpers/cli';

let parent: string;
beforeEach(async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), 'appgw-temp-scratch-'));
});
afterEach(async () => {
  await chmod(parent, 0o700).catch(() => undefined);
  await rm(parent, { recursive: true, force: true });
});

describe('temporary files of a run (createTempScratch)', () => {
  it('reads back every text appended, at once from many writers, any characters', async () => {
    const scratch = createTempScratch({ parent });
    const file = await scratch.file();
    const texts = Array.from({ length: 200 }, (_, i) => `${i}: ✓ é 𝄞 "q" \n\u0000 ${'x'.repeat(i * 37)}`);
    const places = await Promise.all(texts.map((text) => file.append(text)));
    // Read back out of order, and two files of one scratch do not mix.
    const other = await scratch.file();
    const otherPlace = await other.append('other');
    for (const i of [199, 0, 57, 3]) expect(await file.read(places[i]!)).toBe(texts[i]);
    expect(await other.read(otherPlace)).toBe('other');
    expect(new Set(places.map((p) => p.offset)).size).toBe(200);
    await scratch.dispose();
  });

  it('keeps its files in one folder of its own, removed by dispose (twice is fine)', async () => {
    const scratch = createTempScratch({ parent });
    expect(await readdir(parent)).toEqual([]); // nothing made before the first file
    await (await scratch.file()).append('a');
    const made = await readdir(parent);
    expect(made).toEqual([expect.stringMatching(/^appgw-insights-run-/)]);
    await scratch.dispose();
    await scratch.dispose();
    expect(await readdir(parent)).toEqual([]);
  });

  // A run killed with SIGKILL cannot remove its folder (at 20 000 gateways, tens of MB of listed
  // configurations, histories and report entries): the next run that makes its own removes it.
  it("the folder of a run killed with SIGKILL (its process gone, untouched for an hour) is removed by the next run's", async () => {
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.once('exit', () => resolve(child.pid as number));
    });
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const folder = async (name: string, at = hoursAgo) => {
      await mkdir(path.join(parent, name));
      await writeFile(path.join(parent, name, '0.txt'), 'left');
      await utimes(path.join(parent, name, '0.txt'), at, at);
      await utimes(path.join(parent, name), at, at);
      return name;
    };
    const killed = await folder(`appgw-insights-run-${dead}-AbC123`);
    const kept = [
      await folder(`appgw-insights-run-${dead}-young1`, new Date()), // a killed run's, but recent
      // A process this one cannot see (another container's), writing its files: the folder is old.
      await (async () => {
        const name = await folder(`appgw-insights-run-${dead}-write1`);
        await writeFile(path.join(parent, name, '1.txt'), 'written now');
        await utimes(path.join(parent, name), hoursAgo, hoursAgo);
        return name;
      })(),
      await folder(`appgw-insights-run-${process.pid}-live12`), // a live process's, however old
      await folder('appgw-insights-run-Xy9abc'), // no process id: not ours to judge
      await folder(`appgw-insights-run-${dead}-AbC123-mine`), // a user's, named otherwise
    ];
    await writeFile(path.join(parent, `appgw-insights-run-${dead}-file12`), 'a file named alike');
    await utimes(path.join(parent, `appgw-insights-run-${dead}-file12`), hoursAgo, hoursAgo);
    kept.push(`appgw-insights-run-${dead}-file12`);
    await symlink(path.join(parent, killed), path.join(parent, `appgw-insights-run-${dead}-link12`));
    kept.push(`appgw-insights-run-${dead}-link12`);

    const scratch = createTempScratch({ parent });
    await (await scratch.file()).append('a');
    const after = await readdir(parent);
    expect(after).not.toContain(killed);
    expect(after).toEqual(expect.arrayContaining(kept));
    expect(after.filter((name) => name.startsWith(`appgw-insights-run-${process.pid}-`))).toHaveLength(2);
    await scratch.dispose();
  });

  it('a text read back after its file was removed: ScratchUnavailable naming the file', async () => {
    const scratch = createTempScratch({ parent });
    const file = await scratch.file();
    const place = await file.append('abc');
    await scratch.dispose();
    const error = await file.read(place).catch((e: unknown) => e);
    expect(isScratchUnavailableError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /temporary file .*appgw-insights-run-.*0\.txt cannot be used: cannot read it/,
    );
    expect((error as Error).message).toContain('TMPDIR');
  });

  it.each([
    ['truncated, then written past (zeros in the hole)', 'truncate'],
    ['written into by another process', 'overwrite'],
  ])(
    'a file %s: ScratchUnavailable, never the changed text (break trial: a SyntaxError, exit 1)',
    async (_label, how) => {
      const scratch = createTempScratch({ parent });
      const file = await scratch.file();
      const first = await file.append('{"gateway":"a"}');
      const second = await file.append('{"gateway":"b"}');
      const [folder] = await readdir(parent);
      const [name] = await readdir(path.join(parent, folder!));
      const onDisk = path.join(parent, folder!, name!);
      if (how === 'truncate') {
        await truncate(onDisk, 3);
        await file.append('{"gateway":"c"}'); // the run goes on writing at its own offsets
      } else {
        const handle = await open(onDisk, 'r+');
        await handle.write('{"gateway":"X"}', second.offset);
        await handle.close();
      }
      for (const place of how === 'truncate' ? [first, second] : [second]) {
        const error = await file.read(place).catch((e: unknown) => e);
        expect(isScratchUnavailableError(error)).toBe(true);
        // The bytes the text was written at, not only where it began.
        expect((error as Error).message).toContain(
          `what it holds at bytes ${place.offset}–${place.offset + place.length - 1} is not what the run wrote there`,
        );
        expect(() => file.readSync(place)).toThrow(/is not what the run wrote there/);
      }
      if (how === 'overwrite') expect(await file.read(first)).toBe('{"gateway":"a"}');
      await scratch.dispose();
    },
  );

  it('a file truncated and left short: ScratchUnavailable that says it is shorter than the run wrote', async () => {
    const scratch = createTempScratch({ parent });
    const file = await scratch.file();
    const place = await file.append('{"gateway":"a"}');
    const [folder] = await readdir(parent);
    const [name] = await readdir(path.join(parent, folder!));
    await truncate(path.join(parent, folder!, name!), 3);
    const error = await file.read(place).catch((e: unknown) => e);
    expect(isScratchUnavailableError(error)).toBe(true);
    expect((error as Error).message).toContain(
      `it is shorter than the run wrote (it ends before byte ${place.offset + place.length}): something else truncated it`,
    );
    await scratch.dispose();
  });

  it('a temp folder it cannot write in: ScratchUnavailable when the file is asked for', async () => {
    const blocked = path.join(parent, 'not-a-folder');
    await writeFile(blocked, '');
    const error = await createTempScratch({ parent: blocked })
      .file()
      .catch((e: unknown) => e);
    expect(isScratchUnavailableError(error)).toBe(true);
    // The file in the way is named (a break trial saw a bare "ENOTDIR: not a directory").
    expect((error as Error).message).toContain(
      `cannot make it: a file is where a folder should be (${blocked}) (ENOTDIR)`,
    );
    // The message names the file once: Node's ", mkdtemp '<path>'" is not repeated after its code.
    expect((error as Error).message).not.toMatch(/mkdtemp '/);
  });

  it('is removed when the process exits without disposing it (process.exit, an uncaught error)', async () => {
    assertBuilt();
    const moduleFile = path.join(ROOT, 'dist/src/adapters/files/temp-scratch.js');
    for (const [name, ending] of [
      ['exit', 'process.exit(3)'],
      ['throw', "throw new Error('boom')"],
    ] as const) {
      const own = path.join(parent, name);
      await mkdir(own);
      // The built module, in a Node process of its own.
      const script = `
        const { createTempScratch } = require(${JSON.stringify(moduleFile)});
        (async () => {
          const scratch = createTempScratch({ parent: ${JSON.stringify(own)} });
          await (await scratch.file()).append('kept until exit');
          process.stdout.write(require('node:fs').readdirSync(${JSON.stringify(own)}).join(','));
          ${ending};
        })();`;
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('error', reject);
        child.on('close', (exit) => {
          expect(out).toMatch(/^appgw-insights-run-/);
          resolve(exit);
        });
      });
      expect(code).not.toBe(0);
      expect(await readdir(own)).toEqual([]);
    }
  });
});
