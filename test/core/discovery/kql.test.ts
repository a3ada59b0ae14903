import { globToRegex, kqlString } from '../../../src/core/discovery/kql';
import { buildGatewayQuery, selection } from '../../../src/core/discovery/gateway-query';
import {
  NO_FILTER,
  readLocation,
  readNamePattern,
  readTagFilter,
  tagsMatch,
  type TagFilter,
} from '../../../src/core/discovery/filter';

// Values from the config end up inside KQL text: each one must stay one string literal, whatever it
// holds. The emulator's reader (test/emulator/resource-graph.test.ts) and a property test read them back.
describe('kqlString: a value is one KQL string literal, whatever it holds', () => {
  it.each([
    ['plain', 'prod', "'prod'"],
    ['a single quote (ends the literal)', "o'brien", "'o\\'brien'"],
    [
      'a quote then a pipe (a new operator)',
      "x' | project secret | where '1'=='1",
      "'x\\' | project secret | where \\'1\\'==\\'1'",
    ],
    ['a double quote', 'say "hi"', '\'say \\"hi\\"\''],
    ['a backslash (escapes what follows)', 'C:\\temp', "'C:\\\\temp'"],
    ['a backslash before the closing quote', 'ends\\', "'ends\\\\'"],
    ['a backslash and a quote', "\\'", "'\\\\\\''"],
    ['a line feed (ends the statement)', 'a\n| take 1', "'a\\n| take 1'"],
    ['a carriage return', 'a\r\nb', "'a\\r\\nb'"],
    ['a tab', 'a\tb', "'a\\tb'"],
    ['a pipe alone', 'a|b', "'a|b'"],
    ['a comment marker', 'a // b', "'a // b'"],
    ['empty', '', "''"],
    ['non-ASCII', 'Zürich 東京', "'Zürich 東京'"],
  ])('%s', (_, value, literal) => {
    expect(kqlString(value)).toBe(literal);
  });

  it.each([
    ['NUL', '\u0000'],
    ['BEL', 'a\u0007'],
    ['vertical tab', '\u000b'],
    ['escape', '\u001b[31m'],
    ['DEL', '\u007f'],
    ['line separator', '\u2028'],
  ])('refuses %s: KQL documents no escape for it', (_, value) => {
    expect(() => kqlString(value)).toThrow(RangeError);
  });
});

describe('globToRegex: a name pattern as an anchored, case-insensitive regex', () => {
  it.each([
    ['appgw-*', '(?i)^appgw\\-.*$'],
    ['gw?', '(?i)^gw.$'],
    ['a.b', '(?i)^a\\.b$'],
    ['*', '(?i)^.*$'],
    ['prod_1', '(?i)^prod_1$'],
    ['(x)|y', '(?i)^\\(x\\)\\|y$'],
  ])('%s → %s', (glob, regex) => {
    expect(globToRegex(glob)).toBe(regex);
  });

  it('matches what the glob means (read with JavaScript, which agrees with RE2 on these)', () => {
    const re = (glob: string) => {
      const source = globToRegex(glob);
      return new RegExp(source.replace(/^\(\?i\)/, ''), 'i');
    };
    expect(re('appgw-*').test('APPGW-prod')).toBe(true);
    expect(re('appgw-*').test('xappgw-prod')).toBe(false);
    expect(re('a.b').test('axb')).toBe(false);
    expect(re('gw?').test('gw12')).toBe(false);
  });

  it.each([' ', '\n', '\u0000'])('refuses %j', (c) => {
    expect(() => globToRegex(`a${c}b`)).toThrow(RangeError);
  });
});

describe('the gateway query', () => {
  it('without a filter selects every gateway, and is ordered by id for stable paging', () => {
    expect(buildGatewayQuery({ filter: NO_FILTER })).toBe(
      [
        'resources',
        "| where type =~ 'microsoft.network/applicationgateways'",
        '| extend selected = true',
        '| project id, name, type, location, subscriptionId, resourceGroup, selected',
        '| order by id asc',
      ].join('\n'),
    );
  });

  it('a resource group is a where; names and locations are the selected column: kinds and and, entries or; tags a column', () => {
    const query = buildGatewayQuery({
      resourceGroup: "rg-'x",
      filter: {
        tags: [{ key: 'env', value: 'prod' }, { key: 'owner' }, { key: 'env', value: 'test' }],
        namePatterns: ['appgw-*', 'edge?'],
        locations: ['westeurope', 'northeurope'],
      },
    });
    expect(query.split('\n')).toEqual([
      'resources',
      "| where type =~ 'microsoft.network/applicationgateways'",
      "| where resourceGroup =~ 'rg-\\'x'",
      "| extend selected = (location in~ ('westeurope', 'northeurope')) and (name matches regex '(?i)^appgw\\\\-.*$' or name matches regex '(?i)^edge.$')",
      '| project id, name, type, location, subscriptionId, resourceGroup, selected, tags',
      '| order by id asc',
    ]);
  });

  it('tag names and values never reach the query, whatever they hold: the product matches them (tagsMatch)', () => {
    const tags = [{ key: "k'\n| project x", value: "v\\'\r\n| take 1 //" }];
    const query = buildGatewayQuery({ filter: { ...NO_FILTER, tags } });
    expect(query).toBe(buildGatewayQuery({ filter: NO_FILTER }).replace('selected\n', 'selected, tags\n'));
    expect(selection({ ...NO_FILTER, tags })).toBe('true');
  });
});

