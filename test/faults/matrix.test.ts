/**
 * The README's fault matrix and SECURITY.md cannot rot: every matrix row names at least one test, as
 * `path`: “test name” (SECURITY.md cites its proofs the same way, several names after one path), and
 * each named file exists and holds that test. A name may be one case of a table test (`it.each`):
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
    const tests = citedTests(cells[cells.length - 1] ?? '');
    rows.push({ line: i + 1, cells, tests });
  }
  return rows;
}

/** Every `path`: “name”, “name” … citation in a text (names may wrap across lines). */
function citedTests(text: string): Array<{ file: string; name: string }> {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return [...flat.matchAll(/`([^`]+\.test\.ts)`:((?:\s*“[^”]+”(?:,| and)?)+)/g)].flatMap((m) =>
    [...(m[2] ?? '').matchAll(/“([^”]+)”/g)].map((n) => ({ file: m[1] ?? '', name: n[1] ?? '' })),
  );
}

/** What is wrong with each citation: a file that does not exist, or a test it does not hold. */
function problemsOf(where: string, tests: ReadonlyArray<{ file: string; name: string }>): string[] {
  const problems: string[] = [];
  for (const { file, name } of tests) {
    const absolute = path.join(ROOT, file);
    if (!existsSync(absolute)) problems.push(`${where}: ${file} does not exist`);
    else if (!holdsTest(readFileSync(absolute, 'utf8'), name))
      problems.push(`${where}: ${file} has no test “${name}”`);
  }
  return problems;
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

describe('the README fault matrix and SECURITY.md name tests that exist', () => {
  const rows = matrixRows(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  it('has rows for ARM, storage and receivers', () => {
    expect(rows.length).toBeGreaterThan(40);
  });

  it('every row names at least one test, and each named test is in its file', () => {
    const problems = rows.flatMap((row) => [
      ...(row.tests.length === 0 ? [`README.md:${row.line}: no \`path\`: “test name” in the last cell`] : []),
      ...problemsOf(`README.md:${row.line}`, row.tests),
    ]);
    expect(problems).toEqual([]);
  });

  it('every test SECURITY.md cites is in its file', () => {
    const cited = citedTests(readFileSync(path.join(ROOT, 'SECURITY.md'), 'utf8'));
    expect(cited.length).toBeGreaterThan(20);
    expect(problemsOf('SECURITY.md', cited)).toEqual([]);
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
    expect(
      citedTests('see `test/a.test.ts`: “one”, “two,\n   wrapped” and “three”; `test/b.test.ts`: “four”'),
    ).toEqual([
      { file: 'test/a.test.ts', name: 'one' },
      { file: 'test/a.test.ts', name: 'two, wrapped' },
      { file: 'test/a.test.ts', name: 'three' },
      { file: 'test/b.test.ts', name: 'four' },
    ]);
  });
});
