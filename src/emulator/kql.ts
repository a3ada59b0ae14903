/**
 * Just enough of the Kusto Query Language to answer the query the product sends to Resource Graph
 * (src/core/discovery/gateway-query.ts): NOT a KQL engine. It reads
 *
 *   resources
 *   | where <expr>            (any number, in any order with the others)
 *   | extend <name> = <expr>
 *   | project <column>, …
 *   | order by <column> [asc|desc]
 *
 * where `<expr>` is `true`, `false`, `(<expr>)`, `<expr> and <expr>`, `<expr> or <expr>`,
 * `<column> =~ '<text>'`, `<column> in~ ('<text>', …)`, `<column> matches regex '<regex>'` or
 * `isnotnull(<column>)`, and a column is a name (`id`, `name`, `type`, `location`, `subscriptionId`,
 * `resourceGroup`, or one made by `extend`) or `tags['<name>']`. String literals are KQL's: single or
 * double quotes, with the backslash escapes `\\`, `\'`, `\"`, `\t`, `\n`, `\r` (and no raw line break),
 * exactly as learn.microsoft.com kusto/query/scalar-data-types/string describes them, so the tests can
 * check that no value the product writes escapes its literal. Anything else is a ParserFailure naming
 * where the reading stopped, as Resource Graph's 400 InvalidQuery does.
 */

export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'op'; readonly text: string; readonly at: number };

export type Column = { readonly name: string } | { readonly tag: string };

export type Expr =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'equals'; readonly column: Column; readonly value: string }
  | { readonly kind: 'in'; readonly column: Column; readonly values: readonly string[] }
  | { readonly kind: 'regex'; readonly column: Column; readonly pattern: string }
  | { readonly kind: 'isnotnull'; readonly column: Column };

export type Operator =
  | { readonly kind: 'where'; readonly expr: Expr }
  | { readonly kind: 'extend'; readonly name: string; readonly expr: Expr }
  | { readonly kind: 'project'; readonly columns: readonly string[] }
  | { readonly kind: 'order'; readonly column: string; readonly descending: boolean };

export interface ParsedQuery {
  readonly table: string;
  readonly operators: readonly Operator[];
}

/** A query the emulator cannot read: `at` is the character offset where it stopped. */
export class KqlParseError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(`${message} (at character ${at})`);
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  t: '\t',
  n: '\n',
  r: '\r',
};