describe('tagsMatch: a gateway picked by its tags', () => {
  const env = (value?: string) => ({ key: 'env', ...(value === undefined ? {} : { value }) });
  it.each([
    ['no tag filter: any gateway', [], undefined, true],
    ['the name in another case (ARM: tag names are case-insensitive)', [env('prod')], { Env: 'prod' }, true],
    ['the name in capitals, the value too', [env('prod')], { ENV: 'PROD' }, true],
    ['the value in another case, as =~ compared it', [env('prod')], { env: 'Prod' }, true],
    ['another value', [env('prod')], { env: 'test' }, false],
    ['one of the values given for the name', [env('prod'), env('test')], { env: 'test' }, true],
    ['the name alone: any value', [env()], { eNv: '' }, true],
    ['the name alone and with a value: any value', [env(), env('x')], { env: 'y' }, true],
    ['the tag missing', [env()], { owner: 'web' }, false],
    ['no tags at all', [env()], undefined, false],
    ['every name must match', [env('prod'), { key: 'owner' }], { env: 'prod' }, false],
    ['every name matching', [env('prod'), { key: 'owner' }], { env: 'prod', Owner: 'web' }, true],
    ['a hostile value only as itself', [{ key: 'team', value: "x' or true //" }], { team: 'x' }, false],
    ['a hostile value, exactly', [{ key: 'team', value: "x' or true //" }], { team: "X' OR TRUE //" }, true],
    ['a name that is a prefix is another name', [env('prod')], { environment: 'prod' }, false],
    ['a name JavaScript objects treat apart', [{ key: '__proto__' }], JSON.parse('{"__proto__":"x"}'), true],
    [
      'one name written in two cases is one name: any of its values',
      [env('prod'), { key: 'ENV', value: 'test' }],
      { Env: 'test' },
      true,
    ],
    [
      'one name in two cases, neither value',
      [env('prod'), { key: 'ENV', value: 'test' }],
      { env: 'dev' },
      false,
    ],
  ])('%s', (_, filter, tags, expected) => {
    expect(tagsMatch(filter as TagFilter[], tags as Record<string, string> | undefined)).toBe(expected);
  });
});

describe('reading the discovery entries of the config', () => {
  it.each([
    ['env=prod', { key: 'env', value: 'prod' }],
    ['owner', { key: 'owner' }],
    ['env=', { key: 'env', value: '' }],
    ['a=b=c', { key: 'a', value: 'b=c' }],
    ["team=o'brien \\ | x", { key: 'team', value: "o'brien \\ | x" }],
    ['cost center=A, B', { key: 'cost center', value: 'A, B' }],
    // Spaces around the name and "=" are not part of the tag (issue 15: they were kept, matching nothing).
    ['env = prod', { key: 'env', value: 'prod' }],
    [' owner ', { key: 'owner' }],
    ['env =', { key: 'env', value: '' }],
  ])('tag %j', (text, filter) => {
    expect(readTagFilter(text)).toEqual(filter);
  });

  it.each([
    ['empty', '', /give a tag name/],
    ['no name', '=prod', /give a tag name/],
    ['a slash in the name', 'a/b=c', /cannot hold/],
    ['a question mark in the name', 'a?', /cannot hold/],
    ['a line break in the value', 'env=a\nb', /control character/],
    ['NUL in the name', 'env\u0000=a', /control character/],
    ['a name of 513 characters', `${'k'.repeat(513)}=v`, /512/],
    ['a value of 257 characters', `k=${'v'.repeat(257)}`, /256/],
  ])('tag with %s is refused', (_, text, problem) => {
    const read = readTagFilter(text);
    expect('problem' in read && read.problem).toMatch(problem);
  });

  it.each(['appgw-*', 'a?b', 'gw_1.x', '*'])('name pattern %j', (text) => {
    expect(readNamePattern(text)).toBe(text);
  });

  it.each(["a'b", 'a b', 'a|b', '', 'x'.repeat(81), 'a\\b', 'gw\n'])(
    'name pattern %#: %j is refused',
    (text) => {
      expect(readNamePattern(text)).toHaveProperty('problem');
    },
  );

  it.each([
    ['westeurope', 'westeurope'],
    ['West Europe', 'westeurope'],
    ['NorthEurope', 'northeurope'],
  ])('location %j → %j', (text, location) => {
    expect(readLocation(text)).toBe(location);
  });

  it.each(["west'europe", 'west-europe', '', 'a|b'])('location %j is refused', (text) => {
    expect(readLocation(text)).toHaveProperty('problem');
  });
});
