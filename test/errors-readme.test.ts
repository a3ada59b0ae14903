import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import * as errors from '../src/errors';

/**
 * Every error class a user can meet has its row in the README's Errors table (issue 17: recheck's
 * RecheckGatewayNotFoundError had none): the table is keyed by the `code` a report shows, so each
 * class's code needs a row, and a row names no code that no class has (`Unexpected` aside: any error
 * not ours). Codes are read from src/errors.ts's source (each class's `readonly code = '…'`), so this
 * test makes no error and does not depend on the constructors; the classes are checked against what
 * the module exports, so a new class is never left out.
 */
const ROOT = path.join(__dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/**
 * Classes that share their code with another: where the row says when each happens (a phrase of the
 * row's text). A class that shares a code and is not here fails the test: say in its row when it
 * happens, and add that phrase here.
 */
const SHARED_CODE_SITUATIONS: Readonly<Record<string, string>> = {
  GatewayNotFoundError: '404 to its backend-health call',
  RecheckGatewayNotFoundError: 'No such gateway',
};

/** Each class of src/errors.ts with its `code` literal, read from the source. */
function classCodes(): Map<string, string> {
  const file = path.join(ROOT, 'src', 'errors.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const codes = new Map<string, string>();
  source.forEachChild((node) => {
    if (!ts.isClassDeclaration(node) || !node.name) return;
    for (const member of node.members) {
      if (
        ts.isPropertyDeclaration(member) &&
        member.name.getText(source) === 'code' &&
        member.initializer &&
        ts.isStringLiteral(member.initializer)
      )
        codes.set(node.name.text, member.initializer.text);
    }
  });
  return codes;
}

/** The Errors table's rows: the code of its first column and the row's whole text. */
function errorRows(readme: string): Map<string, string> {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => /^## Errors\s*$/.test(l));
  expect(start).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, string>();
  for (let i = start + 1; i < lines.length && !/^## /.test(lines[i] ?? ''); i++) {
    const m = /^\| `([A-Za-z]+)`[^|]*\|/.exec(lines[i] ?? '');
    if (m) {
      expect([m[1], rows.has(m[1] ?? '')]).toEqual([m[1], false]); // one row per code
      rows.set(m[1] ?? '', lines[i] ?? '');
    }
  }
  return rows;
}

const exported = Object.entries(errors)
  .filter(([, value]) => typeof value === 'function' && value.prototype instanceof errors.AppGwInsightsError)
  .map(([name]) => name)
  .sort();

describe("the README's Errors table names every error class", () => {
  const codes = classCodes();
  const rows = errorRows(README);

  it('every exported error class has a code literal in src/errors.ts (so none escapes this test)', () => {
    expect(exported.length).toBeGreaterThan(20);
    for (const name of exported) expect([name, codes.get(name)]).toEqual([name, expect.any(String)]);
  });

  it.each(exported)('%s: its code has a row in the Errors table', (name) => {
    const code = codes.get(name) ?? '';
    expect([name, code, rows.has(code)]).toEqual([name, code, true]);
  });

  it('a class that shares its code with another: its row says when each happens', () => {
    const byCode = new Map<string, string[]>();
    for (const name of exported) {
      const code = codes.get(name) ?? '';
      byCode.set(code, [...(byCode.get(code) ?? []), name]);
    }
    for (const [code, names] of byCode) {
      if (names.length < 2) continue;
      for (const name of names) {
        const phrase = SHARED_CODE_SITUATIONS[name];
        expect([code, name, phrase]).toEqual([code, name, expect.any(String)]);
        expect([code, name, rows.get(code)?.includes(phrase ?? '\u0000')]).toEqual([code, name, true]);
      }
    }
  });

  it('no row names a code no class has (but Unexpected: any error not ours)', () => {
    const known = new Set([...codes.values(), 'Unexpected']);
    for (const code of rows.keys()) expect([code, known.has(code)]).toEqual([code, true]);
  });
});

describe('the check itself', () => {
  it('finds a missing row, and a shared code whose row does not say the other case', () => {
    const without = README.replace(/^\| `RecheckTargetInvalid` .*$/m, '');
    expect(errorRows(without).has('RecheckTargetInvalid')).toBe(false);
    const bare = README.replace(/No such gateway/g, 'no gateway');
    expect(errorRows(bare).get('ResourceNotFound')).not.toContain(
      SHARED_CODE_SITUATIONS['RecheckGatewayNotFoundError'],
    );
  });
});
