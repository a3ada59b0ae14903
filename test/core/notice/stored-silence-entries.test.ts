import { readStoredSilenceEntries } from '../../../src/core/notice/silence-schema';

/**
 * Stored silences checked one by one: each kind of entry this version refuses costs that entry alone,
 * named with its usable id (or none) and each field's problem; the valid ones are read as silences.
 */
const WINDOW = { startsAt: '2020-01-01T00:00:00Z', endsAt: '2999-01-01T00:00:00Z' };
const GOOD = { id: 'good', matchers: { gateway: 'gw-*' }, ...WINDOW };

describe('readStoredSilenceEntries', () => {
  it.each<[string, unknown, string | undefined, RegExp]>([
    [
      'a character class',
      { id: 'a', matchers: { gateway: 'agw-[12]' }, ...WINDOW },
      'a',
      /^matchers\.gateway: is not a name glob/,
    ],
    [
      'a regex pool',
      { id: 'a', matchers: { backendPool: 'pool-.+' }, ...WINDOW },
      'a',
      /^matchers\.backendPool: is not a name glob/,
    ],
    [
      'a brace group',
      { id: 'a', matchers: { resourceGroup: 'rg-{a,b}' }, ...WINDOW },
      'a',
      /^matchers\.resourceGroup: /,
    ],
    [
      'a subscription name',
      { id: 'a', matchers: { subscription: 'Prod' }, ...WINDOW },
      'a',
      /^matchers\.subscription: /,
    ],
    [
      'an empty tag matcher',
      { id: 'a', matchers: { tags: {} }, ...WINDOW },
      'a',
      /^matchers\.tags: must name at least one tag/,
    ],
    ['an unknown matcher', { id: 'a', matchers: { pool: 'x' }, ...WINDOW }, 'a', /^matchers/],
    ['an unknown key', { ...GOOD, id: 'a', note: 1 }, 'a', /^\(entry\): unknown key "note"/],
    ['no window', { id: 'a', matchers: { gateway: 'x' } }, 'a', /^\(entry\): needs a window/],
    [
      'an end before the start',
      { ...GOOD, id: 'a', endsAt: '2019-01-01T00:00:00Z' },
      'a',
      /^endsAt: is before/,
    ],
    ['an id that is not one', { ...GOOD, id: 'a b' }, undefined, /^id: /],
    ['an id that is a number', { ...GOOD, id: 7 }, undefined, /^id: /],
    ['no id', { matchers: GOOD.matchers, ...WINDOW }, undefined, /^id: /],
    ['not an object', 'good', undefined, /^\(entry\): must be a silence/],
    ['null', null, undefined, /^\(entry\): must be a silence/],
    [
      'terminal controls in a value',
      { ...GOOD, id: 'a', matchers: { gateway: 'x\u001b[31m[' } },
      'a',
      /^matchers\.gateway: /,
    ],
  ])('%s: that entry alone is invalid', (_, entry, id, problem) => {
    const [before, bad, after] = readStoredSilenceEntries([GOOD, entry, { ...GOOD, id: 'after' }]);
    expect(before?.silence?.id).toBe('good');
    expect(after?.silence?.id).toBe('after');
    expect(bad?.silence).toBeUndefined();
    expect(bad?.id).toBe(id);
    expect(bad && 'problems' in bad ? bad.problems[0] : undefined).toMatch(problem);
    expect(bad && 'problems' in bad ? bad.problems.join('\n') : '').not.toContain('\u001b');
    expect(bad?.raw).toBe(entry);
  });

  it('a duplicate id makes the later entry invalid, the first one stays', () => {
    const [first, second] = readStoredSilenceEntries([GOOD, { ...GOOD, comment: 'again' }]);
    expect(first?.silence).toEqual(GOOD);
    expect(second).toEqual({
      raw: { ...GOOD, comment: 'again' },
      id: 'good',
      problems: ['id: "good" is the id of an earlier silence; silence ids must be unique'],
    });
  });
});
