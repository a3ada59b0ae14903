import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeAll, type WritableHandle } from '../../../src/adapters/files/write-all';

/** A handle that writes at most `most` bytes a call into `into` (at `position`, or after what it has). */
function shortWrites(most: number, into: number[] = []): WritableHandle & { calls: number } {
  const handle = {
    calls: 0,
    async write(buffer: Uint8Array, offset: number, length: number, position: number | null) {
      handle.calls += 1;
      const n = Math.min(most, length);
      const at = position ?? into.length;
      for (let i = 0; i < n; i++) into[at + i] = buffer[offset + i] as number;
      return { bytesWritten: n, buffer };
    },
  };
  return handle as unknown as WritableHandle & { calls: number };
}

describe('writeAll: every byte, however few a write call takes', () => {
  it.each([1, 3, 7, 1000])(
    'writes at most %i bytes a call: the whole text arrives, in order',
    async (most) => {
      const into: number[] = [];
      const bytes = Buffer.from('{"gateway":"gw-é 𝄞","servers":[1,2,3]}\n', 'utf8');
      const handle = shortWrites(most, into);
      await writeAll(handle, bytes, null);
      expect(Buffer.from(into).toString('utf8')).toBe(bytes.toString('utf8'));
      expect(handle.calls).toBe(Math.ceil(bytes.length / most));
    },
  );

  it('at a position: each call continues where the last one stopped', async () => {
    const into: number[] = Array.from(Buffer.from('0123456789'));
    await writeAll(shortWrites(2, into), Buffer.from('abcde'), 3);
    expect(Buffer.from(into).toString()).toBe('012abcde89');
  });

  it('a call that writes nothing is an error (EIO), not a loop without end', async () => {
    const error = await writeAll(shortWrites(0), Buffer.from('abc'), null).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EIO', message: 'EIO: the file system wrote 0 of 3 bytes' });
  });

  it('the file system’s error is thrown as it is', async () => {
    const full = {
      write: () => Promise.reject(Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' })),
    };
    await expect(writeAll(full as unknown as WritableHandle, Buffer.from('abc'), null)).rejects.toMatchObject(
      {
        code: 'ENOSPC',
      },
    );
  });

  it('on a real file, appended at its position', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-write-all-'));
    try {
      const file = path.join(dir, 'f');
      const handle = await open(file, 'w');
      try {
        await writeAll(handle, Buffer.from('first '), null);
        await writeAll(handle, Buffer.from('second'), null);
      } finally {
        await handle.close();
      }
      expect(await readFile(file, 'utf8')).toBe('first second');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
