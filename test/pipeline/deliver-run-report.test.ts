import { buildRunReport } from '../../src/pipeline/build-run-report';
import { deliverRunReport } from '../../src/pipeline/deliver-run-report';
import { createSinkFailures } from '../../src/pipeline/sink-failures';
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
    expect(report.deliveryErrors).toEqual([failure]);
    expect(sinks.errors).toEqual([failure]);
    expect(folder.deliveries[0]?.report.deliveryErrors).toEqual([]);
    // A sink's failure is not the run's: `ok` says what the run did (RunReport.ok).
    expect(report.ok).toBe(true);
    expect(report).toEqual({ ...folder.deliveries[0]?.report, deliveryErrors: [failure] });
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
    expect(report.deliveryErrors).toEqual([
      {
        code: 'DeliveryFailed',
        message: 'Delivery to blob failed: HTTP 503. (2 of its deliveries this run failed)',
        retryable: true,
        sink: 'blob',
      },
    ]);
    expect(failures.reported()).toEqual(report.deliveryErrors);
  });

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
