import { gatewayKey } from '../../../src/core/arm-id';
import { BackendHealthUnavailableError } from '../../../src/errors';
import type { BackendHealthBody } from '../../../src/core/model';
import {
  processQueuedGateway,
  startFanOut,
  type ContinuedGateway,
  type FanOutDependencies,
} from '../../../src/pipeline/fan-out';
import type { GatewayMessage, SteppedBackendHealthReader } from '../../../src/ports';
import { gatewayNamed, healthOf, memoryRun, memoryWorkQueue, type MemoryRun } from '../../helpers/memory';
import { deletedGateways } from '../../helpers/memory/config-reader';
import { SUB } from '../../helpers/scenario-builder';
import { processUntilFinished } from '../../helpers/queued-gateway';

/**
 * A reading taken late (a queue continuation polled after a newer run read the gateway and notified)
 * decides nothing (core/notice/reading-order.ts). A break trial: run-old's healthy result, started
 * before the server went bad, sent `recovered` after run-new's `degraded` (then `degraded` again); a
 * result read before the gateway's deletion sent a new `degraded` after its `recovered`.
 */

const gw = gatewayNamed('gw-a', 'rg-web');
const BAD = [{ address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' }];
const GOOD = [
  { address: '10.0.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
];
const MINUTE = 60_000;

interface World extends MemoryRun {
  readonly fanOut: FanOutDependencies;
  /** The body each operation was started on, by its location: what its poll answers, however late. */
  readonly operations: Map<string, BackendHealthBody>;
}

/**
 * In-memory ports whose backend-health operations run: the start answers `pending`, keeping the
 * gateway's body as it is at the start (ARM keeps an operation's result), which its poll answers.
 */
function world(targets?: readonly string[]): World {
  // Time enough for a run to start and finish while another's operation runs (the default is 5 s here).
  const run = memoryRun({
    gateways: [{ ref: gw, servers: BAD }],
    ...(targets ? { targets } : {}),
    withNotify: true,
    options: { gatewayTimeoutInMs: 20 * MINUTE },
  });
  const operations = new Map<string, BackendHealthBody>();
  const reader: SteppedBackendHealthReader = {
    getBackendHealth: (g, o) => run.reader.getBackendHealth(g, o),
    async startBackendHealth(g, o) {
      const location = `https://management.azure.com/subscriptions/${SUB}/providers/op-${operations.size}?api-version=1`;
      operations.set(location, await run.reader.getBackendHealth(g, o));
      return { pending: { operation: { location }, retryAfterInMs: 10_000 } };
    },
    async pollBackendHealth(_g, operation) {
      const body = operations.get(operation.location);
      if (!body) throw new Error(`no operation ${operation.location}`);
      return { done: body };
    },
  };
  return { ...run, operations, fanOut: { ...run.deps, reader, queue: memoryWorkQueue('appgw-evaluate') } };
}

const queueOptions = (w: World) => ({ ...w.options, runId: 'the-invocation' });
const message = (w: World, runId: string): GatewayMessage => ({
  version: 1,
  runId,
  gatewayId: gw.id,
  discoveredAt: w.clock.now().toISOString(),
});
/** Starts `runId`'s operation (discovered now): its continuation, polled when the test takes it. */
async function start(w: World, runId: string): Promise<ContinuedGateway> {
  const step = await processQueuedGateway(w.fanOut, queueOptions(w), message(w, runId));
  if (step.kind !== 'continued') throw new Error(`expected a continuation, got ${step.kind}`);
  return step;
}
const sent = (w: World) => w.notify!.notifiers[0]!.sent.map((n) => n.type);

describe('notify: a reading older than one already counted decides nothing', () => {
  it('run-old read healthy, taken after run-new read the server bad: no recovered; its result is still reported', async () => {
    const w = world();
    w.reader.health.set(gw.id, healthOf(gw, GOOD));
    const old = await start(w, 'run-old');
    // The server goes bad; run-new, discovered later, is read and notified first.
    w.clock.advance(5 * MINUTE);
    w.reader.health.set(gw.id, healthOf(gw, BAD));
    await processUntilFinished(w.fanOut, queueOptions(w), message(w, 'run-new'));
    expect(sent(w)).toEqual(['degraded']);

    // run-old's continuation, taken late, polls its operation's result (healthy, from its start).
    w.clock.advance(MINUTE);
    const late = await processQueuedGateway(w.fanOut, queueOptions(w), old.continuation);
    expect(sent(w)).toEqual(['degraded']);
    if (late.kind !== 'finished') throw new Error(late.kind);
    expect(late.report.gateways[0]).toMatchObject({ ok: true, servers: 1, findings: [] });
    const readAt = new Date(w.clock.now().getTime() - 6 * MINUTE).toISOString();
    const countedAt = new Date(w.clock.now().getTime() - MINUTE).toISOString();
    expect(late.report.notifications?.olderReadings).toEqual([{ gateway: gw.id, readAt, countedAt }]);
    expect(w.logger.at('warn')).toContain(
      `reading of ${gw.id} from ${readAt} is older than the one counted at ${countedAt}: not counted for notifications (a late result of an earlier run; its result is still reported)`,
    );
    const doc = (await w.notify!.stores.forKey(gatewayKey(gw.id)).read())?.value;
    expect(doc?.newestReadingAt).toBe(countedAt);

    // The next run, still bad: the episode goes on, no second degraded.
    w.clock.advance(4 * MINUTE);
    await processUntilFinished(w.fanOut, queueOptions(w), message(w, 'run-next'));
    expect(sent(w)).toEqual(['degraded']);
  });

  // A break trial: the failed newer reading moved the order, so run-old's bad result (the newest that
  // read the gateway) counted for nothing, sent no degraded, and its insights never became current.
  it('a newer run whose read failed: an older run’s reading taken after it still counts (a failure decides nothing, and dates nothing)', async () => {
    const w = world();
    w.reader.health.set(gw.id, healthOf(gw, GOOD));
    await processUntilFinished(w.fanOut, queueOptions(w), message(w, 'run-0'));
    w.clock.advance(MINUTE);
    w.reader.health.set(gw.id, healthOf(gw, BAD));
    const old = await start(w, 'run-old');
    w.clock.advance(MINUTE);
    w.reader.health.set(
      gw.id,
      new BackendHealthUnavailableError(gw.id, 'ARM answered 400 InvalidRequestFormat', { retryable: false }),
    );
    const failed = await processUntilFinished(w.fanOut, queueOptions(w), message(w, 'run-new'));
    expect(failed.report.gateways[0]?.ok).toBe(false);
    w.clock.advance(MINUTE);
    const late = await processQueuedGateway(w.fanOut, queueOptions(w), old.continuation);
    if (late.kind !== 'finished') throw new Error(late.kind);
    expect(late.report.notifications?.olderReadings ?? []).toEqual([]);
    expect(sent(w)).toEqual(['degraded']);
    // Delivered as the current reading (its insights replace the current ones).
    expect(w.sinks[0]?.deliveries.at(-1)).toMatchObject({ scope: 'gateway' });
    expect(w.sinks[0]?.deliveries.at(-1)?.olderReading).toBeUndefined();
  });

  it('a gateway deleted while its operation ran: the timer tells recovered, and the late bad result opens no new episode', async () => {
    const w = world();
    await processUntilFinished(w.fanOut, queueOptions(w), message(w, 'run-6'));
    expect(sent(w)).toEqual(['degraded']);
    w.clock.advance(5 * MINUTE);
    const inFlight = await start(w, 'run-7');
    // Deleted; the next timer does not list it, and ARM's GET confirms it (404): recovered.
    w.directory.gateways = w.directory.gateways.filter((g) => g.name !== 'gw-a');
    w.clock.advance(5 * MINUTE);
    const deleted: FanOutDependencies = {
      ...w.fanOut,
      configReader: deletedGateways(),
    };
    await startFanOut(deleted, { ...w.options, runId: 'run-8' });
    expect(sent(w)).toEqual(['degraded', 'recovered']);

    // run-7's continuation, taken now, polls its operation's result (bad, from before the deletion).
    w.clock.advance(MINUTE);
    const late = await processQueuedGateway(deleted, queueOptions(w), inFlight.continuation);
    expect(sent(w)).toEqual(['degraded', 'recovered']);
    if (late.kind !== 'finished') throw new Error(late.kind);
    expect(late.report.gateways[0]).toMatchObject({ ok: true, findings: [expect.anything()] });
    expect(late.report.notifications?.olderReadings).toHaveLength(1);
    const doc = (await w.notify!.stores.forKey(gatewayKey(gw.id)).read())?.value;
    expect(doc?.servers).toEqual({});

    // The next timer: nothing more for the deleted gateway.
    w.clock.advance(4 * MINUTE);
    await startFanOut(deleted, { ...w.options, runId: 'run-9' });
    expect(sent(w)).toEqual(['degraded', 'recovered']);
  });

  it('a gateway named by id, deleted while its operation ran: its next message confirms it (404, GET 404) and the late bad result opens no new episode', async () => {
    const w = world([gw.id]);
    const deleted: FanOutDependencies = {
      ...w.fanOut,
      configReader: deletedGateways(),
    };
    await processUntilFinished(w.fanOut, queueOptions(w), message(w, 'run-6'));
    w.clock.advance(5 * MINUTE);
    const inFlight = await start(w, 'run-7');
    // Deleted: the next run's backend-health call answers 404, and so does its GET.
    w.reader.health.delete(gw.id);
    w.clock.advance(MINUTE);
    const confirmed = await processUntilFinished(deleted, queueOptions(w), message(w, 'run-8'));
    expect(confirmed.report.gateways[0]?.error?.code).toBe('GatewayDeleted');
    expect(sent(w)).toEqual(['degraded', 'recovered']);

    w.clock.advance(MINUTE);
    await processQueuedGateway(deleted, queueOptions(w), inFlight.continuation);
    expect(sent(w)).toEqual(['degraded', 'recovered']);
  });
});
