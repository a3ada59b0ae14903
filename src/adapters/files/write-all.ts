import type { FileHandle } from 'node:fs/promises';

/** The part of a FileHandle writeAll uses (a test hands a handle that writes a few bytes at a time). */
export type WritableHandle = Pick<FileHandle, 'write'>;

/**
 * Writes all of `bytes` at `position` (null: the file's current position), however many calls it
 * takes. `FileHandle.write` may write fewer bytes than asked and say so only in `bytesWritten`: on a
 * nearly full disk it wrote 8 192 of 20 000 bytes without an error (issue 14's trial), and a report.json
 * cut there was renamed over the good one. The next call then fails with the real reason (ENOSPC).
 *
 * @throws the file system's error (ENOSPC, EDQUOT, EIO …); an Error with code EIO when a call writes
 *   nothing and says no reason (never loops without end).
 */
export async function writeAll(
  handle: WritableHandle,
  bytes: Uint8Array,
  position: number | null,
): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    const { bytesWritten } = await handle.write(
      bytes,
      written,
      bytes.length - written,
      position === null ? null : position + written,
    );
    if (bytesWritten <= 0)
      throw Object.assign(new Error(`EIO: the file system wrote 0 of ${bytes.length - written} bytes`), {
        code: 'EIO',
      });
    written += bytesWritten;
  }
}
