import fc from 'fast-check';
import { buildGatewayQuery } from '../../src/core/discovery/gateway-query';
import { NO_FILTER, readTagFilter, type TagFilter } from '../../src/core/discovery/filter';
import {
  evaluate,
  KqlParseError,
  parseQuery,
  run,
  tokenize,
  type Expr,
  type Row,
} from '../../src/emulator/kql';

// The emulator reads KQL string literals as learn.microsoft.com describes them; every value the
// product writes must come back exactly, and never as more than one literal (no injection).
describe('the emulator reads back every value the product writes into its query', () => {
  /** Every string literal of the query's selected column, in order. */
  const literalsOf = (query: string) =>
    tokenize(query)
      .filter((t) => t.kind === 'string')
      .map((t) => (t.kind === 'string' ? t.value : ''));

  it('for any tag the config accepts (property)', () => {
    const tag = fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
      )
      .map(([key, value]) => readTagFilter(value === undefined ? key : `${key}=${value}`))
      .filter((read): read is TagFilter => !('problem' in read));
    fc.assert(
      fc.property(fc.array(tag, { minLength: 1, maxLength: 4 }), (tags) => {
        const query = buildGatewayQuery({ filter: { ...NO_FILTER, tags } });
        const parsed = parseQuery(query);
        expect(parsed.operators.map((o) => o.kind)).toEqual(['where', 'extend', 'project', 'order']);
        // The type, then each tag's name (and value) in the order the filter groups them.
        const expected = ['microsoft.network/applicationgateways'];
        const groups = new Map<string, Array<string | undefined>>();
        for (const t of tags) {
          const values = groups.get(t.key) ?? [];
          if (!values.includes(t.value)) values.push(t.value);
          groups.set(t.key, values);
        }
        for (const [key, values] of groups)
          for (const v of values) expected.push(...(v === undefined ? [key] : [key, v]));
        expect(literalsOf(query)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a quote that would close the literal', "x' or true or tags['y'] =~ 'y"],
    ['a backslash before the quote', "x\\' or true //"],
    ['a line break and a new operator', 'x\n| where true'],
    ['a pipe', 'a | project secret'],
  ])('a hostile tag value selects only a gateway with exactly that value: %s', (_, value) => {
    const query = parseQuery(buildGatewayQuery({ filter: { ...NO_FILTER, tags: [{ key: 'team', value }] } }));
    const extend = query.operators.find((o) => o.kind === 'extend');
    const expr = (extend as { expr: Expr }).expr;
    const row = (team: string | undefined): Row => ({
      id: 'x',
      tags: team === undefined ? {} : { team, y: 'y' },
    });
    expect(evaluate(expr, row(value))).toBe(true);
    expect(evaluate(expr, row('x'))).toBe(false);
    expect(evaluate(expr, row(undefined))).toBe(false);
  });
});

describe('the emulator is not a KQL engine: what it cannot read is a ParserFailure', () => {
  it.each([
    ['resources | summarize count()'],
    ["resources | where name contains 'x'"],
    ["resources | where name =~ 'unterminated"],
    ["resources | where name =~ 'a\\qb'"],
    ["resources | where name =~ 'line\nbreak'"],
    ['resources | where'],
    ['resources | take 5'],
    ["resources | where name =~ @'verbatim'"],
  ])('%j', (query) => {
    expect(() => parseQuery(query)).toThrow(KqlParseError);
  });

  it('an unknown table or column is refused when the query runs', () => {
    expect(() => run(parseQuery('resourcecontainers'), [])).toThrow(/only the "resources" table/);
    expect(() => run(parseQuery("resources | where sku =~ 'x'"), [{ id: 'a' }])).toThrow(
      /unknown column "sku"/,
    );
  });
});
