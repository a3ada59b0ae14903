import { randomUUID } from 'node:crypto';
import { link, open, unlink } from 'node:fs/promises';
import { writeAll } from './write-all';

/**
 * Creates `file` holding `content`, whole from the moment it exists, and never over a file already
 * there: the content is written to `<file>.<pid>.<uuid>.tmp` (created exclusively), which is then
 * hard-linked to `file` (link(2) is atomic within a file system, and answers EEXIST rather than replace
 * what is there), and the temporary name is removed. A state lock made so is never seen empty (created
 * empty and filled after, a writer held up between the two had its lock broken as left empty: a
 * trial). (`emulator --config-out`'s ready file, src/cli/ready-file.ts, is made alike but keeps its
 * own: it must fail where no hard links are made, its temporary name stays short and hidden, and a
 * killed emulator's temporary file of the same pid is written over.)
 *
 * Where the file system makes no hard links (link answers EPERM, ENOTSUP, EOPNOTSUPP or ENOSYS: FAT,
 * some network shares), `file` is created exclusively and then filled: it is empty for a moment.
 *
 * @throws EEXIST when `file` exists; the file system's error otherwise (ENOSPC, EACCES …). A file this
 *   call made but could not fill is removed first: left empty, a lock named no owner, and the next run
 *   waited 10 s for it per document (a new-user trial). The temporary name never stays behind, unless
 *   the process is killed in between (the state store's listing tidies those: documentLeftBehind).
 */
export async function createWhole(file: string, content: string | Buffer): Promise<void> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await createFilled(temp, bytes);
  try {
    await link(temp, file);
    return;
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await createFilled(file, bytes);
}

/** link(2)'s answers where the file system makes no hard links (Linux: EPERM; others: ENOTSUP …). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** Creates `file` exclusively (EEXIST when it exists) holding `bytes`; removes it again when it cannot be filled. */
async function createFilled(file: string, bytes: Buffer): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await writeAll(handle, bytes, 0);
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw error;
  }
}
