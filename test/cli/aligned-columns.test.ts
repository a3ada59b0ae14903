import { alignedColumns, COLUMN_LIMIT } from '../../src/cli/aligned-columns';

describe('alignedColumns', () => {
  const rows = (first: string) => [
    { columns: [first, 'active'], rest: 'window' },
    { columns: ['mw', 'pending'], rest: 'window' },
  ];

  it('pads each leading column to the widest of the rows', () => {
    expect(alignedColumns(rows('cfg-1'))).toEqual(['cfg-1  active   window', 'mw     pending  window']);
  });

  // A break trial: a silence id of 55 characters (ids may have 64) shifted its row, every other row
  // padded to 40.
  it('up to `limit` characters: a silence list of 64-character ids stays aligned', () => {
    const id = 'maint-window-'.padEnd(64, 'x');
    const lines = alignedColumns(rows(id), 64);
    expect(lines.map((l) => l.lastIndexOf('window'))).toEqual([75, 75]);
    // Past the limit (notify list's default) a value is left as it is.
    expect(COLUMN_LIMIT).toBe(40);
    expect(alignedColumns(rows(id))[1]).toBe(`${'mw'.padEnd(40)}  pending  window`);
  });
});
