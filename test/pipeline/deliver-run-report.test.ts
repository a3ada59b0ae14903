import { buildRunReport } from '../../src/pipeline/build-run-report';
import { deliverRunReport } from '../../src/pipeline/deliver-run-report';
import { createSinkFailures, DELIVERY_ERRORS_PER_SINK } from '../../src/pipeline/sink-failures';
import { failedDeliveries } from '../../src/core/run-report';
import { buildDelivery, gatewayRef } from '../helpers/delivery-builder';
import { failingSink, memoryLogger, memorySink } from '../helpers/memory';

const built = buildDelivery('run-1', [{ gateway: gatewayRef('gw-a'), unhealthy: ['10.0.0.4'] }]);
const parts = {
  runId: 'run-1',
  startedAt: new Date('2026-01-05T10:00:00.000Z'),
  finishedAt: new Date('2026-01-05T10:00:03.000Z'),
  targets: built.report.targets,
  gateways: built.report.gateways,
};

describe('deliverRunReport: build the report, deliver it to the sinks, merge their failures', () => {
  it.each(['run', 'gateway'] as const)(
    'scope %s: every sink gets the report built from the parts, with the insights',
    async (scope) => {
      const sinks = [memorySink('folder'), memorySink('blob')];
      const { report, sinks: delivered } = await deliverRunReport(
        { sinks, logger: memoryLogger() },
        { ...parts, scope, insights: built.insights },
      );
      expect(report).toEqual(buildRunReport(parts));
      for (const sink of sinks)
        expect(sink.deliveries).toEqual([{ scope, report, insights: built.insights }]);
      expect(delivered.receipts.map((r) => r.sink).sort()).toEqual(['blob', 'folder']);
      expect(delivered.errors).toEqual([]);
    },
  );

  it('a sink that fails: the others still take it; the report returned names it in deliveryErrors, the one delivered cannot', async () => {
    const folder = memorySink('folder');
    const blob = failingSink('blob', 'the account answered 503');
    const logger = memoryLogger();
    const { report, sinks } = await deliverRunReport(
      { sinks: [blob, folder], logger },
      { ...parts, scope: 'run', insights: built.insights },
    );
    const failure = {
      code: 'DeliveryFailed',
      message: 'Delivery to blob failed: the account answered 503.',
      retryable: true,
      sink: 'blob',
    };
    // The report names what did not go (the sink's message may not).
    const named = { ...failure, document: 'report.json, the insights' };
    expect(report.deliveryErrors).toEqual([named]);
    expect(sinks.errors).toEqual([failure]);
    expect(folder.deliveries[0]?.report.deliveryErrors).toEqual([]);
    expect(folder.deliveries[0]?.report.ok).toBe(true);
    // The returned report is not ok: a sink failed (withDeliveryErrors; the exit code says 2 too).
    expect(report.ok).toBe(false);
    expect(report).toEqual({ ...folder.deliveries[0]?.report, ok: false, deliveryErrors: [named] });
    expect(logger.at('error')).toEqual([failure.message]);
  });

  it("a run's tally of sink failures: the sinks get the ones before this delivery; the report returned counts this one's too", async () => {
    const folder = memorySink('folder');
    const blob = failingSink('blob', 'the account answered 503');
    const failures = createSinkFailures();
    failures.add([
      {
        code: 'DeliveryFailed',
        message: 'Delivery to blob failed: HTTP 503.',
        retryable: true,
        sink: 'blob',
      },
    ]);
    const { report } = await deliverRunReport(
      { sinks: [blob, folder], logger: memoryLogger() },
      { ...parts, scope: 'report', insights: [] },
      failures,
    );
    expect(folder.deliveries[0]?.report.deliveryErrors).toEqual([
      {
        code: 'DeliveryFailed',
        message: 'Delivery to blob failed: HTTP 503.',
        retryable: true,
        sink: 'blob',
      },
    ]);
    // One entry per failed delivery, each naming what did not go.
    expect(report.deliveryErrors).toEqual([
      {
        code: 'DeliveryFailed',
        message: 'Delivery to blob failed: HTTP 503.',
        retryable: true,
        sink: 'blob',
      },
      {
        code: 'DeliveryFailed',
        message: 'Delivery to blob failed: the account answered 503.',
        retryable: true,
        sink: 'blob',
        document: 'report.json',
      },
    ]);
    expect(failures.reported()).toEqual(report.deliveryErrors);
  });

  // A trial's closing entry said "more failed deliveries to status page": its histories are no sink's.
  it("the status page's own failures past the first 10: counted as its reads and writes, not as deliveries", () => {
    const failures = createSinkFailures();
    for (let i = 0; i < 12; i++)
      failures.add([
        { code: 'StatusHistoryUnavailable', message: `h${i}`, retryable: true, sink: 'status page' },
      ]);
    const closing = failures.reported().at(-1);
    expect(closing).toMatchObject({ sink: 'status page', omitted: 2 });
    expect(closing?.message).toMatch(
      /^and 2 more failures of the status page's own reads and writes this run \(12 in all; the first 10 are listed/,
    );
  });

  // Issue 15 trial: one entry per sink named only its first failed document.
  it.each([1, 9, 10, 11, 5_000])(
    '%d failed deliveries to one sink: each of the first 10 named, the rest counted in one closing entry',
    (failed) => {
      const failures = createSinkFailures();
      for (let i = 0; i < failed; i++)
        failures.add([
          {
            code: 'DeliveryFailed',
            message: `m${i}`,
            retryable: i % 2 === 0,
            sink: 'blob',
            document: `d${i}`,
          },
          ...(i < 2
            ? [{ code: 'StatusHistoryUnavailable', message: `h${i}`, retryable: true, sink: 'status page' }]
            : []),
        ]);
      const reported = failures.reported();
      const blob = reported.filter((e) => e.sink === 'blob');
      const listed = Math.min(failed, DELIVERY_ERRORS_PER_SINK);
      expect(blob.slice(0, listed).map((e) => e.document)).toEqual(
        Array.from({ length: listed }, (_, i) => `d${i}`),
      );
      expect(blob).toHaveLength(failed > DELIVERY_ERRORS_PER_SINK ? listed + 1 : listed);
      expect(failedDeliveries(blob)).toBe(failed);
      if (failed > DELIVERY_ERRORS_PER_SINK) {
        const closing = blob.at(-1);
        expect(closing).toMatchObject({ sink: 'blob', omitted: failed - listed, code: 'DeliveryFailed' });
        expect(closing?.message).toMatch(
          new RegExp(
            `^and ${failed - listed} more failed deliveries to blob this run \\(${failed} in all; the first 10 are listed`,
          ),
        );
      }
      // Another sink's failures are its own.
      expect(reported.filter((e) => e.sink === 'status page').map((e) => e.message)).toEqual(
        ['h0', 'h1'].slice(0, Math.min(failed, 2)),
      );
    },
  );

  it("a discovery's queued gateways come last in the report, after deliveryErrors, as report.json has them", async () => {
    const sink = memorySink('folder');
    const queued = [gatewayRef('gw-a').id, gatewayRef('gw-b').id];
    const { report } = await deliverRunReport(
      { sinks: [sink, failingSink('blob')], logger: memoryLogger() },
      { ...parts, mode: 'fan-out', gateways: [], scope: 'run', insights: [], queued },
    );
    expect(report.queued).toEqual(queued);
    expect(sink.deliveries[0]?.report.queued).toEqual(queued);
    expect(Object.keys(report).slice(-2)).toEqual(['deliveryErrors', 'queued']);
    expect(report.deliveryErrors).toHaveLength(1);
  });

  it('no queued gateways given: no `queued` key', async () => {
    const { report } = await deliverRunReport(
      { sinks: [], logger: memoryLogger() },
      { ...parts, scope: 'run', insights: [] },
    );
    expect('queued' in report).toBe(false);
  });
});
