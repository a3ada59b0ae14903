import { incompleteListing, readGraphPage, type GraphScope } from '../../../src/core/discovery/graph-page';

const SUB = '11111111-1111-1111-1111-111111111111';
const OTHER = '22222222-2222-2222-2222-222222222222';
const id = (name: string, rg = 'rg-a', sub = SUB) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/applicationGateways/${name}`;
const row = (name: string, extra: Record<string, unknown> = {}) => ({
  id: id(name),
  name,
  type: 'microsoft.network/applicationgateways',
  location: 'westeurope',
  subscriptionId: SUB,
  resourceGroup: 'rg-a',
  selected: true,
  ...extra,
});
const page = (data: unknown[], extra: Record<string, unknown> = {}) => ({
  totalRecords: data.length,
  count: data.length,
  resultTruncated: 'false',
  facets: [],
  data,
  ...extra,
});
const SUBSCRIPTION: GraphScope = { subscriptionId: SUB };

describe('a Resource Graph page of gateways, read strictly', () => {
  it('reads rows, selected or not, and the next page token', () => {
    const read = readGraphPage(
      page([row('gw1'), row('gw2', { selected: false, type: 'Microsoft.Network/applicationGateways' })], {
        totalRecords: 5,
        $skipToken: 'abc',
      }),
      { scope: SUBSCRIPTION },
    );
    expect(read).toMatchObject({ ok: true, skipToken: 'abc', totalRecords: 5 });
    expect(read.ok && read.rows.map((r) => [r.gateway.name, r.selected])).toEqual([
      ['gw1', true],
      ['gw2', false],
    ]);
  });

  it.each([
    ['an object of text: as it is', { env: 'prod', Owner: 'web' }, { env: 'prod', Owner: 'web' }],
    ['empty', {}, {}],
    [
      'a name ARM allows that JavaScript objects treat apart',
      JSON.parse('{"__proto__":"x"}'),
      JSON.parse('{"__proto__":"x"}'),
    ],
    ['null (no tags): none', null, undefined],
    ['absent (no tag filter, or a null column left out): none', undefined, undefined],
  ])("a row's tags: %s", (_, tags, expected) => {
    const read = readGraphPage(page([row('gw1', tags === undefined ? {} : { tags })]), {
      scope: SUBSCRIPTION,
    });
    expect(read.ok).toBe(true);
    expect(read.ok && read.rows[0]?.tags).toEqual(expected);
    expect(read.ok && read.rows[0]?.gateway.name).toBe('gw1');
  });

  it.each([
    ['an array', ['env']],
    ['text', 'env=prod'],
    ['a number', 1],
    ['an object with a value that is not text', { env: 'prod', n: 1 }],
    ['an object with a null value', { env: null }],
  ])("a row's tags that are not an object of text (%s) fail the page, as a bad selected does", (_, tags) => {
    const read = readGraphPage(page([row('gw1', { tags })]), { scope: SUBSCRIPTION });
    expect(read).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^data\[0\]\.tags \(".*gw1"\): expected the gateway's tags/)],
    });
  });

  it('an empty page is "none here"; a management group takes any subscription', () => {
    expect(readGraphPage(page([]), { scope: SUBSCRIPTION })).toMatchObject({ ok: true, rows: [] });
    const mg = readGraphPage(page([{ ...row('gw1'), id: id('gw1', 'rg', OTHER) }]), {
      scope: { managementGroup: 'mg' },
    });
    expect(mg.ok).toBe(true);
  });

  // Each of these is not Resource Graph's complete answer: the listing fails, naming what was found.
  it.each<[string, unknown, RegExp, GraphScope?]>([
    ['not an object', [], /\(root\): expected Resource Graph's answer/],
    ['null', null, /\(root\)/],
    [
      'no data',
      { totalRecords: 0, count: 0, resultTruncated: 'false' },
      /data: expected an array of rows, found nothing/,
    ],
    [
      'data as a table',
      page([], { data: { columns: [], rows: [] } }),
      /a table: the query asks for objectArray/,
    ],
    ['truncated', page([row('gw1')], { resultTruncated: 'true' }), /truncated/],
    ['truncated as a boolean', page([row('gw1')], { resultTruncated: true }), /truncated/],
    [
      'resultTruncated missing',
      page([row('gw1')], { resultTruncated: undefined }),
      /resultTruncated: expected "false", found nothing/,
    ],
    ['count disagrees', page([row('gw1')], { count: 2 }), /count: says 2 rows, the page has 1/],
    ['count missing', page([row('gw1')], { count: undefined }), /count: expected a whole number/],
    [
      'totalRecords a string',
      page([row('gw1')], { totalRecords: '1' }),
      /totalRecords: expected a whole number/,
    ],
    ['count above totalRecords', page([row('gw1')], { totalRecords: 0 }), /more than totalRecords/],
    ['an empty $skipToken', page([row('gw1')], { $skipToken: '' }), /\$skipToken: expected/],
    ['a $skipToken that is a number', page([row('gw1')], { $skipToken: 3 }), /\$skipToken: expected/],
    [
      'a row without id',
      page([{ ...row('gw1'), id: undefined }]),
      /data\[0\]\.id: expected the gateway's ARM id, found nothing/,
    ],
    ['a row that is null', page([null]), /data\[0\]: expected a row/],
    [
      'an id of another type',
      page([
        {
          ...row('gw1'),
          id: `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Compute/virtualMachines/vm`,
        },
      ]),
      /expected an application gateway id/,
    ],
    ['another type', page([row('gw1', { type: 'microsoft.compute/virtualmachines' })]), /data\[0\]\.type/],
    ['no type', page([row('gw1', { type: undefined })]), /data\[0\]\.type/],
    ['selected missing', page([row('gw1', { selected: undefined })]), /data\[0\]\.selected/],
    ['selected a string', page([row('gw1', { selected: 'true' })]), /data\[0\]\.selected/],
    ['a gateway listed twice', page([row('gw1'), row('gw1')]), /listed twice \(also at data\[0\]\)/],
    [
      'another subscription',
      page([{ ...row('gw1'), id: id('gw1', 'rg-a', OTHER) }]),
      /not in the scope queried/,
    ],
    [
      'another resource group',
      page([{ ...row('gw1'), id: id('gw1', 'rg-b') }]),
      /not in the scope queried/,
      { subscriptionId: SUB, resourceGroup: 'rg-a' },
    ],
  ])('%s fails the page', (_, value, problem, scope = SUBSCRIPTION) => {
    const read = readGraphPage(value, { scope });
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problems.join('; ')).toMatch(problem);
  });

  it('a gateway listed on an earlier page fails the page (the pages overlap)', () => {
    const read = readGraphPage(page([row('gw1')]), {
      scope: SUBSCRIPTION,
      listedBefore: new Set([id('gw1').toLowerCase()]),
    });
    expect(!read.ok && read.problems[0]).toMatch(/listed twice \(also at an earlier page\)/);
  });
});

describe('the pages together are the whole result', () => {
  it.each([
    [3, 3, undefined],
    [0, 0, undefined],
    [2, 3, /2 of the 3 rows .* no \$skipToken/],
    [4, 3, /more than the 3/],
  ])('%i rows of %i', (rows, total, problem) => {
    const found = incompleteListing(rows, total);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });
});
