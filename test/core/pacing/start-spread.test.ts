import fc from 'fast-check';
import { startDelaysInMs } from '../../../src/core/pacing/start-spread';
import { ARM_REQUEST_LIMITS } from '../../../src/core/pacing/request-limits';

describe('startDelaysInMs: a run’s starts spread over each subscription’s writes bucket', () => {
  it.each([
    ['none', [], { burst: 2, perSecond: 2 }, []],
    ['within the burst: all at once', ['a', 'a'], { burst: 2, perSecond: 2 }, [0, 0]],
    ['past it: one refill apart', ['a', 'a', 'a', 'a'], { burst: 2, perSecond: 2 }, [0, 0, 500, 1000]],
    [
      'subscriptions apart, ids in any case',
      ['a', 'B', 'A', 'b', 'a'],
      { burst: 1, perSecond: 4 },
      [0, 0, 250, 250, 500],
    ],
    [
      'ARM’s bucket: the 201st write 100 ms on',
      Array(201).fill('s'),
      ARM_REQUEST_LIMITS.writes,
      [...Array(200).fill(0), 100],
    ],
  ])('%s', (_, ids, bucket, expected) => {
    expect(startDelaysInMs(ids as string[], bucket)).toEqual(expected);
  });

  it('in batches (a target at a time) with the starts before counted: the same delays as all at once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'B', 'b', 'c'), { maxLength: 40 }),
        fc.array(fc.nat(40), { maxLength: 5 }),
        (ids, cuts) => {
          const bucket = { burst: 3, perSecond: 4 };
          const seen = new Map<string, number>();
          const at = [...new Set([0, ...cuts.map((c) => Math.min(c, ids.length)), ids.length])].sort(
            (x, y) => x - y,
          );
          const inBatches = at
            .slice(1)
            .flatMap((end, k) => startDelaysInMs(ids.slice(at[k], end), bucket, seen));
          expect(inBatches).toEqual(startDelaysInMs(ids, bucket));
        },
      ),
    );
  });

  it('never starts more in a subscription by any time than its bucket holds then; each start no sooner than the one before it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 50 }),
        (ids, burst, perSecond) => {
          const delays = startDelaysInMs(ids, { burst, perSecond });
          for (const sub of new Set(ids)) {
            const own = delays.filter((_, i) => ids[i] === sub);
            own.forEach((d, i) => {
              if (i > 0) expect(d).toBeGreaterThanOrEqual(own[i - 1] as number);
              // By the time of this start, the bucket has held burst + d × rate tokens in all.
              expect(i + 1).toBeLessThanOrEqual(burst + (d * perSecond) / 1000 + 1e-9);
            });
          }
        },
      ),
    );
  });
});
