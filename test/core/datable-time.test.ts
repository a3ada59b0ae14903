import { datableTime, EARLIEST_DATABLE_IN_MS, LATEST_DATABLE_IN_MS } from '../../src/core/datable-time';

describe('datableTime: a time this product takes from a message or a document', () => {
  it('the bounds are the first and last instants of the years 0000 and 9999', () => {
    expect(new Date(EARLIEST_DATABLE_IN_MS).toISOString()).toBe('0000-01-01T00:00:00.000Z');
    expect(new Date(LATEST_DATABLE_IN_MS).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it.each<[string, unknown, number | undefined]>([
    ['ISO 8601', '2026-11-30T03:00:00.000Z', Date.UTC(2026, 10, 30, 3)],
    ['the RFC 7231 form', 'Mon, 30 Nov 2026 03:00:00 GMT', Date.UTC(2026, 10, 30, 3)],
    ['the first instant', '0000-01-01T00:00:00.000Z', EARLIEST_DATABLE_IN_MS],
    ['the last instant', '9999-12-31T23:59:59.999Z', LATEST_DATABLE_IN_MS],
    ['a moment before the first', '-000001-12-31T23:59:59.999Z', undefined],
    ['a moment after the last', '+010000-01-01T00:00:00.000Z', undefined],
    ["the first of JavaScript's dates", '-271821-04-20T00:00:00.000Z', undefined],
    ["the last of JavaScript's dates", '+275760-09-13T00:00:00.000Z', undefined],
    ['no time', 'today', undefined],
    ['a number', 1_764_471_600_000, undefined],
    ['nothing', undefined, undefined],
  ])('%s', (_, text, expected) => {
    expect(datableTime(text)).toBe(expected);
  });

  it('whatever a datable time is moved by, up to 100 years either way, stays a time toISOString can write', () => {
    const century = 100 * 366 * 24 * 3_600_000;
    for (const ms of [EARLIEST_DATABLE_IN_MS, LATEST_DATABLE_IN_MS])
      for (const by of [-century, century]) expect(() => new Date(ms + by).toISOString()).not.toThrow();
  });
});
