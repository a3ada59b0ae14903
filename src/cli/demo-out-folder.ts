import { readdir, writeFile } from 'node:fs/promises';
import { RUN_LOCK_NAME, TAKEOVER_NAME } from '../adapters/files/run-folder-lock';
import path from 'node:path';
import { obstacleFor } from '../adapters/files/first-obstacle';
import { makeFolder } from '../adapters/files/make-folder';
import { errnoText } from '../adapters/files/errno-text';
import { DemoOutFolderError } from '../errors';

/**
 * The file that marks a folder as the demo's own: the demo writes it into an `--out` folder it made
 * or found empty, and writes over what is in a folder only when the mark is there.
 */
export const DEMO_MARKER = '.appgw-demo';

/**
 * What the demo itself writes at the top of its folder (the folder sink's files and folders, the
 * history, the mark). A `run`'s folder holds the same names: without the mark, a folder of only these
 * is a run's (or a demo's from before the mark, which cannot be told apart), and is refused: taken as
 * the demo's, a run's report and status page were replaced and its history got the demo's readings,
 * the first all healthy (a break trial).
 */
const DEMO_ENTRIES = new Set([
  'report.json',
  'index.html',
  'insights',
  's',
  'runs',
  '.appgw-state',
  DEMO_MARKER,
  // The run folder's lock (adapters/files/run-folder-lock.ts): a run of it at work, or killed.
  RUN_LOCK_NAME,
  TAKEOVER_NAME,
]);

/** Names listed of a folder's files that are not the demo's; the rest are counted. */
const FOREIGN_SHOWN = 5;

/**
 * Makes the demo's `--out` folder, or checks that the folder there is the demo's, before the demo starts
 * its emulator: a folder that cannot be made (`--out /proc/ro`, a file, no permission), or one that
 * holds files the demo did not write (a user's own `index.html` would be replaced without a word), ends
 * the demo at once with one message, as does a run's folder (the same names, no mark). A new or empty
 * folder gets the mark and is used, as is one that has it.
 *
 * @throws DemoOutFolderError naming the folder and why, and what to do (another --out; move the files).
 */
export async function prepareDemoOutFolder(outDir: string): Promise<void> {
  try {
    await makeFolder(outDir);
  } catch (error) {
    throw new DemoOutFolderError(outDir, await whyNot(outDir, error), undefined, { cause: error });
  }
  const entries = await readdir(outDir).catch((error: unknown) => {
    throw new DemoOutFolderError(outDir, `it cannot be read (${errnoText(error)})`, undefined, {
      cause: error,
    });
  });
  const ours = entries.length === 0 || entries.includes(DEMO_MARKER);
  const runsFolder =
    entries.includes('.appgw-state') &&
    entries.every((e) => DEMO_ENTRIES.has(e) || e.startsWith('.staging-'));
  if (!ours && runsFolder) {
    throw new DemoOutFolderError(
      outDir,
      `it is a run's folder (it holds ${entries.sort().slice(0, FOREIGN_SHOWN).join(', ')}), not marked as the demo's (${DEMO_MARKER}): the demo would replace its report and status page, and add its own readings to its history`,
      `Choose a new or empty folder with --out (the demo makes it). If it is a demo's folder from an earlier release, remove it and run the demo again.`,
    );
  }
  if (!ours) {
    const foreign = entries.filter((e) => !DEMO_ENTRIES.has(e)).sort();
    const named = foreign.length ? foreign : entries.sort();
    const listed =
      named.slice(0, FOREIGN_SHOWN).join(', ') +
      (named.length > FOREIGN_SHOWN ? ` and ${named.length - FOREIGN_SHOWN} more` : '');
    throw new DemoOutFolderError(
      outDir,
      `it holds files the demo did not write (${listed}), and the demo replaces index.html, report.json and insights/ in it`,
      `Choose a new or empty folder with --out (the demo makes it), or move those files away. A folder the demo wrote is marked by its ${DEMO_MARKER} file.`,
    );
  }
  if (!entries.includes(DEMO_MARKER)) {
    await writeFile(
      path.join(outDir, DEMO_MARKER),
      "Written by `appgw-insights demo`: this folder is the demo's, and each demo writes over it.\n",
      'utf8',
    ).catch((error: unknown) => {
      throw new DemoOutFolderError(outDir, `it cannot be written (${errnoText(error)})`, undefined, {
        cause: error,
      });
    });
  }
}

/**
 * What stops the folder being made, as the user would say it, with the file system's code: what stands
 * where a folder of its path should be is named (files/first-obstacle.ts; a trial's link to nothing was
 * "it is a file, not a folder").
 */
async function whyNot(outDir: string, error: unknown): Promise<string> {
  const code = (error as NodeJS.ErrnoException).code;
  const found = await obstacleFor(outDir, error);
  if (found && path.resolve(found.at) === path.resolve(outDir)) return `it is ${found.what}, not a folder`;
  if (found) return `${found.what} is in its path where a folder should be (${found.at})`;
  if (code === 'EEXIST') return 'it is a file, not a folder';
  if (code === 'ENOTDIR') return 'a file is in its path where a folder should be';
  return `it cannot be made (${errnoText(error)})`;
}
