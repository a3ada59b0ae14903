import { DeliveryError } from '../../src/errors';
import { deliverToSinks } from '../../src/pipeline/deliver-to-sinks';
import { silentLogger } from '../../src/pipeline/logger';
import type { Delivery, InsightSink } from '../../src/ports';

/** Sinks that fail: the run records each as DeliveryFailed naming it, and the others still get the run. */
const delivery = { scope: 'run', report: { runId: 'r1', gateways: [] }, insights: [] } as unknown as Delivery;
const failing = (name: string, thrown: () => unknown): InsightSink => ({
  name,
  deliver: () => Promise.reject(thrown()),
});
const working: InsightSink = { name: 'folder', deliver: async () => ({ locations: ['out/report.json'] }) };

describe('deliverToSinks: every sink failure is DeliveryFailed naming the sink', () => {
  it.each<[string, () => unknown, string]>([
    [
      'a TypeError',
      () => new TypeError("Cannot read properties of undefined (reading 'id')"),
      'TypeError: Cannot read',
    ],
    ['a string', () => 'disk on fire', 'disk on fire'],
    ['an Error over several lines', () => new Error('first line\nsecond line'), 'Error: first line)'],
  ])(
    'a sink that throws %s it does not type: DeliveryFailed, retryable, "a bug in the sink"',
    async (_, thrown, quoted) => {
      const { receipts, errors } = await deliverToSinks(
        [failing('blob[x]', thrown), working],
        delivery,
        silentLogger,
      );
      expect(receipts.map((r) => r.sink)).toEqual(['folder']);
      expect(errors).toEqual([
        expect.objectContaining({ code: 'DeliveryFailed', sink: 'blob[x]', retryable: true }),
      ]);
      expect(errors[0]?.message).toMatch(
        /^Delivery to blob\[x\] failed: the sink failed without saying why \(/,
      );
      expect(errors[0]?.message).toContain(quoted);
      expect(errors[0]?.message).toContain('a bug in the sink');
      expect(errors[0]?.message).not.toContain('second line');
    },
  );

  it('a DeliveryError of the sink’s own passes as it is (its words, its retryable)', async () => {
    const own = new DeliveryError('blob[x]', 'cannot write latest/: HTTP 403 AuthorizationFailure', {
      retryable: false,
      status: 403,
    });
    const { errors } = await deliverToSinks([failing('blob[x]', () => own)], delivery, silentLogger);
    expect(errors).toEqual([
      { code: 'DeliveryFailed', message: own.message, retryable: false, sink: 'blob[x]' },
    ]);
  });
});
