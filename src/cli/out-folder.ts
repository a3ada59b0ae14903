import path from 'node:path';
import { folderProblem } from '../config/folder-problem';
import { UsageError } from '../errors';

/**
 * `--out DIR` made absolute, checked before the verb does any work: a run whose insights cannot be
 * written would read every gateway for nothing (config/folder-problem.ts: a file, or under one).
 *
 * @throws UsageError naming `--out` and `verb` when DIR is empty (`--out "$UNSET"` would write into
 * the working folder), a file, or lies under one.
 */
export function outFolder(out: string, verb: string): string {
  if (!out.trim()) throw new UsageError(['--out: empty: give the folder to write into'], verb);
  const dir = path.resolve(out);
  const problem = folderProblem(dir);
  if (problem) throw new UsageError([`--out: ${problem}`], verb);
  return dir;
}
