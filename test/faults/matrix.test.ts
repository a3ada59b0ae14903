/**
 * The README's fault matrix cannot rot: every row names at least one test, as `path`: “test name”,
 * and each named file exists and holds that test. A name may be one case of a table test (`it.each`):
 * it matches when the file holds its title template (`%s`, `%i`… placeholders) and each value filled
 * in also appears in the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

interface MatrixRow {
  /** The row's line in the README (1-based). */
  readonly line: number;
  readonly cells: readonly string[];
  readonly tests: ReadonlyArray<{ readonly file: string; readonly name: string }>;
}

/** The rows of the tables under the README heading "Fault matrix" (up to the next `## ` heading). */
function matrixRows(readme: string): MatrixRow[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => /^##+ Fault matrix\s*$/.test(l));
  if (start < 0) throw new Error('README.md has no "Fault matrix" section');
  const rows: MatrixRow[] = [];
  let header: string[] | undefined; // the current table's, while in a table
  for (let i = start + 1; i < lines.length && !/^## /.test(lines[i] ?? ''); i++) {
    const text = lines[i] ?? '';
    if (!text.startsWith('|')) {
      header = undefined;
      continue;
    }
    if (/^\|\s*-+/.test(text)) continue;
    const cells = text
      .slice(1, text.endsWith('|') ? -1 : undefined)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    if (!header) {
      header = cells;
      continue;
    }
    // Only the matrix's tables (their last column is "test"); others (the soak's figures) are not rows.
    if (header[header.length - 1] !== 'test') continue;
    const tests = [...(cells[cells.length - 1] ?? '').matchAll(/`([^`]+\.test\.ts)`: “([^”]+)”/g)].map(
      (m) => ({ file: m[1] ?? '', name: m[2] ?? '' }),
    );
    rows.push({ line: i + 1, cells, tests });
  }
  return rows;
}

/** Every string literal in a source file, unescaped ('…', "…", `…`). */
function stringLiterals(source: string): string[] {
  const literals: string[] = [];
  for (const m of source.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
    const raw = m[1] ?? m[2] ?? m[3] ?? '';
    literals.push(raw.replace(/\\(.)/g, '$1'));
  }
  return literals;
}

const PLACEHOLDER = /%[sidfjop#%]/g;

/** Whether `source` holds a test called `name`: literally, or as a filled-in title template. */
function holdsTest(source: string, name: string): boolean {
  const literals = stringLiterals(source);
  if (literals.includes(name)) return true;
  return literals.some((literal) => {
    if (!PLACEHOLDER.test(literal)) return false;
    PLACEHOLDER.lastIndex = 0;
    const pattern = literal
      .split(PLACEHOLDER)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('(.+?)');
    const match = new RegExp(`^${pattern}$`).exec(name);
    return match !== null && match.slice(1).every((value) => source.includes(value));
  });
}

describe('the README fault matrix names tests that exist', () => {
  const rows = matrixRows(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  it('has rows for ARM, storage and receivers', () => {
    expect(rows.length).toBeGreaterThan(40);
  });

  it('every row names at least one test, and each named test is in its file', () => {
    const problems: string[] = [];
    for (const row of rows) {
      if (row.tests.length === 0)
        problems.push(`README.md:${row.line}: no \`path\`: “test name” in the last cell`);
      for (const { file, name } of row.tests) {
        const absolute = path.join(ROOT, file);
        if (!existsSync(absolute)) problems.push(`README.md:${row.line}: ${file} does not exist`);
        else if (!holdsTest(readFileSync(absolute, 'utf8'), name))
          problems.push(`README.md:${row.line}: ${file} has no test “${name}”`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the guard itself: a renamed test, a missing file or a row without a test is found', () => {
    const source = `it.each([['503', 'queued']])('a receiver answering %s: the notice is %s', () => {});\nit('plain \\'quoted\\' name', () => {});`;
    expect(holdsTest(source, 'a receiver answering 503: the notice is queued')).toBe(true);
    expect(holdsTest(source, "plain 'quoted' name")).toBe(true);
    expect(holdsTest(source, 'a receiver answering 504: the notice is queued')).toBe(false);
    expect(holdsTest(source, 'a receiver answering 503')).toBe(false);
    const [row, empty, ...others] = matrixRows(
      '## Fault matrix\n\n| fault | behaviour | test |\n| --- | --- | --- |\n' +
        '| a | b | `test/x.test.ts`: “one”; `test/y.test.ts`: “two” |\n| c | d | nothing |\n\n' +
        '| figure | value |\n| --- | --- |\n| runs | 12 |\n\n## Next\n| e | f | test |\n| --- | --- | --- |\n| g | h | i |\n',
    );
    expect(row?.tests).toEqual([
      { file: 'test/x.test.ts', name: 'one' },
      { file: 'test/y.test.ts', name: 'two' },
    ]);
    expect(empty?.tests).toEqual([]);
    expect(others).toEqual([]);
  });
});
