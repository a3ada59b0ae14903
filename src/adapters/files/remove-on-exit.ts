import { rmSync } from 'node:fs';

/**
 * Removes `dir` when the process exits by any path, `process.exit` and uncaught errors included (an
 * `exit` listener may only do synchronous work). Returns the function that stops watching. Not on
 * SIGKILL or a crash of Node itself: nothing runs then.
 */
export function removeOnExit(dir: string): () => void {
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  return () => process.off('exit', remove);
}
