import fc from 'fast-check';
import { gatewayRef } from '../../../src/core/arm-id';
import {
  expandWeekdays,
  globMatches,
  inWeeklyWindow,
  isSilenceActive,
  isSilenceOver,
  nextWeeklyStart,
  silenceMatches,
  silencedUntil,
  silencesFor,
  type Silence,
  type SilenceSubject,
  type WeeklyWindow,
} from '../../../src/core/notice/silence';
import { silencesSchema } from '../../../src/core/notice/silence-schema';

const SUB = '00000000-0000-0000-0000-000000000001';
const subject = (over: Partial<SilenceSubject> = {}): SilenceSubject => ({
  gateway: { ...gatewayRef(SUB, 'rg-prod-weu', 'appgw-shop-01'), tags: { Env: 'prod', team: 'web' } },
  backendPool: 'pool-api',
  causeId: 'probe-timeout',
  severity: 'warning',
  ...over,
});

describe('globMatches: whole name, case-insensitive, * and ? only', () => {
  it.each<[string, string, boolean]>([
    ['appgw-*', 'appgw-shop-01', true],
    ['APPGW-*', 'appgw-shop-01', true],
    ['*-01', 'appgw-shop-01', true],
    ['*shop*', 'appgw-shop-01', true],
    ['appgw-shop-0?', 'appgw-shop-01', true],
    ['appgw-shop-0?', 'appgw-shop-011', false],
    ['appgw', 'appgw-shop-01', false], // whole name, not a prefix
    ['shop', 'appgw-shop-01', false], // nor a substring
    ['*', '', true],
    ['?', '', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['a.b', 'aXb', false], // "." is a literal, not a regex dot
    ['**', 'anything', true],
  ])('%j against %j: %s', (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected);
  });

  it('a pattern without wildcards matches exactly its own name, in any case', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/),
        fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/),
        (a, b) => {
          expect(globMatches(a, b)).toBe(a.toLowerCase() === b.toLowerCase());
          expect(globMatches(a.toUpperCase(), a.toLowerCase())).toBe(true);
        },
      ),
    );
  });

  it('prefix*suffix matches every name built that way', () => {
    const part = fc.stringMatching(/^[a-z0-9-]{0,8}$/);
    fc.assert(
      fc.property(part, part, part, (prefix, middle, suffix) => {
        expect(globMatches(`${prefix}*${suffix}`, prefix + middle + suffix)).toBe(true);
      }),
    );
  });
});

describe('silenceMatches: every matcher given must match', () => {
  it.each<[string, Silence['matchers'], boolean]>([
    ['subscription, other case', { subscription: SUB.toUpperCase() }, true],
    ['other subscription', { subscription: '00000000-0000-0000-0000-000000000002' }, false],
    ['resource group glob', { resourceGroup: 'rg-prod-*' }, true],
    ['resource group glob, no match', { resourceGroup: 'rg-dev-*' }, false],
    ['gateway glob', { gateway: 'appgw-shop-*' }, true],
    ['pool glob', { backendPool: 'pool-a*' }, true],
    ['pool glob, no match', { backendPool: 'pool-web' }, false],
    ['cause', { cause: 'probe-timeout' }, true],
    ['other cause', { cause: 'dns-resolution' }, false],
    ['tag, name in another case', { tags: { env: 'prod' } }, true],
    ['tag value is case-sensitive', { tags: { env: 'Prod' } }, false],
    ['two tags, both held', { tags: { env: 'prod', TEAM: 'web' } }, true],
    ['two tags, one missing', { tags: { env: 'prod', owner: 'me' } }, false],
    ['AND: gateway matches, cause does not', { gateway: 'appgw-*', cause: 'dns-resolution' }, false],
    ['AND: all match', { gateway: 'appgw-*', cause: 'probe-timeout', resourceGroup: 'rg-*' }, true],
  ])('%s', (_, matchers, expected) => {
    expect(silenceMatches(matchers, subject())).toBe(expected);
  });

  it('a tag matcher never matches a gateway whose tags are not known', () => {
    const untagged = subject({ gateway: gatewayRef(SUB, 'rg-prod-weu', 'appgw-shop-01') });
    expect(silenceMatches({ tags: { env: 'prod' } }, untagged)).toBe(false);
    expect(silenceMatches({ gateway: 'appgw-*' }, untagged)).toBe(true);
  });
});

