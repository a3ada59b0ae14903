import { cutMarker, VALUE_CAPS } from '../../src/core/caps';
import { DeliveryError } from '../../src/errors';
import type { DeliveryReceipt, InsightSink } from '../../src/ports';
import { deliverToSinks } from '../../src/pipeline/deliver-to-sinks';
import { buildDelivery, gatewayRef } from '../helpers/delivery-builder';
import { deferred, memoryLogger, memorySink, type Answer } from '../helpers/memory';

const delivery = buildDelivery('run-1', [{ gateway: gatewayRef('gw-a'), unhealthy: ['10.0.0.4'] }]);

describe('deliverToSinks', () => {
  it('gives every sink the same delivery and keeps each receipt under its name', async () => {
    const sinks = [memorySink('folder'), memorySink('blob')];
    const logger = memoryLogger();
    const result = await deliverToSinks(sinks, delivery, logger);
    for (const sink of sinks) expect(sink.deliveries).toEqual([delivery]);
    expect(result.errors).toEqual([]);
    expect([...result.receipts].sort((a, b) => a.sink.localeCompare(b.sink))).toEqual([
      { sink: 'blob', receipt: { locations: ['memory://blob/run/run-1'] } },
      { sink: 'folder', receipt: { locations: ['memory://folder/run/run-1'] } },
    ]);
    expect(logger.entries).toEqual([]);
  });

  it('receipts and errors in the sinks’ order, whichever finished first (the summary lists a run the same way each time)', async () => {
    const slow = deferred<void>();
    const sinks: InsightSink[] = [
      { name: 'folder', deliver: async () => (await slow.promise, { locations: ['/out'] }) },
      { name: 'blob', deliver: async () => ({ locations: ['https://a/c'] }) },
      {
        name: 'slow-failing',
        deliver: async () => {
          await slow.promise;
          throw new DeliveryError('slow-failing', 'no', { retryable: true });
        },
      },
      {
        name: 'fast-failing',
        deliver: async () => {
          throw new DeliveryError('fast-failing', 'no', { retryable: true });
        },
      },
    ];
    const done = deliverToSinks(sinks, delivery, memoryLogger());
    await new Promise((resolve) => setImmediate(resolve));
    slow.resolve();
    const result = await done;
    expect(result.receipts.map((r) => r.sink)).toEqual(['folder', 'blob']);
    expect(result.errors.map((e) => e.sink)).toEqual(['slow-failing', 'fast-failing']);
  });

  it('no sinks: nothing delivered, nothing failed', async () => {
    expect(await deliverToSinks([], delivery, memoryLogger())).toEqual({ receipts: [], errors: [] });
  });

  const long = 'x'.repeat(VALUE_CAPS.errorMessage * 2);
  it.each<[string, Answer<DeliveryReceipt>, { code: string; retryable: boolean; message: string }]>([
    [
      'a DeliveryError that may pass',
      new DeliveryError('blob', 'the account answered 503', { retryable: true }),
      {
        code: 'DeliveryFailed',
        retryable: true,
        message: 'Delivery to blob failed: the account answered 503.',
      },
    ],
    [
      'a DeliveryError for good',
      new DeliveryError('blob', 'the SAS may not write', { retryable: false }),
      {
        code: 'DeliveryFailed',
        retryable: false,
        message: 'Delivery to blob failed: the SAS may not write.',
      },
    ],
    [
      'a bug',
      new TypeError('x is not a function'),
      {
        code: 'DeliveryFailed',
        retryable: true,
        message:
          'Delivery to blob failed: the sink failed without saying why (TypeError: x is not a function); the next run tries again, and if it persists, please report it (a bug in the sink).',
      },
    ],
    [
      'a non-Error thrown',
      () => Promise.reject('disk on fire'),
      {
        code: 'DeliveryFailed',
        retryable: true,
        message:
          'Delivery to blob failed: the sink failed without saying why (disk on fire); the next run tries again, and if it persists, please report it (a bug in the sink).',
      },
    ],
  ])(
    '%s from one sink is recorded under its name; the others still take the delivery',
    async (_, failure, expected) => {
      const [folder, blob, other] = [memorySink('folder'), memorySink('blob'), memorySink('other')];
      blob.failure = failure;
      const logger = memoryLogger();
      const result = await deliverToSinks([folder, blob, other], delivery, logger);
      expect(result.errors).toEqual([{ ...expected, sink: 'blob' }]);
      expect(result.receipts.map((r) => r.sink).sort()).toEqual(['folder', 'other']);
      expect(folder.deliveries).toEqual([delivery]);
      expect(other.deliveries).toEqual([delivery]);
      expect(logger.at('error')).toEqual([expected.message]);
    },
  );

  it('a sink that throws at once (no promise) is recorded like one that rejects', async () => {
    const other = memorySink('other');
    const broken: InsightSink = {
      name: 'broken',
      deliver: () => {
        throw new Error('thrown synchronously');
      },
    };
    const result = await deliverToSinks([broken, other], delivery, memoryLogger());
    expect(result.errors).toEqual([
      {
        code: 'DeliveryFailed',
        message:
          'Delivery to broken failed: the sink failed without saying why (Error: thrown synchronously); the next run tries again, and if it persists, please report it (a bug in the sink).',
        retryable: true,
        sink: 'broken',
      },
    ]);
    expect(other.deliveries).toEqual([delivery]);
  });

  it('a failure whose message quotes a huge answer is capped in the report', async () => {
    const sink = memorySink('blob');
    sink.failure = new DeliveryError('blob', long, { retryable: true });
    const { errors } = await deliverToSinks([sink], delivery, memoryLogger());
    const full = `Delivery to blob failed: ${long}.`;
    // A message too long for the report keeps its start and its end around the cut marker (text-clip.ts
    // clipMessage); one word of 4 000 characters goes whole, as any word that does not fit.
    const message = errors[0]?.message ?? '';
    expect(message).toBe(`Delivery to blob failed:${cutMarker(full.length)}`);
    expect([...message].length).toBeLessThanOrEqual(VALUE_CAPS.errorMessage);
  });

  it('every sink failing: every failure, no receipt', async () => {
    const sinks = [memorySink('folder'), memorySink('blob')];
    for (const sink of sinks) sink.failure = new DeliveryError(sink.name, 'down', { retryable: true });
    const result = await deliverToSinks(sinks, delivery, memoryLogger());
    expect(result.receipts).toEqual([]);
    expect(result.errors.map((e) => e.sink).sort()).toEqual(['blob', 'folder']);
  });

  it('delivers to every sink at once: a slow sink holds up no other', async () => {
    const slow = memorySink('slow');
    const fast = memorySink('fast');
    const answer = deferred<DeliveryReceipt>();
    slow.failure = () => answer.promise;
    const result = deliverToSinks([slow, fast], delivery, memoryLogger());
    await new Promise((resolve) => setImmediate(resolve));
    expect(slow.offered).toEqual([delivery]);
    expect(fast.deliveries).toEqual([delivery]);
    answer.resolve({ locations: ['slow://done'] });
    // Listed in the sinks' order, though fast finished first.
    expect((await result).receipts.map((r) => r.sink)).toEqual(['slow', 'fast']);
  });
});
