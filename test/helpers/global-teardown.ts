import { rmSync } from 'node:fs';
import { untrackedPaths } from './global-setup';

/** See global-setup.ts: removes the run's temp folder, then fails the run if tests wrote into the tree. */
export default function globalTeardown(): void {
  const tmp = process.env['TEST_APPGW_TMPDIR'];

  // Retried: a child process a test started may still be writing its compile cache there (ENOTEMPTY).
  if (tmp) rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  const recorded = process.env['TEST_APPGW_TREE_BEFORE'];
  const after = untrackedPaths();
  if (!recorded || !after) return;
  const before = new Set(JSON.parse(recorded) as string[]);
  const written = [...after].filter((p) => !before.has(p));
  if (written.length > 0) {
    throw new Error(
      `Tests wrote into the working tree (write under os.tmpdir() instead):\n${written
        .slice(0, 20)
        .map((p) => `  ${p}`)
        .join('\n')}`,
    );
  }
}