describe('one-off windows: from startsAt (inclusive) to endsAt (exclusive); expire ends them early', () => {
  const once: Silence = {
    id: 'mw',
    matchers: { gateway: '*' },
    startsAt: '2026-12-01T22:00:00Z',
    endsAt: '2026-12-02T02:00:00+01:00', // 01:00Z
  };
  it.each<[string, boolean, boolean]>([
    ['2026-12-01T21:59:59.999Z', false, false],
    ['2026-12-01T22:00:00.000Z', true, false],
    ['2026-12-02T00:59:59.999Z', true, false],
    ['2026-12-02T01:00:00.000Z', false, true],
  ])('at %s: active %s, over %s', (at, active, over) => {
    expect(isSilenceActive(once, new Date(at))).toBe(active);
    expect(isSilenceOver(once, new Date(at))).toBe(over);
  });
  it('expired by hand: inactive from expiredAt on', () => {
    const expired = { ...once, expiredAt: '2026-12-01T23:00:00Z' };
    expect(isSilenceActive(expired, new Date('2026-12-01T22:59:59Z'))).toBe(true);
    expect(isSilenceActive(expired, new Date('2026-12-01T23:00:00Z'))).toBe(false);
    expect(isSilenceOver(expired, new Date('2026-12-01T23:00:00Z'))).toBe(true);
  });
});

