import fc from 'fast-check';
import { orderReading } from '../../../src/core/notice/reading-order';

/**
 * The time order of a gateway's readings (reading-order.ts): one that began before the newest reading
 * counted decides nothing; the same time or newer counts, as before; an unknown time counts.
 */

const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 10, minute)).toISOString();

describe('orderReading: a reading older than the newest counted decides nothing', () => {
  it.each<[string, string | undefined, string | undefined, ReturnType<typeof orderReading>]>([
    [
      'older than the newest counted: not counted, the newer one named',
      at(5),
      at(4),
      { counts: false, newerAt: at(5) },
    ],
    [
      'a millisecond older: not counted',
      '2026-12-03T10:05:00.001Z',
      '2026-12-03T10:05:00.000Z',
      { counts: false, newerAt: '2026-12-03T10:05:00.001Z' },
    ],
    [
      'the same time (a message delivered twice, clocks a little apart): counts',
      at(5),
      at(5),
      { counts: true, newestAt: at(5) },
    ],
    ['newer: counts, and is the newest now', at(5), at(6), { counts: true, newestAt: at(6) }],
    [
      'nothing counted yet (a document of an earlier release): counts',
      undefined,
      at(4),
      { counts: true, newestAt: at(4) },
    ],
    [
      'a reading with no time (a recheck): counts, the newest kept',
      at(5),
      undefined,
      { counts: true, newestAt: at(5) },
    ],
    ['neither known: counts', undefined, undefined, { counts: true }],
    [
      'a stored time that is not one: counts, as unknown',
      'not a time',
      at(4),
      { counts: true, newestAt: at(4) },
    ],
  ])('%s', (_title, newest, read, expected) => {
    expect(orderReading(newest, read)).toEqual(expected);
  });

  it('over any order of readings: a reading counts exactly when none counted before it began later, and the newest only moves forward', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 30 }), (minutes) => {
        let newest: string | undefined;
        let newestMinute = -Infinity;
        for (const minute of minutes) {
          const order = orderReading(newest, at(minute));
          // Reference: counted iff no counted reading began later than this one.
          expect(order.counts).toBe(minute >= newestMinute);
          if (order.counts) {
            newestMinute = Math.max(newestMinute, minute);
            expect(order.newestAt).toBe(at(newestMinute));
            newest = order.newestAt;
          } else expect(order.newerAt).toBe(newest);
        }
      }),
    );
  });
});
