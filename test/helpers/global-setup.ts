/**
 * Once per jest run: every temp folder the tests (and the CLIs and Azurite they start) make goes under
 * one folder of this run, removed at the end whatever a test forgot; and a test that writes into the
 * working tree (a default `out/` or `.appgw-state/`) fails the run, naming what it wrote.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
/** Build output and installs are the run's own business. */
const EXPECTED = /^(?:dist|node_modules|coverage|app)\//;

/** Untracked and ignored paths of the working tree, or undefined outside a git checkout. */
export function untrackedPaths(): Set<string> | undefined {
  try {
    const out = execFileSync('git', ['status', '--porcelain', '--ignored', '-z'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const entries = out
      .split('\0')
      .filter((line) => line.startsWith('?? ') || line.startsWith('!! '))
      .map((line) => line.slice(3))
      .filter((p) => !EXPECTED.test(p));
    return new Set(entries);
  } catch {
    return undefined;
  }
}

export default function globalSetup(): void {
  const before = untrackedPaths();
  process.env['TEST_APPGW_TREE_BEFORE'] = before ? JSON.stringify([...before]) : '';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'appgw-tests-'));
  process.env['TEST_APPGW_TMPDIR'] = tmp;
  process.env['TMPDIR'] = tmp;
  // The tests start the built CLI hundreds of times; most of each start is compiling its modules.
  // Node's own compile cache (nodejs.org/api/module.html#module-compile-cache) keeps the compiled code
  // for the next start, here in the run's temp folder: the tests alone, not the product, use it.
  process.env['NODE_COMPILE_CACHE'] = path.join(tmp, 'node-compile-cache');
}