describe('weekly windows on the zone wall clock', () => {
  const satNight: WeeklyWindow = { days: ['sat'], from: '22:00', to: '02:00', timeZone: 'UTC' };
  it.each<[string, WeeklyWindow, string, boolean]>([
    // 2026-11-28 is a Saturday.
    ['Saturday before the window', satNight, '2026-11-28T21:59:00Z', false],
    ['Saturday in the window', satNight, '2026-11-28T22:00:00Z', true],
    ['past midnight into Sunday', satNight, '2026-11-29T01:59:00Z', true],
    ['Sunday at the end', satNight, '2026-11-29T02:00:00Z', false],
    ['Friday night is not listed', satNight, '2026-11-27T23:00:00Z', false],
    ['Sunday night is not listed', satNight, '2026-11-29T23:00:00Z', false],
    // Week boundary: Saturday (day 6) into Sunday (day 0).
    [
      'to 24:00 covers the last minute',
      { days: ['sun'], from: '23:00', to: '24:00', timeZone: 'UTC' },
      '2026-11-29T23:59:00Z',
      true,
    ],
    [
      'and not the next day',
      { days: ['sun'], from: '23:00', to: '24:00', timeZone: 'UTC' },
      '2026-11-30T00:00:00Z',
      false,
    ],
    // A zone: 22:00 in Berlin (UTC+1 in winter) is 21:00Z.
    ['Berlin, winter', { ...satNight, timeZone: 'Europe/Berlin' }, '2026-11-28T21:00:00Z', true],
    ['Berlin, winter, 20:59Z', { ...satNight, timeZone: 'Europe/Berlin' }, '2026-11-28T20:59:00Z', false],
    // The zone's Saturday starts before UTC's: 00:30 Saturday in Tokyo is Friday 15:30Z.
    [
      'Tokyo Saturday while UTC is Friday',
      { days: ['sat'], from: '00:00', to: '01:00', timeZone: 'Asia/Tokyo' },
      '2026-11-27T15:30:00Z',
      true,
    ],
    [
      'fixed offset +02:00',
      { days: ['mon'], from: '09:00', to: '10:00', timeZone: '+02:00' },
      '2026-11-30T07:30:00Z',
      true,
    ],
    [
      'fixed offset -05:00',
      { days: ['mon'], from: '09:00', to: '10:00', timeZone: '-05:00' },
      '2026-11-30T14:30:00Z',
      true,
    ],
    // DST in Europe/Berlin: 2026-03-29 02:00 local is skipped (01:00Z jumps to 03:00 CEST).
    [
      'DST spring: a window in the skipped hour does not happen',
      { days: ['sun'], from: '02:00', to: '03:00', timeZone: 'Europe/Berlin' },
      '2026-03-29T01:00:00Z',
      false,
    ],
    [
      'DST spring: wall clock kept after the jump',
      { days: ['sun'], from: '03:00', to: '04:00', timeZone: 'Europe/Berlin' },
      '2026-03-29T01:30:00Z',
      true,
    ],
    // 2026-10-25 02:00–03:00 local happens twice (00:00Z–01:00Z CEST, then 01:00Z–02:00Z CET).
    [
      'DST autumn: the repeated hour, first time',
      { days: ['sun'], from: '02:00', to: '03:00', timeZone: 'Europe/Berlin' },
      '2026-10-25T00:30:00Z',
      true,
    ],
    [
      'DST autumn: the repeated hour, second time',
      { days: ['sun'], from: '02:00', to: '03:00', timeZone: 'Europe/Berlin' },
      '2026-10-25T01:30:00Z',
      true,
    ],
  ])('%s', (_, window, at, expected) => {
    expect(inWeeklyWindow(window, new Date(at))).toBe(expected);
  });

  // A new-user trial: a pending weekly silence did not say when it next starts.
  it.each<[string, WeeklyWindow, string, string | undefined]>([
    [
      'later today, in its zone',
      { days: ['sat'], from: '22:00', to: '06:00', timeZone: 'Europe/Berlin' },
      '2026-12-05T12:00:30Z', // Saturday 13:00 in Berlin
      '2026-12-05T21:00:00.000Z',
    ],
    [
      'next week',
      { days: ['fri'], from: '09:00', to: '10:00', timeZone: 'UTC' },
      '2026-12-05T12:00:00Z', // Saturday
      '2026-12-11T09:00:00.000Z',
    ],
    [
      'in force now: now',
      { days: ['sat'], from: '00:00', to: '24:00', timeZone: 'UTC' },
      '2026-12-05T12:00:00Z',
      '2026-12-05T12:00:00.000Z',
    ],
    [
      'never (no day)',
      { days: [], from: '09:00', to: '10:00', timeZone: 'UTC' },
      '2026-12-05T12:00:00Z',
      undefined,
    ],
  ])('nextWeeklyStart: %s', (_, window, now, next) => {
    expect(nextWeeklyStart(window, new Date(now))?.toISOString()).toBe(next);
  });

  it('a window every day in UTC holds exactly the instants whose UTC time is within it', () => {
    const hhmm = (m: number) =>
      `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (from, to, at) => {
          fc.pre(from !== to);
          const window: WeeklyWindow = {
            days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
            from: hhmm(from),
            to: hhmm(to),
            timeZone: 'UTC',
          };
          const date = new Date(at);
          const minutes = date.getUTCHours() * 60 + date.getUTCMinutes();
          const inside = from < to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
          expect(inWeeklyWindow(window, date)).toBe(inside);
        },
      ),
    );
  });

  it('listing one more day never shrinks the window', () => {
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
    fc.assert(
      fc.property(
        fc.subarray([...days]),
        fc.constantFrom(...days),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
        (listed, extra, at) => {
          const base: WeeklyWindow = { days: listed, from: '20:00', to: '06:00', timeZone: 'Europe/Berlin' };
          if (inWeeklyWindow(base, new Date(at)))
            expect(inWeeklyWindow({ ...base, days: [...listed, extra] }, new Date(at))).toBe(true);
        },
      ),
    );
  });
});

describe('silencesFor: the active, matching silences, overlapping ones all named', () => {
  const at = new Date('2026-12-01T23:00:00Z');
  const silences: Silence[] = [
    {
      id: 'by-gateway',
      matchers: { gateway: 'appgw-*' },
      startsAt: '2026-12-01T22:00:00Z',
      endsAt: '2026-12-02T00:00:00Z',
    },
    {
      id: 'by-cause',
      matchers: { cause: 'probe-timeout' },
      startsAt: '2026-12-01T22:30:00Z',
      endsAt: '2026-12-01T23:30:00Z',
    },
    {
      id: 'expired',
      matchers: { gateway: '*' },
      startsAt: '2026-11-01T00:00:00Z',
      endsAt: '2026-11-02T00:00:00Z',
    },
    {
      id: 'later',
      matchers: { gateway: '*' },
      startsAt: '2026-12-03T00:00:00Z',
      endsAt: '2026-12-04T00:00:00Z',
    },
    {
      id: 'other',
      matchers: { gateway: 'other-*' },
      startsAt: '2026-12-01T00:00:00Z',
      endsAt: '2026-12-02T00:00:00Z',
    },
  ];
  it('names both overlapping silences, not the expired, future or other ones', () => {
    expect(silencesFor(silences, subject(), at)).toEqual(['by-gateway', 'by-cause']);
  });
  it('when one of two overlapping silences ends, the other still holds', () => {
    expect(silencesFor(silences, subject(), new Date('2026-12-01T23:45:00Z'))).toEqual(['by-gateway']);
    expect(silencesFor(silences, subject(), new Date('2026-12-02T00:00:00Z'))).toEqual([]);
  });
});

describe('the silence schema', () => {
  const ok = {
    id: 'mw',
    matchers: { gateway: 'gw' },
    startsAt: '2026-12-01T22:00:00Z',
    endsAt: '2026-12-01T23:00:00Z',
  };
  it.each<[string, unknown, RegExp]>([
    ['no matcher', [{ ...ok, matchers: {} }], /at least one matcher/],
    ['a misspelt matcher', [{ ...ok, matchers: { gatway: 'gw' } }], /gatway/],
    ['an empty tag matcher', [{ ...ok, matchers: { tags: {} } }], /must name at least one tag/],
    [
      'an empty tag matcher beside another',
      [{ ...ok, matchers: { gateway: 'gw', tags: {} } }],
      /must name at least one tag/,
    ],
    ['an unknown cause', [{ ...ok, matchers: { cause: 'nope' } }], /must be a cause id, one of/],
    [
      'end before start',
      [{ ...ok, endsAt: '2026-12-01T21:00:00Z' }],
      /is before \\"startsAt\\".*ends after it starts/,
    ],
    ['no zone on a date-time', [{ ...ok, startsAt: '2026-12-01T22:00:00' }], /with a zone/],
    // A break trial's kind: stored, a time at the end of JavaScript's dates leaves it in any arithmetic.
    [
      "an end at the last of JavaScript's dates",
      [{ ...ok, endsAt: '+275760-09-13T00:00:00.000Z' }],
      /"endsAt"\],"message":"must be an ISO 8601 date-time with a zone \(Z or ±HH:MM\) of the years 0000 to 9999/,
    ],
    [
      'both kinds of window',
      [{ ...ok, weekly: { days: ['sun'], from: '01:00', to: '02:00', timeZone: 'UTC' } }],
      /not both/,
    ],
    ['no window', [{ id: 'mw', matchers: { gateway: 'gw' } }], /needs a window/],
    [
      'a bad time',
      [
        {
          id: 'mw',
          matchers: { gateway: 'gw' },
          weekly: { days: ['sun'], from: '25:00', to: '02:00', timeZone: 'UTC' },
        },
      ],
      /HH:MM/,
    ],
    [
      'from equal to to',
      [
        {
          id: 'mw',
          matchers: { gateway: 'gw' },
          weekly: { days: ['sun'], from: '02:00', to: '02:00', timeZone: 'UTC' },
        },
      ],
      /same time as \\"from\\"/,
    ],
    [
      'a bad day',
      [
        {
          id: 'mw',
          matchers: { gateway: 'gw' },
          weekly: { days: ['sunday'], from: '01:00', to: '02:00', timeZone: 'UTC' },
        },
      ],
      /sun/,
    ],
    ['repeated ids', [ok, ok], /unique/],
  ])('refuses %s', (_, input, message) => {
    const result = silencesSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
  it('accepts a one-off and a weekly silence', () => {
    const weekly = {
      id: 'w',
      matchers: { gateway: 'agw-prod-*' },
      weekly: { days: ['sat', 'sun'], from: '22:00', to: '24:00', timeZone: 'Europe/Berlin' },
    };
    expect(silencesSchema.safeParse([ok, weekly]).success).toBe(true);
  });
});

describe('silencedUntil: until when the silences holding a transition are in force', () => {
  const at = new Date('2026-06-03T10:30:00Z'); // a Wednesday
  const oneOff = (id: string, startsAt: string, endsAt: string, expiredAt?: string): Silence => ({
    id,
    matchers: { gateway: '*' },
    startsAt,
    endsAt,
    ...(expiredAt ? { expiredAt } : {}),
  });
  const weekly = (id: string, window: WeeklyWindow): Silence => ({
    id,
    matchers: { gateway: '*' },
    weekly: window,
  });

  it.each<[string, Silence[], string[], string | undefined]>([
    [
      'one-off: its end',
      [oneOff('a', '2026-06-03T10:00:00Z', '2026-06-03T12:00:00Z')],
      ['a'],
      '2026-06-03T12:00:00.000Z',
    ],
    [
      'expired early: the expiry',
      [oneOff('a', '2026-06-03T10:00:00Z', '2026-06-03T12:00:00Z', '2026-06-03T11:00:00Z')],
      ['a'],
      '2026-06-03T11:00:00.000Z',
    ],
    [
      'two overlapping: the later end',
      [
        oneOff('a', '2026-06-03T10:00:00Z', '2026-06-03T11:00:00Z'),
        oneOff('b', '2026-06-03T09:00:00Z', '2026-06-03T13:00:00Z'),
      ],
      ['a', 'b'],
      '2026-06-03T13:00:00.000Z',
    ],
    [
      'chained: the second starts where the first ends',
      [
        oneOff('a', '2026-06-03T10:00:00Z', '2026-06-03T11:00:00Z'),
        oneOff('b', '2026-06-03T11:00:00Z', '2026-06-03T14:00:00Z'),
      ],
      ['a', 'b'],
      '2026-06-03T14:00:00.000Z',
    ],
    [
      'only the named silences count',
      [
        oneOff('a', '2026-06-03T10:00:00Z', '2026-06-03T11:00:00Z'),
        oneOff('b', '2026-06-03T09:00:00Z', '2026-06-03T13:00:00Z'),
      ],
      ['a'],
      '2026-06-03T11:00:00.000Z',
    ],
    [
      'weekly, same day',
      [weekly('w', { days: ['wed'], from: '10:00', to: '12:00', timeZone: 'UTC' })],
      ['w'],
      '2026-06-03T12:00:00.000Z',
    ],
    [
      'weekly, in its zone (Berlin, UTC+2 in June)',
      [weekly('w', { days: ['wed'], from: '12:00', to: '14:00', timeZone: 'Europe/Berlin' })],
      ['w'],
      '2026-06-03T12:00:00.000Z',
    ],
    [
      'weekly, past midnight',
      [weekly('w', { days: ['wed'], from: '12:00', to: '02:00', timeZone: 'Europe/Berlin' })],
      ['w'],
      '2026-06-04T00:00:00.000Z',
    ],
    [
      'weekly to 24:00 followed by the next day from 00:00: one hold',
      [weekly('w', { days: ['wed', 'thu'], from: '00:00', to: '24:00', timeZone: 'UTC' })],
      ['w'],
      '2026-06-05T00:00:00.000Z',
    ],
    [
      'none active: undefined',
      [oneOff('a', '2026-06-03T11:00:00Z', '2026-06-03T12:00:00Z')],
      ['a'],
      undefined,
    ],
  ])('%s', (_label, silences, ids, expected) => {
    expect(silencedUntil(silences, ids, at)).toBe(expected);
  });

  it('property: while held, the until is after now and every named silence is over by then', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -600, max: 0 }), fc.integer({ min: 1, max: 600 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (windows) => {
          const silences = windows.map(([start, length], i) =>
            oneOff(
              `s${i}`,
              new Date(at.getTime() + start * 60_000).toISOString(),
              new Date(at.getTime() + (start + length) * 60_000).toISOString(),
            ),
          );
          const ids = silences.map((s) => s.id);
          const until = silencedUntil(silences, ids, at);
          const active = silences.some((s) => isSilenceActive(s, at));
          if (!active) return until === undefined;
          const end = new Date(until!);
          return end > at && silences.every((s) => !isSilenceActive(s, end));
        },
      ),
    );
  });
});

describe('expandWeekdays: the days silence add --weekly names', () => {
  it.each<[string, string[], string[]]>([
    ['sat,sun', ['sat', 'sun'], []],
    ['mon-fri', ['mon', 'tue', 'wed', 'thu', 'fri'], []],
    ['fri-mon', ['fri', 'sat', 'sun', 'mon'], []],
    ['Monday, FRIDAY', ['mon', 'fri'], []],
    ['mon fri', ['mon', 'fri'], []],
    ['tue-thu,thu', ['tue', 'wed', 'thu'], []],
    ['mon-mon', ['mon'], []],
    ['mon-frx', [], ['mon-frx']],
    ['monday-friday', ['mon', 'tue', 'wed', 'thu', 'fri'], []],
    ['mo', [], ['mo']],
    ['mon-tue-wed', [], ['mon-tue-wed']],
    ['sat,funday', ['sat'], ['funday']],
    ['', [], []],
  ])('%j → %j (invalid %j)', (text, days, invalid) => {
    expect(expandWeekdays(text)).toEqual({ days, invalid });
  });
});
