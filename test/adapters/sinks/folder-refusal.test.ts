import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeRefusal } from '../../../src/adapters/sinks/folder-refusal';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'appgw-refusal-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const refused = (code: string, at: string, dest?: string) =>
  Object.assign(new Error(`${code}: refused`), { code, path: at, ...(dest ? { dest } : {}) });

describe('describeRefusal: the file system’s refusal in words, and the kind of advice that fits it', () => {
  it.each([
    // A mount point where a gateway's folder is replaced (a trial's bare "EBUSY" with the access advice).
    ['EBUSY', 'a part of it is busy: a mount point, or in use by another process (EBUSY)', 'inTheWay'],
    ['ENOSPC', 'no space left (ENOSPC)', 'space'],
    ['EDQUOT', 'no space left (EDQUOT)', 'space'],
    ['ENOTEMPTY', 'another run wrote the same folder at the same moment (ENOTEMPTY)', 'again'],
    ['EACCES', 'permission denied (EACCES)', 'access'],
    ['EROFS', 'the file system is read-only (EROFS)', 'access'],
    ['EIO', 'EIO', 'access'],
  ])('%s: %s (%s)', async (code, text, kind) => {
    await mkdir(path.join(root, 'insights'));
    await expect(describeRefusal(root, refused(code, path.join(root, 'insights', 'x')))).resolves.toEqual({
      text,
      kind,
    });
  });

  it('rename’s EEXIST (POSIX’s word for a folder that is not empty) is another run’s write, not a file in the way', async () => {
    const error = Object.assign(
      refused('EEXIST', path.join(root, '.staging-x'), path.join(root, 'insights')),
      {
        syscall: 'rename',
      },
    );
    await expect(describeRefusal(root, error)).resolves.toEqual({
      text: 'another run wrote the same folder at the same moment (EEXIST)',
      kind: 'again',
    });
  });

  it('a chain of links too long to follow is said as a link that never ends, not as one that leads to itself', async () => {
    // c0 → c1 → … → c44 → a folder: more links in a row than the kernel follows (40), and no loop.
    await mkdir(path.join(root, 'end'));
    await symlink(path.join(root, 'end'), path.join(root, 'c44'));
    for (let i = 43; i >= 0; i--) await symlink(path.join(root, `c${i + 1}`), path.join(root, `c${i}`));
    await expect(describeRefusal(root, refused('ELOOP', path.join(root, 'c0', 'x')))).resolves.toEqual({
      text: 'a link that never ends (a loop, or too many links in a row) is where a folder should be (the link "c0" in it) (ELOOP)',
      kind: 'inTheWay',
    });
  });
});
