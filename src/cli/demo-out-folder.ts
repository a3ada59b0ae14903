import { makeFolder } from '../adapters/files/make-folder';
import { DemoOutFolderError } from '../errors';

/**
 * Makes the demo's `--out` folder before the demo starts its emulator, so a folder that cannot be made
 * (`--out /proc/ro`, a file, no permission) ends the demo at once with one message saying so.
 *
 * @throws DemoOutFolderError naming the folder, the file system's reason and "choose another folder
 *   with --out".
 */
export async function prepareDemoOutFolder(outDir: string): Promise<void> {
  try {
    await makeFolder(outDir);
  } catch (error) {
    throw new DemoOutFolderError(outDir, whyNot(error), undefined, {
      cause: error,
    });
  }
}

/** What stops the folder being made, as the user would say it, with the file system's code. */
function whyNot(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') return 'it is a file, not a folder';
  if (code === 'ENOTDIR') return 'a file is in its path where a folder should be';
  return `it cannot be made (${errnoText(error)})`;
}

/** "ENOENT: no such file or directory" without the path and call Node appends (the message names the folder). */
function errnoText(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const text = String(message ?? error).replace(/, \w+ '.*'$/su, '');
  return code && !text.startsWith(code) ? `${code}: ${text}` : text;
}
