import fc from 'fast-check';
import {
  PAGE_REFRESH,
  pageDue,
  parsePageSchedule,
  staleBefore,
  withDiscovery,
  withPageMade,
  type PageSchedule,
} from '../../../src/core/status/page-schedule';

const T0 = Date.parse('2026-11-30T06:00:00.000Z');
const MINUTE = 60_000;
const at = (ms: number) => new Date(ms);
const iso = (ms: number) => new Date(ms).toISOString();

describe('page schedule: the discoveries staleness is judged against', () => {
  it('keeps the two newest discoveries, newest first, each once, in any order of arrival', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 8 }), (minutes) => {
        const schedule = minutes.reduce<PageSchedule | undefined>(
          (s, m) => withDiscovery(s, at(T0 + m * MINUTE)),
          undefined,
        );
        const expected = [...new Set(minutes)]
          .sort((a, b) => b - a)
          .slice(0, 2)
          .map((m) => iso(T0 + m * MINUTE));
        expect(schedule?.discoveries).toEqual(expected);
      }),
    );
  });

  it.each<[string, number[], number]>([
    ['no discovery yet: nothing is stale for not being read', [], 0],
    ['the first discovery: none before it to judge by', [0], 0],
    ['a run going on: the discovery before it', [0, 5], T0],
    ['three discoveries: the one before the newest', [0, 5, 10], T0 + 5 * MINUTE],
  ])('%s', (_, minutes, expected) => {
    const schedule = minutes.reduce<PageSchedule | undefined>(
      (s, m) => withDiscovery(s, at(T0 + m * MINUTE)),
      undefined,
    );
    expect(staleBefore(schedule).getTime()).toBe(expected);
  });

  it('a page made keeps the discoveries', () => {
    const schedule = withPageMade(withDiscovery(undefined, at(T0)), at(T0 + 1_000), 250);
    expect(schedule).toEqual({ version: 1, discoveries: [iso(T0)], madeAt: iso(T0 + 1_000), tookInMs: 250 });
    expect(withDiscovery(schedule, at(T0 + 5 * MINUTE))).toMatchObject({
      madeAt: iso(T0 + 1_000),
      tookInMs: 250,
    });
  });
});

describe('page schedule: when a queue invocation makes the page again', () => {
  it.each<[string, PageSchedule | undefined, number, boolean]>([
    ['never made', undefined, T0, true],
    [
      'made, no time taken known, within a minute',
      { version: 1, discoveries: [], madeAt: iso(T0) },
      T0 + 59_999,
      false,
    ],
    ['made a minute ago', { version: 1, discoveries: [], madeAt: iso(T0) }, T0 + MINUTE, true],
    [
      'a page that took 30 s: not before 10 × 30 s',
      { version: 1, discoveries: [], madeAt: iso(T0), tookInMs: 30_000 },
      T0 + 299_999,
      false,
    ],
    [
      'a page that took 30 s, 5 minutes ago',
      { version: 1, discoveries: [], madeAt: iso(T0), tookInMs: 30_000 },
      T0 + 300_000,
      true,
    ],
    [
      'a cheap page: the minimum interval still holds',
      { version: 1, discoveries: [], madeAt: iso(T0), tookInMs: 10 },
      T0 + 30_000,
      false,
    ],
  ])('%s', (_, schedule, nowMs, due) => {
    expect(pageDue(schedule, at(nowMs))).toBe(due);
  });

  it('pages made back to back take at most a tenth of the time (past the minimum interval)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_600_000 }), (tookInMs) => {
        const schedule = withPageMade(undefined, at(T0), tookInMs);
        let next = T0;
        while (!pageDue(schedule, at(next))) next += 1_000;
        expect(next - T0).toBeGreaterThanOrEqual(
          Math.max(PAGE_REFRESH.minIntervalInMs, PAGE_REFRESH.costFactor * tookInMs) - 1_000,
        );
        expect(tookInMs / (next - T0)).toBeLessThanOrEqual(1 / PAGE_REFRESH.costFactor);
      }),
      { numRuns: 50 },
    );
  });
});

describe('page schedule: read back from the store (untrusted)', () => {
  it.each<[string, unknown, PageSchedule | undefined]>([
    ['as written', withPageMade(withDiscovery(undefined, at(T0)), at(T0), 5), undefined],
    [
      'discoveries out of order are sorted',
      { version: 1, discoveries: [iso(T0), iso(T0 + MINUTE)] },
      { version: 1, discoveries: [iso(T0 + MINUTE), iso(T0)] },
    ],
    ['no object', [], undefined],
    ['another version', { version: 2, discoveries: [] }, undefined],
    ['three discoveries', { version: 1, discoveries: [iso(T0), iso(T0 + 1), iso(T0 + 2)] }, undefined],
    ['a discovery that is no time', { version: 1, discoveries: ['yesterday'] }, undefined],
    ['madeAt no time', { version: 1, discoveries: [], madeAt: 5 }, undefined],
    ['a negative time taken', { version: 1, discoveries: [], tookInMs: -1 }, undefined],
    ['a fractional time taken', { version: 1, discoveries: [], tookInMs: 1.5 }, undefined],
  ])('%s', (name, value, expected) => {
    const parsed = parsePageSchedule(value);
    if (name === 'as written') expect(parsed).toEqual({ schedule: value });
    else if (expected) expect(parsed).toEqual({ schedule: expected });
    else expect(parsed).toEqual({ problems: [expect.any(String)] });
  });
});
