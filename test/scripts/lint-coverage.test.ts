/**
 * `npm run lint` (`prettier --check .`) must read every source file of the project: an ignore line that
 * hides more than it means (`articles` once hid src/articles/, test/articles/ and src/adapters/articles/
 * besides the seed article) lets formatting drift where nobody sees it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** Folders of source; test/fixtures holds byte-exact inputs, which prettier leaves alone on purpose. */
const SOURCE_FOLDERS = ['src', 'test', 'functions', 'scripts', 'bench'];
const NOT_SOURCE = new Set(['test/fixtures']);

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${folder}/${entry.name}`;
    if (NOT_SOURCE.has(rel)) return [];
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.(ts|js|json)$/.test(entry.name) ? [rel] : [];
  });
}

/**
 * The files of `files` (relative to the root) that prettier ignores, asked of prettier's own API with the
 * ignore files its CLI reads by default. In a child process: prettier loads its plugins with a dynamic
 * import, which jest's module system does not allow.
 */
function ignoredByPrettier(files: string[]): string[] {
  const script = `
    const prettier = require('prettier');
    const ignorePath = ['.gitignore', '.prettierignore'];
    (async () => {
      const ignored = [];
      for (const file of JSON.parse(process.argv[1])) {
        if ((await prettier.getFileInfo(file, { ignorePath })).ignored) ignored.push(file);
      }
      process.stdout.write(JSON.stringify(ignored));
    })();`;
  const child = spawnSync(process.execPath, ['-e', script, JSON.stringify(files)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`prettier's getFileInfo failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as string[];
}

describe('prettier --check . (npm run lint)', () => {
  it('reads every source file, in every folder whatever its name (src/articles/ and test/articles/ too)', () => {
    const files = SOURCE_FOLDERS.flatMap(sourceFiles);
    expect(files).toEqual(expect.arrayContaining(['src/articles/fill.ts', 'test/articles/fill.test.ts']));
    expect(ignoredByPrettier(files)).toEqual([]);
  });

  it('leaves the shipped seed article and the test fixtures as they are', () => {
    const kept = ['articles/degraded-backend-server-health.md', 'test/fixtures/articles/positions.md'];
    expect(ignoredByPrettier(kept)).toEqual(kept);
  });
});
