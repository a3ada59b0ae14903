/** The machine's clock: its wall time, and a monotonic time for elapsed spans (fan-out.ts's spread). */
import { systemClock } from '../../../src/adapters/clock/system-clock';

it('says the wall time, and a monotonic time that never goes back', async () => {
  const before = Date.now();
  expect(systemClock.now().getTime()).toBeGreaterThanOrEqual(before);
  const first = systemClock.monotonicInMs?.();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = systemClock.monotonicInMs?.();
  expect(typeof first).toBe('number');
  expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(15);
});