/** Splits query text into words, string literals and operators. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'" || c === '"') {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        const d = text[i];
        if (d === undefined) throw new KqlParseError('a string literal is not closed', start);
        if (d === '\n' || d === '\r') throw new KqlParseError('a line break inside a string literal', i);
        if (d === c) break;
        if (d === '\\') {
          const e = text[i + 1] ?? '';
          const escaped = ESCAPES[e];
          if (escaped === undefined) throw new KqlParseError(`an unknown escape \\${e}`, i);
          value += escaped;
          i += 2;
        } else {
          value += d;
          i += 1;
        }
      }
      i += 1;
      tokens.push({ kind: 'string', value, at: start });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      // `in~` is one operator, spelled with a letter.
      if (m[0] === 'in' && text[i + 2] === '~') {
        tokens.push({ kind: 'op', text: 'in~', at: i });
        i += 3;
      } else {
        tokens.push({ kind: 'word', text: m[0], at: i });
        i += m[0].length;
      }
    } else if (text.startsWith('=~', i)) {
      tokens.push({ kind: 'op', text: '=~', at: i });
      i += 2;
    } else if ('|(),[]='.includes(c)) {
      tokens.push({ kind: 'op', text: c, at: i });
      i += 1;
    } else {
      throw new KqlParseError(`unexpected ${JSON.stringify(c)}`, i);
    }
  }
  return tokens;
}

/** Reads the product's query shape (see the module comment); throws KqlParseError for anything else. */
export function parseQuery(text: string): ParsedQuery {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const here = (): number => peek()?.at ?? text.length;
  const isWord = (t: Token | undefined, word: string): boolean =>
    t?.kind === 'word' && t.text.toLowerCase() === word;
  const isOp = (t: Token | undefined, op: string): boolean => t?.kind === 'op' && t.text === op;
  const expectOp = (op: string): void => {
    if (!isOp(peek(), op)) throw new KqlParseError(`expected "${op}"`, here());
    i += 1;
  };
  const expectWord = (word: string): void => {
    if (!isWord(peek(), word)) throw new KqlParseError(`expected "${word}"`, here());
    i += 1;
  };
  const name = (): string => {
    const t = peek();
    if (t?.kind !== 'word') throw new KqlParseError('expected a column name', here());
    i += 1;
    return t.text;
  };
  const literal = (): string => {
    const t = peek();
    if (t?.kind !== 'string') throw new KqlParseError('expected a string literal', here());
    i += 1;
    return t.value;
  };
  const column = (): Column => {
    const n = name();
    if (n !== 'tags') return { name: n };
    expectOp('[');
    const tag = literal();
    expectOp(']');
    return { tag };
  };
  const primary = (): Expr => {
    if (isOp(peek(), '(')) {
      i += 1;
      const inner = expr();
      expectOp(')');
      return inner;
    }
    if (isWord(peek(), 'true') || isWord(peek(), 'false')) {
      const value = isWord(peek(), 'true');
      i += 1;
      return { kind: 'const', value };
    }
    if (isWord(peek(), 'isnotnull')) {
      i += 1;
      expectOp('(');
      const c = column();
      expectOp(')');
      return { kind: 'isnotnull', column: c };
    }
    const c = column();
    if (isOp(peek(), '=~')) {
      i += 1;
      return { kind: 'equals', column: c, value: literal() };
    }
    if (isOp(peek(), 'in~')) {
      i += 1;
      expectOp('(');
      const values = [literal()];
      while (isOp(peek(), ',')) {
        i += 1;
        values.push(literal());
      }
      expectOp(')');
      return { kind: 'in', column: c, values };
    }
    if (isWord(peek(), 'matches')) {
      i += 1;
      expectWord('regex');
      return { kind: 'regex', column: c, pattern: literal() };
    }
    throw new KqlParseError('expected =~, in~, matches regex', here());
  };
  const conjunction = (): Expr => {
    let left = primary();
    while (isWord(peek(), 'and')) {
      i += 1;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  function expr(): Expr {
    let left = conjunction();
    while (isWord(peek(), 'or')) {
      i += 1;
      left = { kind: 'or', left, right: conjunction() };
    }
    return left;
  }

  const table = name();
  const operators: Operator[] = [];
  while (peek() !== undefined) {
    expectOp('|');
    if (isWord(peek(), 'where')) {
      i += 1;
      operators.push({ kind: 'where', expr: expr() });
    } else if (isWord(peek(), 'extend')) {
      i += 1;
      const n = name();
      expectOp('=');
      operators.push({ kind: 'extend', name: n, expr: expr() });
    } else if (isWord(peek(), 'project')) {
      i += 1;
      const columns = [name()];
      while (isOp(peek(), ',')) {
        i += 1;
        columns.push(name());
      }
      operators.push({ kind: 'project', columns });
    } else if (isWord(peek(), 'order')) {
      i += 1;
      expectWord('by');
      const c = name();
      let descending = false;
      if (isWord(peek(), 'asc') || isWord(peek(), 'desc')) {
        descending = isWord(peek(), 'desc');
        i += 1;
      }
      operators.push({ kind: 'order', column: c, descending });
    } else {
      throw new KqlParseError('expected where, extend, project or order by', here());
    }
  }
  return { table, operators };
}

/** A row of the `resources` table as the emulator knows it. */
export type Row = Readonly<Record<string, unknown>> & { readonly tags?: Readonly<Record<string, string>> };

function valueOf(row: Row, column: Column): unknown {
  if ('tag' in column) return row.tags?.[column.tag];
  if (!(column.name in row)) throw new KqlParseError(`unknown column "${column.name}"`, 0);
  return row[column.name];
}

const sameText = (a: unknown, b: string): boolean =>
  typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/** A KQL/RE2 regex as JavaScript reads it: a leading `(?i)` becomes the `i` flag. */
function toRegExp(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  return new RegExp(insensitive ? pattern.slice(4) : pattern, insensitive ? 'i' : '');
}

export function evaluate(expr: Expr, row: Row): boolean {
  switch (expr.kind) {
    case 'const':
      return expr.value;
    case 'and':
      return evaluate(expr.left, row) && evaluate(expr.right, row);
    case 'or':
      return evaluate(expr.left, row) || evaluate(expr.right, row);
    case 'equals':
      return sameText(valueOf(row, expr.column), expr.value);
    case 'in':
      return expr.values.some((v) => sameText(valueOf(row, expr.column), v));
    case 'regex': {
      const value = valueOf(row, expr.column);
      return typeof value === 'string' && toRegExp(expr.pattern).test(value);
    }
    case 'isnotnull': {
      const value = valueOf(row, expr.column);
      return value !== undefined && value !== null;
    }
  }
}

/** Runs the operators over the table's rows, in order. Throws KqlParseError for an unknown table or column. */
export function run(query: ParsedQuery, rows: readonly Row[]): Array<Record<string, unknown>> {
  if (query.table.toLowerCase() !== 'resources')
    throw new KqlParseError(`the emulator has only the "resources" table, not "${query.table}"`, 0);
  let out: Array<Record<string, unknown>> = rows.map((r) => ({ ...r }));
  for (const op of query.operators) {
    if (op.kind === 'where') out = out.filter((r) => evaluate(op.expr, r as Row));
    else if (op.kind === 'extend') out = out.map((r) => ({ ...r, [op.name]: evaluate(op.expr, r as Row) }));
    else if (op.kind === 'project') {
      out = out.map((r) => Object.fromEntries(op.columns.map((c) => [c, valueOf(r as Row, { name: c })])));
    } else {
      const key = (r: Record<string, unknown>) =>
        String(valueOf(r as Row, { name: op.column })).toLowerCase();
      out = [...out].sort(
        (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (op.descending ? -1 : 1),
      );
    }
  }
  return out;
}
