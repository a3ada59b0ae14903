import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { firstObstacle, firstObstacleOf } from '../../../src/adapters/files/first-obstacle';

describe('firstObstacle: what stands where a folder should be', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-obstacle-'));
    await mkdir(path.join(dir, 'real'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['a file', (at: string) => writeFile(at, 'x'), { what: 'a file', link: false }],
    [
      'a link to a file',
      (at: string) => symlink(path.join(dir, 'real', 'f'), at),
      { what: 'a link to a file', link: true },
    ],
    [
      'a link to nothing',
      (at: string) => symlink('/nonexistent/appgw', at),
      { what: 'a link to nothing', link: true },
    ],
    [
      'a link to itself',
      (at: string) => symlink(at, at),
      { what: 'a link that never ends (a loop, or too many links in a row)', link: true },
    ],
  ])('%s in the middle of the path is found and named by its path', async (_, make, expected) => {
    await writeFile(path.join(dir, 'real', 'f'), 'a file');
    const blocker = path.join(dir, 'real', 'blocker');
    await make(blocker);
    await expect(firstObstacle(dir, ['real', 'blocker', 'deeper'])).resolves.toEqual({
      ...expected,
      at: blocker,
    });
    await expect(firstObstacleOf(path.join(blocker, 'deeper'))).resolves.toEqual({
      ...expected,
      at: blocker,
    });
  });

  it('folders and links to folders all the way, or a part missing: nothing in the way', async () => {
    await symlink(path.join(dir, 'real'), path.join(dir, 'link'));
    await mkdir(path.join(dir, 'real', 'sub'));
    await expect(firstObstacle(dir, ['link', 'sub'])).resolves.toBeUndefined();
    await expect(firstObstacle(dir, ['real', 'missing', 'deeper'])).resolves.toBeUndefined();
    await expect(firstObstacleOf(path.join(dir, 'link', 'sub'))).resolves.toBeUndefined();
  });

  it('the first one from the start, not a later one', async () => {
    await writeFile(path.join(dir, 'real', 'f'), 'x');
    await expect(firstObstacle(path.join(dir, 'real', 'f'), ['a', 'b'])).resolves.toEqual({
      what: 'a file',
      at: path.join(dir, 'real', 'f'),
      link: false,
    });
  });
});
