import { counted, namedList } from '../../src/core/counted';

describe('counted: the noun agrees with the count', () => {
  it.each<[number, string, string | undefined, string]>([
    [0, 'notice', undefined, '0 notices'],
    [1, 'notice', undefined, '1 notice'],
    [2, 'notice', undefined, '2 notices'],
    [1, 'reply', 'replies', '1 reply'],
    [3, 'reply', 'replies', '3 replies'],
    [1, 'open episode', undefined, '1 open episode'],
  ])('%d %s', (n, singular, plural, said) => {
    expect(counted(n, singular, plural)).toBe(said);
  });
});

describe('namedList: at most `shown` named, then "and N more"', () => {
  it.each<[string[], number | undefined, string]>([
    [[], undefined, ''],
    [['a'], undefined, 'a'],
    [['a', 'b'], undefined, 'a and b'],
    [['a', 'b', 'c'], undefined, 'a, b and c'],
    [['a', 'b', 'c', 'd'], undefined, 'a, b, c and 1 more'],
    [['a', 'b', 'c', 'd', 'e'], 2, 'a, b and 3 more'],
  ])('%j (shown %s)', (items, shown, said) => {
    expect(namedList(items, shown)).toBe(said);
  });
});
