import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_MARKER, prepareDemoOutFolder } from '../../src/cli/demo-out-folder';
import { DemoOutFolderError } from '../../src/errors';
import { assertBuilt, runCli } from '../helpers/cli';

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'appgw-demo-out-'));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** Files (relative path → text) put in a folder before the demo is pointed at it. */
async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = path.join(temp, 'out');
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

const USERS = {
  'index.html': '<p>mine</p>',
  'report.json': '{"mine":true}',
  'notes.txt': 'mine',
  'insights/other.md': '# mine',
};

/**
 * The demo never writes over files it did not write (issue 15 trial: a user's own index.html and
 * report.json were replaced, exit 0, no notice). Its folder is marked (.appgw-demo); a folder that is
 * new, empty, marked, or a demo's from before the mark is used; any other is refused, untouched.
 */
describe('the demo writes only into a folder that is its own', () => {
  it.each([
    ['a new folder (made, with its parents)', async () => path.join(temp, 'new', 'out')],
    ['an empty folder', async () => folderWith({})],
    [
      'a marked folder, whatever else is in it',
      async () => folderWith({ [DEMO_MARKER]: 'x', 'notes.txt': 'x' }),
    ],
  ])('%s: used, and marked', async (_, made) => {
    const dir = await made();
    await prepareDemoOutFolder(dir);
    expect(await readdir(dir)).toContain(DEMO_MARKER);
  });

  it.each([
    ["the trial's: own index.html, report.json, notes.txt, insights/other.md", USERS, 'notes.txt'],
    ['only an index.html of its own', { 'index.html': 'mine' }, 'index.html'],
    [
      "the demo's names but no history (not a demo's)",
      { 'report.json': '{}', 'insights/x.md': 'x' },
      'insights',
    ],
    ['a hidden file', { '.env': 'SECRET=1' }, '.env'],
  ])('%s: refused, naming them, nothing written', async (_, files, named) => {
    const dir = await folderWith(files);
    const error = await prepareDemoOutFolder(dir).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(DemoOutFolderError);
    expect(error?.message).toContain(
      `The demo cannot use ${dir} as its --out folder: it holds files the demo did not write (`,
    );
    expect(error?.message).toContain(named);
    expect(error?.message).toContain('Choose a new or empty folder with --out');
    expect((await readdir(dir)).sort()).toEqual(
      Object.keys(files)
        .map((f) => f.split('/')[0])
        .filter((f, i, all) => all.indexOf(f) === i)
        .sort(),
    );
    for (const [file, text] of Object.entries(files))
      expect(await readFile(path.join(dir, file), 'utf8')).toBe(text);
  });

  // A break trial: `demo --out r1`, r1 a run's folder (the same names as a demo's, and its history),
  // replaced the run's report and status page and added the demo's readings to its history.
  it("a run's folder (the demo's names, its history, no mark): refused, naming the mark, nothing written", async () => {
    const files = {
      'index.html': 'x',
      'report.json': '{}',
      'insights/a/b.md': 'x',
      's/a/b.html': 'x',
      '.appgw-state/history/x.json': '{}',
    };
    const dir = await folderWith(files);
    const error = await prepareDemoOutFolder(dir).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(DemoOutFolderError);
    expect(error?.message).toContain(
      `it is a run's folder (it holds .appgw-state, index.html, insights, report.json, s), not marked as the demo's (${DEMO_MARKER})`,
    );
    expect(error?.message).toContain("If it is a demo's folder from an earlier release, remove it");
    expect(await readdir(dir)).not.toContain(DEMO_MARKER);
    for (const [file, text] of Object.entries(files))
      expect(await readFile(path.join(dir, file), 'utf8')).toBe(text);
  });

  it("the CLI: exit 2 before any run, the user's files as they were", async () => {
    assertBuilt();
    const dir = await folderWith(USERS);
    const { code, stdout, stderr } = await runCli(['demo', '--out', dir]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('it holds files the demo did not write (notes.txt)');
    for (const [file, text] of Object.entries(USERS))
      expect(await readFile(path.join(dir, file), 'utf8')).toBe(text);
  });
});
