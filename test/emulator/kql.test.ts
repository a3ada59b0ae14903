import fc from 'fast-check';
import { buildGatewayQuery } from '../../src/core/discovery/gateway-query';
import { readNamePattern, readTagFilter, type TagFilter } from '../../src/core/discovery/filter';
import { globToRegex } from '../../src/core/discovery/kql';
import { KqlParseError, parseQuery, run, tokenize } from '../../src/emulator/kql';

// The emulator reads KQL string literals as learn.microsoft.com describes them; every value the
// product writes must come back exactly, and never as more than one literal (no injection).
describe('the emulator reads back every value the product writes into its query', () => {
  /** Every string literal of the query, in order. */
  const literalsOf = (query: string) =>
    tokenize(query)
      .filter((t) => t.kind === 'string')
      .map((t) => (t.kind === 'string' ? t.value : ''));

  it('for any filter the config accepts (property): its locations and name patterns, never its tags', () => {
    const tag = fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
      )
      .map(([key, value]) => readTagFilter(value === undefined ? key : `${key}=${value}`))
      .filter((read): read is TagFilter => !('problem' in read));
    const pattern = fc
      .stringMatching(/^[A-Za-z0-9_.*?-]{1,20}$/)
      .filter((p) => typeof readNamePattern(p) === 'string');
    fc.assert(
      fc.property(
        fc.array(tag, { maxLength: 4 }),
        fc.array(pattern, { maxLength: 3 }),
        fc.subarray(['westeurope', 'northeurope', 'eastus2']),
        (tags, namePatterns, locations) => {
          const query = buildGatewayQuery({ filter: { tags, namePatterns, locations } });
          const parsed = parseQuery(query);
          expect(parsed.operators.map((o) => o.kind)).toEqual(['where', 'extend', 'project', 'order']);
          expect(literalsOf(query)).toEqual([
            'microsoft.network/applicationgateways',
            ...locations,
            ...namePatterns.map(globToRegex),
          ]);
          const project = parsed.operators.find((o) => o.kind === 'project');
          expect((project as { columns: readonly string[] }).columns.includes('tags')).toBe(tags.length > 0);
        },
      ),
      { numRuns: 300 },
    );
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
