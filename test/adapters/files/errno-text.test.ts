import { errnoText } from '../../../src/adapters/files/errno-text';

const errno = (code: string | undefined, message: string) => Object.assign(new Error(message), { code });

describe('errnoText: a file system failure without the path Node appends', () => {
  it.each<[string, unknown, string]>([
    [
      'the call and path dropped',
      errno('ENOENT', "ENOENT: no such file or directory, open '/x/y'"),
      'ENOENT: no such file or directory',
    ],
    [
      'a path with quotes and a newline',
      errno('EACCES', "EACCES: permission denied, mkdir '/a'b\nc'"),
      'EACCES: permission denied',
    ],
    ['the code put first when the text lacks it', errno('ENOSPC', 'no space left'), 'ENOSPC: no space left'],
    ['no code: the text as it is', errno(undefined, 'it ends before byte 12'), 'it ends before byte 12'],
    ['not an error: its text', 'gremlins', 'gremlins'],
    [
      'an error of another realm, by shape',
      { code: 'EBADF', message: 'EBADF: bad file descriptor, read' },
      'EBADF: bad file descriptor, read',
    ],
  ])('%s', (_name, error, expected) => {
    expect(errnoText(error)).toBe(expected);
  });
});
