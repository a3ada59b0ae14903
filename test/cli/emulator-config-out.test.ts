import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli, startCli, stop } from '../helpers/cli';

beforeAll(assertBuilt);

describe('emulator --config-out FILE', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'holds the first stdout line once it answers; %s stops it and removes FILE',
    async (signal) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-config-out-'));
      const file = path.join(dir, 'nested', 'emulator.json');
      const { child, firstLine } = await startCli(['emulator', '--config-out', file, '--out', dir]);
      try {
        // Written before the line is printed: by now it is there, whole, and the same.
        expect(await readFile(file, 'utf8')).toBe(`${firstLine}\n`);
        const info = JSON.parse(firstLine);
        expect(existsSync(info.config)).toBe(true);
      } finally {
        expect(await stop(child, signal)).toBe(0);
      }
      expect(existsSync(file)).toBe(false);
      // No temporary file left beside it.
      expect(existsSync(path.join(dir, 'nested', `.emulator.json.${child.pid}.tmp`))).toBe(false);
      await rm(dir, { recursive: true, force: true });
    },
  );

  // A new-user trial: the config's state (the status page's history, notify's episodes) was kept in the
  // emulator's temporary folder and went with each stop: the next emulator's page had one reading.
  it("a run on its config keeps its state in --out: the next emulator's run adds to the same history", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-config-out-'));
    const out = path.join(dir, 'out');
    try {
      for (const round of [1, 2]) {
        const file = path.join(dir, `emulator-${round}.json`);
        const { child, firstLine } = await startCli(['emulator', '--config-out', file, '--out', out]);
        try {
          const run = await runCli(['run', '--config', JSON.parse(firstLine).config, '--json']);
          expect(run.code).toBe(0);
        } finally {
          expect(await stop(child, 'SIGTERM')).toBe(0);
        }
      }
      const history = path.join(
        out,
        '.appgw-state',
        'history',
        '00000000-0000-0000-0000-000000000000',
        'rg-edge',
        'appgw-static.json',
      );
      expect(JSON.parse(await readFile(history, 'utf8')).readings).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Issue 15's trial: a second emulator's FILE replaced the first's, and the first, stopping, removed it.
  it("a FILE that exists (another emulator's): exit 2 saying so, the first emulator's FILE left as it was", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-config-out-'));
    const file = path.join(dir, 'emulator.json');
    const { child, firstLine } = await startCli(['emulator', '--config-out', file, '--out', dir]);
    try {
      const second = await runCli(['emulator', '--config-out', file, '--out', dir]);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`--config-out: ${file} exists already`);
      expect(await readFile(file, 'utf8')).toBe(`${firstLine}\n`);
    } finally {
      expect(await stop(child, 'SIGTERM')).toBe(0);
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Issue 15's trial: --counts into a folder that did not exist crashed when the emulator stopped.
  it('--counts into a folder that does not exist: made, and the counts written when it stops', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-counts-'));
    const counts = path.join(dir, 'no', 'such', 'counts.json');
    const { child } = await startCli(['emulator', '--counts', counts, '--out', dir]);
    try {
      expect(await stop(child, 'SIGINT')).toBe(0);
      expect(JSON.parse(await readFile(counts, 'utf8'))).toEqual(expect.any(Object));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // A trial: a folder was "exists already (another emulator's …): … remove it".
  it.each([
    ['a folder', (at: string) => mkdir(at), 'is a folder: --config-out takes the path of a file to write'],
    [
      'a link to nothing',
      (at: string) => symlink('/nonexistent/appgw', at),
      'is a link: --config-out takes the path of a new file to write',
    ],
  ])('--config-out naming %s: exit 2, said for what it is, never "remove it"', async (_, make, said) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-config-out-'));
    try {
      const there = path.join(dir, 'there');
      await make(there);
      const { code, stderr } = await runCli(['emulator', '--config-out', there]);
      expect(code).toBe(2);
      expect(stderr).toBe(`error: Invalid arguments: --config-out: ${there} ${said}\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // A trial: exit 1 and a stack trace ("mkdtemp … ENOENT") for a TMPDIR that is a link to nothing.
  it('a TMPDIR that is a link to nothing: exit 2 naming it, no stack trace', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-emulator-tmpdir-'));
    try {
      const tmpdir = path.join(dir, 'gone');
      await symlink('/nonexistent/appgw', tmpdir);
      const { code, stderr } = await runCli(['emulator'], dir, { ...process.env, TMPDIR: tmpdir });
      expect(code).toBe(2);
      expect(stderr).toContain(`a link to nothing is where a folder should be (${tmpdir}) (ENOENT)`);
      expect(stderr).toContain('Point TMPDIR at a folder');
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--counts where no folder can be made: exit 2 at start, saying so', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-counts-'));
    try {
      await writeFile(path.join(dir, 'file'), 'x');
      const { code, stderr } = await runCli(['emulator', '--counts', path.join(dir, 'file', 'counts.json')]);
      expect(code).toBe(2);
      // The file in the way is named (a break trial saw a bare EEXIST).
      expect(stderr).toContain(
        `--counts: cannot write ${path.join(dir, 'file', 'counts.json')} (a file is where a folder should be (${path.join(dir, 'file')}) (EEXIST))`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // A trial: a folder by FILE's name was found only when the emulator stopped, the counts lost.
  it('--counts naming a folder: exit 2 at start, saying so', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-counts-'));
    try {
      await mkdir(path.join(dir, 'counts.json'));
      const { code, stderr } = await runCli(['emulator', '--counts', path.join(dir, 'counts.json')]);
      expect(code).toBe(2);
      expect(stderr).toContain(
        `--counts: cannot write ${path.join(dir, 'counts.json')} (a folder is there (EISDIR))`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a FILE it cannot write: exit 2 naming --config-out, and the emulator does not keep running', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-config-out-'));
    try {
      const notAFolder = path.join(dir, 'file');
      await writeFile(notAFolder, 'x');
      const { code, stderr } = await runCli([
        'emulator',
        '--config-out',
        path.join(notAFolder, 'emulator.json'),
      ]);
      expect(code).toBe(2);
      expect(stderr).toBe(
        `error: Invalid arguments: --config-out: cannot write ${path.join(notAFolder, 'emulator.json')} (a file is where a folder should be (${notAFolder}) (EEXIST))\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
