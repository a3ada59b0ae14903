import type { BackendHealthBody } from '../../src/core/model';
import {
  BackendHealthUnavailableError,
  DeliveryError,
  GatewayNotFoundError,
  MissingPermissionError,
  StateUnavailableError,
  ThrottledError,
} from '../../src/errors';
import { rejection } from '../helpers/failures';
import { gatewayKey } from '../../src/core/arm-id';
import {
  processQueuedGateway,
  readGatewayMessage,
  recordPoisonedGateway,
  startFanOut,
  type FanOutDependencies,
} from '../../src/pipeline/fan-out';
import type { HistoryDocument } from '../../src/core/status/history';
import { recordHistory } from '../../src/pipeline/status/record-history';
import type { PageSchedule } from '../../src/core/status/page-schedule';
import { refusingSink, type MemorySink } from '../helpers/memory/sink';
import type {
  DeferredStep,
  GatewayContinuation,
  GatewayMessage,
  SteppedBackendHealthReader,
  StepOptions,
} from '../../src/ports';
import {
  UNTIL_ABORTED,
  gatewayNamed,
  healthOf,
  holdListing,
  memoryRun,
  memoryStateForRuns,
  memoryWorkQueue,
  refused,
  type Answer,
  type MemoryRun,
  type MemoryWorkQueue,
} from '../helpers/memory';
import { SUB } from '../helpers/scenario-builder';
import { processUntilFinished } from '../helpers/queued-gateway';
import { deletedGateways, routesPoolZ } from '../helpers/memory/config-reader';

const SUB_ID = `/subscriptions/${SUB}`;
const RG_WEB = `${SUB_ID}/resourceGroups/rg-web`;
const RG_DATA = `${SUB_ID}/resourceGroups/rg-data`;
const gwA = gatewayNamed('gw-a', 'rg-web');
const gwB = gatewayNamed('gw-b', 'rg-web');
const gwC = gatewayNamed('gw-c', 'rg-data');
const BAD = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const GOOD = { address: '10.0.0.5', health: 'Healthy' };

interface FanOutWorld extends MemoryRun {
  readonly queue: MemoryWorkQueue;
  readonly fanOut: FanOutDependencies;
}
function world(setup: Parameters<typeof memoryRun>[0] = {}): FanOutWorld {
  const run = memoryRun({
    gateways: [
      { ref: gwA, servers: [BAD, GOOD] },
      { ref: gwB, servers: [GOOD] },
      { ref: gwC, servers: [GOOD] },
    ],
    ...setup,
  });
  const queue = memoryWorkQueue('appgw-evaluate');
  return { ...run, queue, fanOut: { ...run.deps, reader: run.reader, queue } };
}
const discover = (w: FanOutWorld, runId = 'run-7') => startFanOut(w.fanOut, { ...w.options, runId });
const message = (gatewayId: string, runId = 'run-7'): GatewayMessage => ({ version: 1, runId, gatewayId });
/** The run is the message's: the options' run id is another on purpose. */
const queueOptions = (w: FanOutWorld) => ({ ...w.options, runId: 'not-the-message-run' });
const evaluate = (w: FanOutWorld, gatewayId: string, attempt = 1, runId = 'run-7') =>
  processUntilFinished(w.fanOut, queueOptions(w), message(gatewayId, runId), { attempt });

describe('startFanOut: the timer lists the gateways and queues one message each', () => {
  it('queues every gateway of the targets, evaluates none, and delivers the run report (mode fan-out)', async () => {
    const w = world();
    const { report, sinks } = await discover(w);
    // Each dated by the discovery: the gateway's status history records one reading per run.
    const discovered = (id: string) => ({ ...message(id), discoveredAt: w.clock.now().toISOString() });
    expect(w.queue.messages).toEqual([discovered(gwA.id), discovered(gwB.id), discovered(gwC.id)]);
    expect(w.reader.calls).toEqual([]);
    expect(report).toMatchObject({
      runId: 'run-7',
      mode: 'fan-out',
      ok: true,
      targets: [{ id: SUB_ID, ok: true, gateways: 3 }],
      gateways: [],
      summary: { gateways: 0, failedGateways: 0 },
      queued: [gwA.id, gwB.id, gwC.id],
      deliveryErrors: [],
    });
    for (const sink of w.sinks) expect(sink.deliveries).toEqual([{ scope: 'run', report, insights: [] }]);
    expect(sinks.receipts.map((r) => r.sink).sort()).toEqual(['blob', 'folder']);
    expect(w.logger.at('info')).toEqual(['run run-7: queued 3 gateways on appgw-evaluate']);
    expect(w.telemetry.records.map((r) => r.name)).toEqual(['appgw.target', 'appgw.run']);
    expect(w.telemetry.named('appgw.run')[0]).toMatchObject({
      step: 'discover',
      mode: 'fan-out',
      ok: true,
      gateways: 3,
      sinkErrors: 0,
    });
  });

  // As in the direct run: a listing that hung until its time-out held back every other target's messages.
  it("queues a target's gateways as soon as its listing ends, while another's still runs; the report keeps the targets' order", async () => {
    const w = world({ targets: [RG_WEB, RG_DATA] });
    const releaseWeb = holdListing(w.directory, RG_WEB, [gwA, gwB]);
    const discovering = discover(w);
    for (let i = 0; i < 1_000 && w.queue.messages.length === 0; i++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(w.queue.messages.map((m) => m.gatewayId)).toEqual([gwC.id]);
    releaseWeb();
    const { report } = await discovering;
    expect(w.queue.messages.map((m) => m.gatewayId)).toEqual([gwC.id, gwA.id, gwB.id]);
    expect(report.queued).toEqual([gwA.id, gwB.id, gwC.id]);
    expect(w.logger.at('info')).toEqual(['run run-7: queued 3 gateways on appgw-evaluate']);
  });

  // A break trial: a later target's group already due was logged as hidden.
  it('a later target of a subscription, listed after its bucket refilled: its starts are not hidden, nor logged as hidden', async () => {
    const web = ['a', 'b', 'c'].map((n) => gatewayNamed(`gw-${n}`, 'rg-web'));
    const data = ['x', 'y', 'z'].map((n) => gatewayNamed(`gw-${n}`, 'rg-data'));
    const w = world({
      gateways: [...web, ...data].map((ref) => ({ ref, servers: [GOOD] })),
      targets: [RG_WEB, RG_DATA],
    });
    const releaseWeb = holdListing(w.directory, RG_WEB, web);
    const limits = { reads: { burst: 9, perSecond: 9 }, writes: { burst: 2, perSecond: 2 } };
    const discovering = startFanOut(w.fanOut, { ...w.options, runId: 'run-t', requestLimits: limits });
    for (let i = 0; i < 1_000 && w.queue.enqueued.length < 3; i++)
      await new Promise((resolve) => setImmediate(resolve));
    w.clock.advance(60_000);
    releaseWeb();
    await discovering;
    const hiddenFor = w.queue.enqueued.map((e) => [
      e.message.gatewayId.split('/').at(-1),
      e.visibleAfterInMs ?? 0,
    ]);
    expect(hiddenFor).toEqual([
      ['gw-x', 0],
      ['gw-y', 0],
      ['gw-z', 1_000],
      ['gw-a', 0],
      ['gw-b', 0],
      ['gw-c', 0],
    ]);
    expect(w.logger.at('info')).toEqual([
      "run run-t: queued 6 gateways on appgw-evaluate, 1 of them hidden for up to 1 s: past their subscription's burst of ARM writes, they start as its bucket refills",
    ]);
  });

  it('a put that fails while another listing still runs fails the timer once the listings end, and queues nothing after it', async () => {
    const w = world({ targets: [RG_WEB, RG_DATA] });
    const releaseWeb = holdListing(w.directory, RG_WEB, [gwA, gwB]);
    w.queue.failure = new Error('queue gone');
    const discovering = discover(w);
    // The failed put is held (no unhandled rejection) while RG_WEB's listing goes on.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    delete w.queue.failure;
    releaseWeb();
    await expect(discovering).rejects.toThrow('queue gone');
    expect(w.queue.messages).toEqual([]);
  });

  it('hides each start past its subscription’s burst of writes until the bucket should have refilled for it', async () => {
    const OTHER = '22222222-2222-2222-2222-222222222222';
    const many = ['a', 'b', 'c', 'd', 'e'].map((n) => gatewayNamed(`gw-${n}`, 'rg-web'));
    const elsewhere = [1, 2].map((n) => ({ ...gatewayNamed(`gw-o${n}`, 'rg-web', OTHER) }));
    const w = world({
      gateways: [...many, ...elsewhere].map((ref) => ({ ref, servers: [GOOD] })),
      targets: [SUB_ID, `/subscriptions/${OTHER}`],
    });
    const limits = { reads: { burst: 9, perSecond: 9 }, writes: { burst: 2, perSecond: 2 } };
    await startFanOut(w.fanOut, { ...w.options, runId: 'run-s', requestLimits: limits });
    const hiddenFor = Object.fromEntries(
      w.queue.enqueued.map((e) => [e.message.gatewayId.split('/').at(-1) as string, e.visibleAfterInMs ?? 0]),
    );
    // Two at once per subscription, then one every 500 ms, in the queue's whole seconds.
    expect(hiddenFor).toEqual({
      'gw-a': 0,
      'gw-b': 0,
      'gw-c': 1_000,
      'gw-d': 1_000,
      'gw-e': 2_000,
      'gw-o1': 0,
      'gw-o2': 0,
    });
    expect(w.logger.at('info').join('\n')).toMatch(
      /queued 7 gateways on appgw-evaluate, 3 of them hidden for up to 2 s: past their subscription's burst of ARM writes/,
    );
  });

  it('counts each hidden group’s delay from the first put, not its own (puts that took time started later groups behind the bucket)', async () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => gatewayNamed(`gw-${n}`, 'rg-web'));
    const w = world({ gateways: many.map((ref) => ({ ref, servers: [GOOD] })), targets: [SUB_ID] });
    // Each put takes 700 ms of the timer's time (a busy instance, thousands of messages).
    const put = w.queue.enqueue.bind(w.queue);
    w.queue.enqueue = async (messages, options) => {
      await put(messages, options);
      w.clock.advance(700);
    };
    const limits = { reads: { burst: 9, perSecond: 9 }, writes: { burst: 2, perSecond: 2 } };
    await startFanOut(w.fanOut, { ...w.options, runId: 'run-p', requestLimits: limits });
    const hiddenFor = w.queue.enqueued.map((e) => e.visibleAfterInMs ?? 0);
    // Seconds 0, 1 and 2 of the spread, put at 0, 700 and 1 400 ms: hidden 300 and 600 ms.
    expect(hiddenFor).toEqual([0, 0, 300, 300, 600, 600]);
  });

  it('the spread follows the monotonic clock: a wall-clock step forward shows no group early, one back hides none longer (a break trial)', async () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => gatewayNamed(`gw-${n}`, 'rg-web'));
    const limits = { reads: { burst: 9, perSecond: 9 }, writes: { burst: 2, perSecond: 2 } };
    const hiddenWith = async (step: number, monotonic: boolean) => {
      const w = world({ gateways: many.map((ref) => ({ ref, servers: [GOOD] })), targets: [SUB_ID] });
      let mono = 0;
      const clock = monotonic
        ? { now: () => w.clock.now(), monotonicInMs: () => mono }
        : { now: () => w.clock.now() };
      const put = w.queue.enqueue.bind(w.queue);
      w.queue.enqueue = async (messages, options) => {
        await put(messages, options);
        mono += 700;
        w.clock.advance(step);
      };
      await startFanOut({ ...w.fanOut, clock }, { ...w.options, runId: 'run-j', requestLimits: limits });
      return w.queue.enqueued.map((e) => e.visibleAfterInMs ?? 0);
    };
    // Puts of 700 ms on the monotonic clock, the wall clock stepping an hour either way at each.
    expect(await hiddenWith(3_600_000, true)).toEqual([0, 0, 300, 300, 600, 600]);
    expect(await hiddenWith(-3_600_000, true)).toEqual([0, 0, 300, 300, 600, 600]);
    // A clock with no monotonic time: a step back never hides a group past its own delay.
    expect(await hiddenWith(-3_600_000, false)).toEqual([0, 0, 1000, 1000, 2000, 2000]);
  });

  it('a queue that refuses the work fails the timer: nothing delivered, no completed discovery in telemetry', async () => {
    const w = world();
    const refusal = new Error('the queue is gone');
    w.queue.failure = refusal;
    await expect(discover(w)).rejects.toBe(refusal);
    expect(w.sinks.map((s) => s.offered.length)).toEqual([0, 0]);
    expect(w.telemetry.named('appgw.run')).toEqual([]);
  });

  it("a target that fails to list is reported; the others' gateways are queued", async () => {
    const w = world({ targets: [RG_WEB, RG_DATA] });
    w.directory.answers.set(RG_WEB, new ThrottledError(RG_WEB, '429'));
    const { report } = await discover(w);
    expect(w.queue.messages).toEqual([{ ...message(gwC.id), discoveredAt: w.clock.now().toISOString() }]);
    expect(report).toMatchObject({ ok: false, queued: [gwC.id] });
    expect(report.targets.map((t) => t.error?.code ?? null)).toEqual(['Throttled', null]);
    expect(w.telemetry.named('appgw.run')[0]).toMatchObject({ ok: false, targetsFailed: 1, gateways: 1 });
  });

  it('a sink that fails: named in the report, the other sink still takes it', async () => {
    const w = world();
    w.sinks[1]!.failure = new DeliveryError('blob', 'the account answered 503', { retryable: true });
    const { report, sinks } = await discover(w);
    expect(report.deliveryErrors).toEqual([
      expect.objectContaining({ code: 'DeliveryFailed', sink: 'blob' }),
    ]);
    expect(report.deliveryErrors).toEqual(sinks.errors.map((e) => ({ ...e, document: 'report.json' })));
    expect(w.sinks[0]?.deliveries).toHaveLength(1);
    expect(w.telemetry.named('appgw.run')[0]).toMatchObject({ ok: false, sinkErrors: 1 });
  });

  it('notices waiting for a queued gateway are left to its message; the timer sends those of gateways no message visits', async () => {
    const w = world({ withNotify: true, targets: [SUB_ID] });
    const receiver = w.notify!.notifiers[0]!;
    receiver.answer = () => refused(true);
    await evaluate(w, gwA.id, 1, 'run-6');
    expect(receiver.sent).toHaveLength(1);
    delete receiver.answer;
    w.clock.advance(300_000);

    await discover(w, 'run-7');
    expect(receiver.sent).toHaveLength(1);

    // The next discovery no longer targets gw-a's resource group: no message visits it.
    w.clock.advance(300_000);
    const { report } = await startFanOut(w.fanOut, { ...w.options, targets: [], runId: 'run-8' });
    expect(receiver.sent.map((n) => n.type)).toEqual(['degraded', 'degraded']);
    expect(receiver.sent[1]?.id).toBe(receiver.sent[0]?.id);
    expect(report.notifications).toMatchObject({ undelivered: [], deliveries: [{ outcome: 'delivered' }] });
  });

  it('a gateway deleted since the last run: the timer tells its servers `recovered`', async () => {
    const w = world({ withNotify: true });
    await evaluate(w, gwA.id, 1, 'run-6');
    w.directory.gateways = w.directory.gateways.filter((g) => g.name !== 'gw-a');
    w.clock.advance(300_000);
    const { report } = await discover(w, 'run-7');
    expect(w.queue.messages.map((m) => m.gatewayId)).toEqual([gwB.id, gwC.id]);
    expect(w.notify!.notifiers[0]!.sent.map((n) => n.type)).toEqual(['degraded', 'recovered']);
    expect(report.notifications?.decided).toBe(1);
  });

  // A new-user trial (the direct run's: status/status-page.test.ts): the page kept it "(stale)".
  it('a gateway deleted since the last run: its status history says deleted', async () => {
    const w = world({ withNotify: true });
    const history = memoryStateForRuns<HistoryDocument>('memory history');
    const fanOut = { ...w.fanOut, status: { history, retentionInMs: 7 * 86_400_000, logger: w.logger } };
    await processUntilFinished(fanOut, queueOptions(w), message(gwA.id, 'run-6'));
    w.directory.gateways = w.directory.gateways.filter((g) => g.name !== 'gw-a');
    w.clock.advance(300_000);
    await startFanOut(fanOut, { ...w.options, runId: 'run-7' });
    expect(w.notify!.notifiers[0]!.sent.map((n) => n.type)).toEqual(['degraded', 'recovered']);
    const doc = (await history.forKey(gatewayKey(gwA.id)).read())?.value;
    expect(doc?.lastError).toMatchObject({ code: 'GatewayDeleted' });
  });

  // The direct run's: status/status-page.test.ts. The state unanswered at a discovery: its page shows
  // no gateway, and must not replace the one the last discovery published.
  it('a discovery whose histories cannot be listed: its page goes to the sinks only where none is published', async () => {
    const w = world();
    const history = memoryStateForRuns<HistoryDocument>('memory history');
    const schedules = memoryStateForRuns<PageSchedule>('memory schedule');
    const status = {
      history,
      schedule: schedules.forKey('status-page'),
      retentionInMs: 7 * 86_400_000,
      logger: w.logger,
    };
    history.failures.list = new Error('no answer');
    await startFanOut({ ...w.fanOut, status }, { ...w.options, runId: 'run-7' });
    for (const sink of w.sinks as MemorySink[])
      expect(sink.deliveries.map((d) => [d.scope, d.statusPage !== undefined, d.keepPublishedPage])).toEqual([
        ['run', true, true],
      ]);
  });

  // A new-user trial (the direct run's: run-checks.test.ts): the timer's report said nothing of it but its
  // `recovered`, while the status page marked it deleted.
  it('a gateway gone from the listing whose GET answers 404: the discovery report lists it in deletedUnlisted, still ok', async () => {
    const w = world({ withNotify: true });
    await evaluate(w, gwA.id, 1, 'run-6');
    w.directory.gateways = w.directory.gateways.filter((g) => g.name !== 'gw-a');
    w.clock.advance(300_000);
    const fanOut: FanOutDependencies = {
      ...w.fanOut,
      configReader: deletedGateways(),
    };
    const { report } = await startFanOut(fanOut, { ...w.options, runId: 'run-7' });
    expect(w.notify!.notifiers[0]!.sent.map((n) => n.type)).toEqual(['degraded', 'recovered']);
    expect(report.deletedUnlisted).toEqual([
      { id: gwA.id, name: 'gw-a', subscriptionId: SUB, resourceGroup: 'rg-web' },
    ]);
    expect(report.summary).toMatchObject({ gateways: 0, failedGateways: 0, deletedUnlisted: 1 });
    expect(report.ok).toBe(true);
  });

  // A new-user trial (the direct run's, end to end in notify-on-change.test.ts): a gateway named by id
  // whose backend-health call answers 404 kept its episode open for good.
  it('a queued gateway whose backend-health call answers 404, and whose GET does too: its servers are told `recovered`', async () => {
    const w = world({ withNotify: true, targets: [gwA.id] });
    await evaluate(w, gwA.id, 1, 'run-6');
    w.reader.health.set(gwA.id, new GatewayNotFoundError(gwA.id, 'ARM answered 404 ResourceNotFound'));
    w.clock.advance(300_000);
    const asked: string[] = [];
    const fanOut: FanOutDependencies = {
      ...w.fanOut,
      configReader: {
        getGatewayConfig: (gateway) => {
          asked.push(gateway.id);
          return Promise.resolve({
            ok: false,
            notFound: true,
            armCode: 'ResourceNotFound',
            detail: 'ARM answered 404 ResourceNotFound',
          });
        },
      },
    };
    const result = await processUntilFinished(fanOut, queueOptions(w), message(gwA.id, 'run-7'));
    expect(w.notify!.notifiers[0]!.sent.map((n) => `${n.type} ${n.reason ?? ''}`)).toEqual([
      'degraded ',
      'recovered the application gateway no longer exists',
    ]);
    expect(asked).toEqual([gwA.id]);
    expect(result.report.gateways[0]?.error?.code).toBe('GatewayDeleted');
  });
});

const CONTINUATION: GatewayContinuation = {
  version: 2,
  runId: 'r',
  gatewayId: gwA.id,
  operation: { location: 'https://management.azure.com/subscriptions/s/providers/x?api-version=1' },
  startedAt: '2026-11-30T03:00:00.000Z',
  polls: 1,
  invocations: 2,
  handlerActiveInMs: 12.5,
};

describe('readGatewayMessage: a queue message as the host hands it over', () => {
  it.each<[string, unknown, GatewayMessage | undefined]>([
    ['a valid message', { version: 1, runId: 'r', gatewayId: gwA.id }, message(gwA.id, 'r')],
    ['extra fields are dropped', { version: 1, runId: 'r', gatewayId: gwA.id, x: 1 }, message(gwA.id, 'r')],
    [
      'a message carrying its listed configuration keeps it',
      { version: 1, runId: 'r', gatewayId: gwA.id, configuration: { properties: { sku: {} } } },
      { ...message(gwA.id, 'r'), configuration: { properties: { sku: {} } } },
    ],
    [
      'a configuration that is no object is left behind, not the message (the GET reads it)',
      { version: 1, runId: 'r', gatewayId: gwA.id, configuration: 'x' },
      message(gwA.id, 'r'),
    ],
    [
      'a continuation carrying the configuration keeps it',
      { ...CONTINUATION, configuration: { properties: { sku: {} } } },
      { ...CONTINUATION, configuration: { properties: { sku: {} } } },
    ],
    [
      'a message dated by its discovery, read as ISO',
      { version: 1, runId: 'r', gatewayId: gwA.id, discoveredAt: 'Mon, 30 Nov 2026 03:00:00 GMT' },
      { ...message(gwA.id, 'r'), discoveredAt: '2026-11-30T03:00:00.000Z' },
    ],
    [
      'a message whose discovery is no time',
      { version: 1, runId: 'r', gatewayId: gwA.id, discoveredAt: 'today' },
      undefined,
    ],
    [
      'a message whose discovery is a number',
      { version: 1, runId: 'r', gatewayId: gwA.id, discoveredAt: 1_764_471_600_000 },
      undefined,
    ],
    [
      'a continuation dated by its discovery',
      { ...CONTINUATION, discoveredAt: '2026-11-30T02:59:58.000Z' },
      { ...CONTINUATION, discoveredAt: '2026-11-30T02:59:58.000Z' },
    ],
    ['a continuation whose discovery is no time', { ...CONTINUATION, discoveredAt: 'earlier' }, undefined],
    [
      'a continuation dated at the ends of the years 0000 to 9999',
      { ...CONTINUATION, discoveredAt: '0000-01-01T00:00:00.000Z', startedAt: '9999-12-31T23:59:59.999Z' },
      { ...CONTINUATION, discoveredAt: '0000-01-01T00:00:00.000Z', startedAt: '9999-12-31T23:59:59.999Z' },
    ],
    ['a continuation', CONTINUATION, CONTINUATION],
    [
      'a continuation: its start time read as ISO',
      { ...CONTINUATION, startedAt: 'Mon, 30 Nov 2026 03:00:00 GMT' },
      { ...CONTINUATION, startedAt: '2026-11-30T03:00:00.000Z' },
    ],
    [
      'a continuation: extra fields are dropped, in it and its operation',
      { ...CONTINUATION, x: 1, operation: { ...CONTINUATION.operation, token: 'x' } },
      CONTINUATION,
    ],
    [
      'a continuation with its count of at-once polls (a repeated Retry-After: 0 backs off from it)',
      { ...CONTINUATION, operation: { ...CONTINUATION.operation, atOnceBefore: 3 } },
      { ...CONTINUATION, operation: { ...CONTINUATION.operation, atOnceBefore: 3 } },
    ],
    [
      'a continuation whose count of at-once polls is negative',
      { ...CONTINUATION, operation: { ...CONTINUATION.operation, atOnceBefore: -1 } },
      undefined,
    ],
    [
      'a continuation whose count of at-once polls is no whole number',
      { ...CONTINUATION, operation: { ...CONTINUATION.operation, atOnceBefore: '2' } },
      undefined,
    ],
    ['a continuation without its operation', { ...CONTINUATION, operation: undefined }, undefined],
    ['a continuation whose operation is a string', { ...CONTINUATION, operation: 'https://x' }, undefined],
    [
      'a continuation whose location is no string',
      { ...CONTINUATION, operation: { location: 1 } },
      undefined,
    ],
    [
      'a continuation whose location is past 2048 characters',
      { ...CONTINUATION, operation: { location: `https://x/${'a'.repeat(2048)}` } },
      undefined,
    ],
    ['a continuation without its start', { ...CONTINUATION, startedAt: undefined }, undefined],
    ['a continuation whose start is no time', { ...CONTINUATION, startedAt: 'yesterday' }, undefined],
    ['a continuation with negative polls', { ...CONTINUATION, polls: -1 }, undefined],
    ['a continuation with fractional invocations', { ...CONTINUATION, invocations: 1.5 }, undefined],
    ['a continuation with negative active time', { ...CONTINUATION, handlerActiveInMs: -1 }, undefined],
    ['a continuation with active time as text', { ...CONTINUATION, handlerActiveInMs: '5' }, undefined],
    // Sums of these must stay finite (a trial's MAX_VALUE made the result's active time Infinity, null in JSON).
    [
      'a continuation with active time past MAX_SAFE_INTEGER',
      { ...CONTINUATION, handlerActiveInMs: Number.MAX_VALUE },
      undefined,
    ],
    [
      'deferrals with active time past MAX_SAFE_INTEGER',
      { ...message(gwA.id, 'r'), deferrals: { count: 1, handlerActiveInMs: Number.MAX_VALUE } },
      undefined,
    ],
    ['a continuation of a resource group', { ...CONTINUATION, gatewayId: RG_WEB }, undefined],
    [
      'a deferred start: its deferrals and since when, read as ISO',
      {
        ...message(gwA.id, 'r'),
        deferrals: { count: 2, handlerActiveInMs: 7.5 },
        deferredSince: 'Mon, 30 Nov 2026 03:00:00 GMT',
      },
      {
        ...message(gwA.id, 'r'),
        deferrals: { count: 2, handlerActiveInMs: 7.5 },
        deferredSince: '2026-11-30T03:00:00.000Z',
      },
    ],
    [
      'a deferred poll',
      {
        ...CONTINUATION,
        deferrals: { count: 1, handlerActiveInMs: 0 },
        deferredSince: '2026-11-30T03:00:01.000Z',
      },
      {
        ...CONTINUATION,
        deferrals: { count: 1, handlerActiveInMs: 0 },
        deferredSince: '2026-11-30T03:00:01.000Z',
      },
    ],
    [
      'deferrals: extra fields are dropped',
      { ...message(gwA.id, 'r'), deferrals: { count: 1, handlerActiveInMs: 1, x: 1 } },
      { ...message(gwA.id, 'r'), deferrals: { count: 1, handlerActiveInMs: 1 } },
    ],
    ['deferrals that are no object', { ...message(gwA.id, 'r'), deferrals: 3 }, undefined],
    ['deferrals null', { ...message(gwA.id, 'r'), deferrals: null }, undefined],
    ['deferrals without a count', { ...CONTINUATION, deferrals: { handlerActiveInMs: 1 } }, undefined],
    [
      'deferrals with a fractional count',
      { ...message(gwA.id, 'r'), deferrals: { count: 1.5, handlerActiveInMs: 1 } },
      undefined,
    ],
    [
      'deferrals with negative active time',
      { ...message(gwA.id, 'r'), deferrals: { count: 1, handlerActiveInMs: -1 } },
      undefined,
    ],
    ['deferred since no time', { ...message(gwA.id, 'r'), deferredSince: 'a while' }, undefined],
    ['deferred since a number', { ...CONTINUATION, deferredSince: 1_764_471_600_000 }, undefined],
    ['another version', { version: 3, runId: 'r', gatewayId: gwA.id }, undefined],
    ['version 2 without a continuation', { version: 2, runId: 'r', gatewayId: gwA.id }, undefined],
    ['the version as text', { version: '1', runId: 'r', gatewayId: gwA.id }, undefined],
    ['no run id', { version: 1, gatewayId: gwA.id }, undefined],
    ['a run id that is no string', { version: 1, runId: 7, gatewayId: gwA.id }, undefined],
    ['no gateway id', { version: 1, runId: 'r' }, undefined],
    ['a resource group id', { version: 1, runId: 'r', gatewayId: RG_WEB }, undefined],
    [
      'another resource type',
      { version: 1, runId: 'r', gatewayId: gwA.id.replace('applicationGateways', 'virtualNetworks') },
      undefined,
    ],
    ['null', null, undefined],
    ['a string', JSON.stringify(message(gwA.id)), undefined],
    ['an array', [1, 'r', gwA.id], undefined],
  ])('%s', (_, input, expected) => {
    expect(readGatewayMessage(input)).toEqual(expected);
  });

  // A break trial: dated where JavaScript's dates end, the poison handler threw "Invalid time value" on
  // every try (a retention subtracted left the range), and the gateway was never recorded.
  it.each([
    ['discoveredAt', '-271821-04-20T00:00:00.000Z'],
    ['discoveredAt', '+275760-09-13T00:00:00.000Z'],
    ['discoveredAt', '-000001-12-31T23:59:59.999Z'],
    ['startedAt', '+275760-09-13T00:00:00.000Z'],
    ['deferredSince', '-271821-04-20T00:00:00.000Z'],
  ])('a continuation whose %s is outside the years 0000 to 9999 (%s): malformed', (field, at) => {
    expect(readGatewayMessage({ ...CONTINUATION, [field]: at })).toBeUndefined();
  });
});

describe('processQueuedGateway: the queue function, one gateway', () => {
  it("evaluates the gateway and delivers its result as its run's `gateway` report", async () => {
    const w = world();
    const result = await evaluate(w, gwA.id);
    expect(result.retryable).toBe(false);
    expect(result.report).toMatchObject({
      runId: 'run-7',
      mode: 'gateway',
      ok: true,
      targets: [],
      gateways: [{ id: gwA.id, ok: true, servers: 2, findings: [{ address: '10.0.0.4' }] }],
      deliveryErrors: [],
    });
    expect(w.reader.calls.map((c) => c.gateway)).toEqual([gwA]);
    for (const sink of w.sinks) {
      expect(sink.deliveries).toEqual([
        { scope: 'gateway', report: result.report, insights: result.processed.insights },
      ]);
    }
    expect(result.processed.insights).toHaveLength(1);
    expect(w.telemetry.records.map((r) => r.name)).toEqual(['appgw.gateway', 'appgw.server']);
    expect(w.telemetry.named('appgw.gateway')[0]).toMatchObject({
      step: 'evaluate',
      mode: 'fan-out',
      attempt: 1,
      retrying: false,
      ok: true,
    });
  });

  it('a message for a gateway no target holds (the targets narrowed while it waited): dropped, nothing asked of ARM, read or written (a break trial)', async () => {
    const w = world({ targets: [RG_DATA] });
    const result = await processQueuedGateway(w.fanOut, queueOptions(w), message(gwA.id));
    expect(result).toEqual({ kind: 'notWatched', error: expect.objectContaining({ code: 'NotWatched' }) });
    expect(w.reader.calls).toEqual([]);
    expect(w.queue.enqueued).toEqual([]);
    expect(w.sinks.map((s) => s.deliveries.length)).toEqual([0, 0]);
    expect(w.telemetry.records).toEqual([]);
    expect(w.logger.at('warn')).toEqual([
      `${gwA.id} is not among the gateways this app watches (APPGW_TARGETS): add it there, or check the gateway id. Its queue message (run run-7) is dropped: nothing was asked of ARM, nothing read or written.`,
    ]);
    // A continuation of an operation started before the targets changed: the same.
    const continuation = await processQueuedGateway(w.fanOut, queueOptions(w), {
      version: 2,
      runId: 'run-7',
      gatewayId: gwA.id,
      operation: { location: 'https://arm.test/operation/1' },
      startedAt: w.clock.now().toISOString(),
      polls: 0,
      invocations: 1,
      handlerActiveInMs: 0,
    });
    expect(continuation.kind).toBe('notWatched');
    expect(w.reader.calls).toEqual([]);
    // Its own gateway still goes.
    expect((await evaluate(w, gwC.id)).report.gateways).toEqual([expect.objectContaining({ ok: true })]);
  });

  it('a message for a gateway whose name discovery.names leaves out (set while it waited): dropped the same way (a break trial)', async () => {
    const w = world();
    const options = { ...queueOptions(w), discoveryNames: ['GW-C*'] };
    const result = await processQueuedGateway(w.fanOut, options, message(gwA.id));
    expect(result.kind).toBe('notWatched');
    expect(w.reader.calls).toEqual([]);
    expect(w.logger.at('warn')).toEqual([
      expect.stringContaining(
        `${gwA.id} is not among the gateways this app watches (APPGW_DISCOVERY_NAMES, which its name matches none of)`,
      ),
    ]);
    // A name it matches (in any case, as the listing's) goes.
    expect((await processUntilFinished(w.fanOut, options, message(gwC.id))).report.gateways).toEqual([
      expect.objectContaining({ id: gwC.id, ok: true }),
    ]);
  });

  it('a gateway a management group target may hold is evaluated: which subscriptions a group holds, only a listing tells', async () => {
    const w = world({ targets: ['/providers/Microsoft.Management/managementGroups/mg-prod'] });
    const result = await evaluate(w, gwA.id);
    expect(result.report.gateways).toEqual([expect.objectContaining({ id: gwA.id, ok: true })]);
  });

  const failures: Array<[string, Answer<BackendHealthBody>, string, boolean]> = [
    ['throttled', new ThrottledError(gwA.id, '429'), 'Throttled', true],
    [
      'failing in ARM',
      new BackendHealthUnavailableError(gwA.id, 'ARM answered 500'),
      'BackendHealthUnavailable',
      true,
    ],
    ['not answering', UNTIL_ABORTED, 'BackendHealthUnavailable', true],
    ['a bug', new TypeError('oops'), 'Unexpected', true],
    ['gone (404)', new GatewayNotFoundError(gwA.id, '404'), 'ResourceNotFound', false],
    [
      'forbidden',
      new MissingPermissionError(gwA.id, 'Microsoft.Network/applicationGateways/backendhealth/action', '403'),
      'AuthorizationFailed',
      false,
    ],
  ];
  it.each(failures)(
    'a gateway %s: reported and delivered; handed back to the host for another try only if that can help',
    async (_, answer, code, retryable) => {
      const w = world({ options: { gatewayTimeoutInMs: 25 } });
      w.reader.health.set(gwA.id, answer);
      const result = await evaluate(w, gwA.id, 3);
      expect(result.retryable).toBe(retryable);
      expect(result.report).toMatchObject({
        ok: false,
        gateways: [{ ok: false, error: { code, retryable } }],
      });
      expect(w.sinks.map((s) => s.deliveries.length)).toEqual([1, 1]);
      expect(w.telemetry.named('appgw.gateway')[0]).toMatchObject({
        step: 'evaluate',
        attempt: 3,
        retrying: retryable,
        errorCode: code,
      });
      // The invocation's log says it, naming the gateway once, as the direct run's stderr does (it
      // said nothing: telemetry only).
      const said = result.report.gateways[0]?.error?.message ?? '';
      expect(w.logger.at('warn')).toEqual([said.includes(gwA.id) ? said : `${gwA.id}: ${said}`]);
    },
  );

  // A break trial: a poll answered with a body that is not backend health was polled 5 times by the
  // host (each time the same answer), then poisoned.
  it('an answer that is not backend health: reported, not handed back to the host (the same step would get it again)', async () => {
    const w = world();
    w.reader.health.set(
      gwA.id,
      new BackendHealthUnavailableError(gwA.id, 'ARM answered 200 with {}', { unreadableAnswer: true }),
    );
    const result = await evaluate(w, gwA.id, 2);
    expect(result.retryable).toBe(false);
    // The error itself stays retryable: the next scheduled run tries again.
    expect(result.report.gateways[0]).toMatchObject({
      ok: false,
      error: { code: 'BackendHealthUnavailable', retryable: true },
    });
    expect(w.telemetry.named('appgw.gateway')[0]).toMatchObject({ attempt: 2, retrying: false });
    expect(w.logger.at('warn')).toContainEqual(
      `${gwA.id}: not tried again this run: ARM's answer is not a backend-health read, and the same start would get the same answer; the next run tries again`,
    );
  });

  it('a reading short of a routed pool: the invocation logs it as the direct run does', async () => {
    const w = world({ gateways: [{ ref: gwA, servers: [GOOD] }] });
    w.reader.health.set(gwA.id, { backendAddressPools: [] } as BackendHealthBody);
    const result = await processUntilFinished(
      { ...w.fanOut, configReader: routesPoolZ() },
      queueOptions(w),
      message(gwA.id),
    );
    expect(result.report.gateways[0]?.poolsNotRead).toEqual(['pool-z']);
    expect(w.logger.at('warn')).toContainEqual(
      `${gwA.id}: reading incomplete: ARM's backend health did not list 1 backend pool (pool-z), or listed no server of it: its servers were not read this run`,
    );
  });

  // A break trial: a sink failure that cannot pass (the container deleted, a permission) was handed back
  // to the host 5 times, each try sending the gateway's POST to ARM again.
  it.each([
    ['that may pass (503): the host tries again (the result must reach every sink)', true],
    ['that cannot pass (a read-only file system): reported and logged, not handed back', false],
  ])('a sink failure %s; the other sink has it', async (_, passing) => {
    const w = world();
    w.sinks[0]!.failure = new DeliveryError('folder', passing ? 'HTTP 503' : 'read-only file system', {
      retryable: passing,
    });
    const result = await evaluate(w, gwB.id, 2);
    // The gateway was evaluated, but the invocation is not ok: a sink did not take it.
    expect(result.report.gateways[0]?.ok).toBe(true);
    expect(result.report.ok).toBe(false);
    expect(result.retryable).toBe(passing);
    expect(result.report.deliveryErrors).toEqual([expect.objectContaining({ sink: 'folder' })]);
    expect(w.sinks[1]?.deliveries).toHaveLength(1);
    expect(w.telemetry.named('appgw.gateway')[0]).toMatchObject({
      retrying: passing,
      sinkErrors: 1,
      attempt: 2,
    });
  });

  it('a notify state that fails is reported, but not handed back to the host (the gateway was evaluated)', async () => {
    const w = world({ withNotify: true });
    w.notify!.stores.failures.read.set(
      gatewayKey(gwA.id),
      new StateUnavailableError('memory state gw-a', 'down', 'Check it.', { retryable: true }),
    );
    const result = await evaluate(w, gwA.id);
    expect(result.retryable).toBe(false);
    expect(result.report.ok).toBe(false);
    expect(result.report.notifications?.stateErrors).toEqual([
      expect.objectContaining({ code: 'StateUnavailable', retryable: true }),
    ]);
    expect(w.telemetry.named('appgw.gateway')[0]).toMatchObject({ retrying: false, stateErrors: 1 });
  });

  it('notifies on change for its gateway, and logs what it left waiting', async () => {
    const w = world({ withNotify: true });
    const receiver = w.notify!.notifiers[0]!;
    receiver.answer = () => refused(true);
    const result = await evaluate(w, gwA.id);
    expect(receiver.sent.map((n) => n.type)).toEqual(['degraded']);
    expect(result.report.notifications?.undelivered).toHaveLength(1);
    expect(w.logger.at('warn')).toEqual([expect.stringMatching(/^webhook\[ops\]: 1 notice waiting/)]);
    expect(w.telemetry.named('appgw.notify')[0]).toMatchObject({ gatewayId: gwA.id, failed: 1, pending: 1 });
  });

  // The run's breaker (receiver-breaker.ts): shared by the run's invocations on one instance, never by
  // another run's.
  it.each([
    ['a message of the same run holds its notices back', 'run-7', 'not-tried', 1],
    ["the next run's message tries the receiver again", 'run-8', 'delivered', 2],
  ] as const)('a receiver that failed for one message: %s', async (_, nextRun, outcome, sends) => {
    const w = world({ withNotify: true });
    w.reader.health.set(gwC.id, healthOf(gwC, [BAD]));
    const receiver = w.notify!.notifiers[0]!;
    receiver.answer = () => refused(true);
    await evaluate(w, gwA.id, 1, 'run-7');
    delete receiver.answer;
    const next = await evaluate(w, gwC.id, 1, nextRun);
    expect(next.report.notifications?.deliveries).toEqual([expect.objectContaining({ outcome })]);
    expect(receiver.sent).toHaveLength(sends);
  });

  it("a receiver that failed in the run's discovery is not tried again by the run's messages", async () => {
    const w = world({ withNotify: true });
    const receiver = w.notify!.notifiers[0]!;
    await evaluate(w, gwA.id, 1, 'run-6');
    // gw-a is deleted: the discovery of run-7 tells `recovered`, and the receiver refuses it.
    w.directory.gateways = w.directory.gateways.filter((g) => g.name !== 'gw-a');
    w.reader.health.set(gwC.id, healthOf(gwC, [BAD]));
    receiver.answer = () => refused(true);
    w.clock.advance(300_000);
    await discover(w, 'run-7');
    delete receiver.answer;
    const next = await evaluate(w, gwC.id, 1, 'run-7');
    expect(next.report.notifications?.deliveries).toEqual([
      expect.objectContaining({ outcome: 'not-tried' }),
    ]);
    expect(receiver.sent.map((n) => n.type)).toEqual(['degraded', 'recovered']);
  });

  it('takes only messages readGatewayMessage accepted', async () => {
    const w = world();
    await expect(processQueuedGateway(w.fanOut, queueOptions(w), message(RG_WEB))).rejects.toThrow(
      /unreachable/,
    );
  });
});

describe('processQueuedGateway: the reading it adds to the gateway’s history', () => {
  it.each([
    ['its discovery', -60_000, 'discovery'],
    // Another instance's clock, or a tampered message: a reading is never dated after its own try.
    ['never after its try: a discovery dated in the future', 8e12, 'now'],
  ])('is dated by %s', async (_, offsetInMs, expected) => {
    const w = world();
    const discoveredAt = new Date(w.clock.now().getTime() + offsetInMs).toISOString();
    const history = memoryStateForRuns<HistoryDocument>('memory history');
    const status = { history, retentionInMs: 7 * 86_400_000, logger: w.logger };
    const deps = { ...w.fanOut, status };
    await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id), discoveredAt });
    const doc = (await history.forKey(gatewayKey(gwA.id)).read())?.value;
    expect(doc?.readings).toEqual([expected === 'now' ? w.clock.now().toISOString() : discoveredAt]);
  });
});

// A break trial (the direct run's: status/status-page.test.ts): after a refused delivery, the page
// linked to copies the sink never wrote, and said nothing of it.
describe('processQueuedGateway: insights a sink did not take', () => {
  it('marks the reading in its history, so the page says so, until a try delivers it', async () => {
    const w = world();
    const history = memoryStateForRuns<HistoryDocument>('memory history');
    const schedules = memoryStateForRuns<PageSchedule>('memory schedule');
    const [folder, blob] = w.sinks as [MemorySink, MemorySink];
    const { sink: refusing, refusal } = refusingSink(folder, gwA.id);
    const deps = {
      ...w.fanOut,
      sinks: [refusing, blob],
      status: {
        history,
        schedule: schedules.forKey('status-page'),
        retentionInMs: 7 * 86_400_000,
        logger: w.logger,
      },
    };
    const discoveredAt = w.clock.now().toISOString();
    const first = await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id), discoveredAt });
    expect(first.report.deliveryErrors).toEqual([expect.objectContaining({ sink: 'folder' })]);
    const doc = (await history.forKey(gatewayKey(gwA.id)).read())?.value;
    expect(doc?.undelivered).toEqual({
      at: discoveredAt,
      sinks: [{ sink: 'folder', message: expect.stringContaining('runbook.md') }],
    });
    const page = blob.deliveries.find((d) => d.scope === 'page')?.statusPage ?? '';
    expect(page).toContain('1 gateway not delivered</title>');
    expect(page).toContain('⚠ Not delivered:</strong> this reading');

    // Another try of the same message records the reading again before it delivers: the mark stays
    // (a try that dies there left it wiped: a break trial)…
    await recordHistory(deps.status, gwA, first.processed, new Date(discoveredAt), {
      writtenAt: w.clock.now(),
    });
    expect((await history.forKey(gatewayKey(gwA.id)).read())?.value.undelivered).toEqual(doc?.undelivered);
    // …and once that try delivers everywhere, it goes.
    refusal.on = false;
    await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id), discoveredAt });
    expect((await history.forKey(gatewayKey(gwA.id)).read())?.value.undelivered).toBeUndefined();

    // Refused again; the next run's try records its reading, then dies before it delivers (a second
    // trial: the gateway went unmarked, its folder still refusing): the mark carries over to it…
    refusal.on = true;
    await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id), discoveredAt });
    w.clock.advance(10 * 60_000);
    const run8 = w.clock.now().toISOString();
    await recordHistory(deps.status, gwA, first.processed, new Date(run8));
    expect((await history.forKey(gatewayKey(gwA.id)).read())?.value.undelivered).toEqual({
      at: run8,
      sinks: [{ sink: 'folder', message: expect.stringContaining('runbook.md') }],
    });
    // …and a page made now still says it.
    const other = await processUntilFinished(deps, queueOptions(w), {
      ...message(gwB.id, 'run-8'),
      discoveredAt: run8,
    });
    expect(other.report.deliveryErrors).toEqual([]);
    const later = blob.deliveries.filter((d) => d.scope === 'page').at(-1)?.statusPage ?? '';
    expect(later).toContain('1 gateway not delivered</title>');
    // Its next try delivers everywhere: no mark.
    refusal.on = false;
    await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id, 'run-8'), discoveredAt: run8 });
    expect((await history.forKey(gatewayKey(gwA.id)).read())?.value.undelivered).toBeUndefined();
  });
});

describe('processQueuedGateway: the undelivered mark against retries and a broken history (a third trial)', () => {
  /** gw-a's folder refusing its gateway deliveries; blob answering as `blob.failure` says. */
  function refusingWorld() {
    const w = world();
    const history = memoryStateForRuns<HistoryDocument>('memory history');
    const schedules = memoryStateForRuns<PageSchedule>('memory schedule');
    const [folder, blob] = w.sinks as [MemorySink, MemorySink];
    const { sink: refusing } = refusingSink(folder, gwA.id, { readOnly: true });
    const status = {
      history,
      schedule: schedules.forKey('status-page'),
      retentionInMs: 7 * 86_400_000,
      logger: w.logger,
    };
    const deps = { ...w.fanOut, sinks: [refusing, blob], status };
    const mark = async () => (await history.forKey(gatewayKey(gwA.id)).read())?.value.undelivered;
    const lastPage = () => blob.deliveries.filter((d) => d.scope === 'page').at(-1)?.statusPage ?? '';
    return { w, history, blob, deps, mark, lastPage };
  }

  it('a retry whose read fails leaves the mark as the try that read it left it (its delivery carried no insight)', async () => {
    const { w, blob, deps, mark } = refusingWorld();
    const discoveredAt = w.clock.now().toISOString();
    blob.failure = new DeliveryError('blob', 'the account answered 503', { retryable: true });
    const first = await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id), discoveredAt });
    expect(first.retryable).toBe(true);
    expect((await mark())?.sinks.map((u) => u.sink)).toEqual(['folder', 'blob']);
    // The blob is back; ARM throttles the retry: its delivery is the gateway's failed result alone.
    delete blob.failure;
    w.reader.health.set(gwA.id, new ThrottledError(gwA.id, 'ARM answered 429'));
    await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id), discoveredAt }, { attempt: 2 });
    expect((await mark())?.sinks.map((u) => u.sink)).toEqual(['folder', 'blob']);
    // And with the blob failing that retry's delivery: the folder is not dropped from the mark.
    blob.failure = new DeliveryError('blob', 'the account answered 503', { retryable: true });
    await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id), discoveredAt }, { attempt: 3 });
    expect((await mark())?.sinks.map((u) => u.sink)).toEqual(['folder', 'blob']);
  });

  it('every try read the gateway and stopped before its delivery: the poison queue marks its delivery not known', async () => {
    const { w, blob, deps, mark, lastPage } = refusingWorld();
    // A clean reading before, so nothing carries over: the second trial's gap.
    const healthy = [...deps.sinks];
    const clean = { ...deps, sinks: [blob] };
    const before = w.clock.now().toISOString();
    const first = await processUntilFinished(clean, queueOptions(w), {
      ...message(gwA.id, 'run-6'),
      discoveredAt: before,
    });
    expect(await mark()).toBeUndefined();
    w.clock.advance(10 * 60_000);
    const discoveredAt = w.clock.now().toISOString();
    // Each try records its reading, then dies (a time-out, a scale-in) before its delivery.
    await recordHistory(deps.status, gwA, first.processed, new Date(discoveredAt));
    expect(await mark()).toBeUndefined();
    await recordPoisonedGateway({ ...deps, sinks: healthy }, { ...message(gwA.id), discoveredAt });
    expect(await mark()).toEqual({
      at: discoveredAt,
      sinks: [
        { sink: '(delivery not known)', message: expect.stringContaining('every try of its queue message') },
      ],
    });
    expect(lastPage()).toContain(
      "⚠ Not delivered:</strong> this reading's delivery is not known: every try of its queue message stopped before it was done: there, this gateway's insight pages may be missing",
    );
    // Poisoned again (the host's retry of the poison message): said once, not twice.
    await recordPoisonedGateway({ ...deps, sinks: healthy }, { ...message(gwA.id), discoveredAt });
    expect((await mark())?.sinks).toHaveLength(1);
  });

  it('a poisoned message whose tries never read the gateway marks nothing', async () => {
    const { w, deps, mark } = refusingWorld();
    await recordPoisonedGateway(deps, { ...message(gwA.id), discoveredAt: w.clock.now().toISOString() });
    expect(await mark()).toBeUndefined();
  });

  it('a history that cannot be read: the page the try makes still says the gateway was not delivered', async () => {
    const { w, history, deps, lastPage } = refusingWorld();
    history.documents.set(gatewayKey(gwA.id), {
      text: JSON.stringify({ version: 1, junk: true }),
      etag: '"x"',
    });
    const done = await processUntilFinished(deps, queueOptions(w), {
      ...message(gwA.id),
      discoveredAt: w.clock.now().toISOString(),
    });
    expect(done.report.deliveryErrors.map((e) => e.sink)).toEqual(['status page', 'folder']);
    expect(lastPage()).toContain('1 gateway not delivered</title>');
    expect(lastPage()).toContain('⚠ Not delivered:</strong>');
    expect(lastPage()).toContain('⚠ History missing');
  });
});

// A break trial: run-old's late result replaced run-new's current insights. Notify (when on) says a
// reading is older; without it, the gateway's history does.
describe('processQueuedGateway: a reading older than one already taken', () => {
  it('without notify, its history tells it: delivered with olderReading (its current view left alone); a newer one is not', async () => {
    const w = world();
    const history = memoryStateForRuns<HistoryDocument>('memory history');
    const deps = { ...w.fanOut, status: { history, retentionInMs: 7 * 86_400_000, logger: w.logger } };
    const at = (minutesAgo: number) => new Date(w.clock.now().getTime() - minutesAgo * 60_000).toISOString();
    await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id, 'run-new'), discoveredAt: at(1) });
    await processUntilFinished(deps, queueOptions(w), { ...message(gwA.id, 'run-old'), discoveredAt: at(5) });
    await processUntilFinished(deps, queueOptions(w), {
      ...message(gwA.id, 'run-newer'),
      discoveredAt: at(0),
    });
    expect(w.sinks[0]?.deliveries.map((d) => [d.report.runId, d.olderReading ?? false])).toEqual([
      ['run-new', false],
      ['run-old', true],
      ['run-newer', false],
    ]);
    // Said in the log and in telemetry, as notify's olderReadings are.
    expect(w.logger.at('warn')).toContain(
      `reading of ${gwA.id} from ${at(5)} is older than the one its status history has from ${at(1)}: its result is under its run (run-old); the current insights stay the newer reading's`,
    );
    expect(w.telemetry.named('appgw.gateway').map((r) => r['olderReading'])).toEqual([false, true, false]);
  });
});

describe('processQueuedGateway: a step its subscription’s quota has no place for goes back on the queue', () => {
  /** The memory reader, its first `times` steps deferred (`throttled`: ARM answered 429). */
  function deferring(w: FanOutWorld, times: number, deferred: DeferredStep) {
    let left = times;
    const steps: StepOptions[] = [];
    const reader: SteppedBackendHealthReader = {
      ...w.reader,
      async startBackendHealth(gateway, options = {}) {
        steps.push(options);
        if (left-- > 0) return { deferred };
        return w.reader.startBackendHealth(gateway, options);
      },
      async pollBackendHealth(gateway, operation, options = {}) {
        steps.push(options);
        if (left-- > 0) return { deferred };
        return w.reader.pollBackendHealth(gateway, operation, options);
      },
    };
    return { deps: { ...w.fanOut, reader }, steps };
  }
  const PACED: DeferredStep = { retryAfterInMs: 1_500, reason: 'paced' };
  const THROTTLED: DeferredStep = { retryAfterInMs: 4_000, reason: 'throttled' };

  // A break trial: ARM answering 500 and 429 in turn kept one gateway going round for ever: each
  // put-back is a new message, its dequeueCount at 1 again, and a host's retry starts a new deferral
  // streak, so neither maxDequeueCount nor gatewayTimeoutInMs bounded it.
  it('a try that failed before its step was put back is counted on in the message put back', async () => {
    const w = world();
    const { deps } = deferring(w, 1, THROTTLED);
    const put = await processQueuedGateway(
      deps,
      queueOptions(w),
      { ...message(gwA.id), deferrals: { count: 1, handlerActiveInMs: 0, failedTries: 2 } },
      { attempt: 3 },
    );
    if (put.kind !== 'deferred') throw new Error(`expected it deferred, not ${put.kind}`);
    expect(put.message.deferrals).toMatchObject({ count: 2, failedTries: 4 });
  });

  it.each<[string, number | undefined, number, boolean]>([
    ['4 failed tries before, counted on through put-backs: its fifth failure finishes it', 3, 2, false],
    ['3 failed tries before: tried again', 2, 2, true],
    ['never put back: left to the host (its poison queue on its fifth try)', undefined, 5, true],
  ])('%s', async (_, carried, attempt, retryable) => {
    const w = world();
    w.reader.health.set(gwA.id, new BackendHealthUnavailableError(gwA.id, 'ARM answered 500'));
    const result = await processUntilFinished(
      w.fanOut,
      queueOptions(w),
      {
        ...message(gwA.id),
        ...(carried !== undefined
          ? { deferrals: { count: 3, handlerActiveInMs: 0, failedTries: carried } }
          : {}),
      },
      { attempt },
    );
    expect(result.retryable).toBe(retryable);
    expect(result.report.gateways[0]?.error).toMatchObject({ code: 'BackendHealthUnavailable' });
    if (!retryable)
      expect(w.logger.at('warn')).toContainEqual(
        expect.stringMatching(
          /: 5 tries of its queue messages failed \(put back ones counted\); not tried again this run: /,
        ),
      );
  });

  it('the same message, hidden for its turn, its deferral counted and dated; nothing evaluated or delivered', async () => {
    const w = world();
    const { deps, steps } = deferring(w, 2, THROTTLED);
    const first = await processQueuedGateway(deps, queueOptions(w), message(gwA.id));
    expect(steps).toEqual([expect.objectContaining({ deferWaits: true, putBackBefore: false })]);
    expect(first).toEqual({
      kind: 'deferred',
      reason: 'throttled',
      visibleAfterInMs: 4_000,
      message: {
        ...message(gwA.id),
        deferrals: { count: 1, handlerActiveInMs: 0 },
        deferredSince: w.clock.now().toISOString(),
      },
    });
    expect(w.queue.enqueued).toEqual([
      { message: (first as { message: GatewayMessage }).message, visibleAfterInMs: 4_000 },
    ]);
    expect(w.sinks.map((s) => s.deliveries.length)).toEqual([0, 0]);
    expect(w.telemetry.records).toEqual([]);
    expect(w.logger.at('info').join('\n')).toMatch(
      /ARM answered 429 to its start; queued again on appgw-evaluate in 4000 ms \(deferral 1\)/,
    );

    // Its second deferral keeps the first one's time; the third try starts and finishes.
    const since = w.clock.now().toISOString();
    w.clock.advance(4_000);
    const second = await processQueuedGateway(
      deps,
      queueOptions(w),
      (first as { message: GatewayMessage }).message,
    );
    expect(second).toMatchObject({
      kind: 'deferred',
      message: { deferrals: { count: 2 }, deferredSince: since },
    });
    // Put back before, it waits its moment in line (fresh steps took its every place: a break trial).
    expect(steps[1]).toMatchObject({ deferWaits: true, putBackBefore: true });
    w.clock.advance(4_000);
    const done = await processUntilFinished(
      deps,
      queueOptions(w),
      (second as { message: GatewayMessage }).message,
    );
    expect(done.retryable).toBe(false);
    expect(done.report.gateways[0]).toMatchObject({
      ok: true,
      fanOut: { invocations: 3, polls: 0, deferrals: 2 },
    });
    expect(w.sinks.map((s) => s.deliveries.length)).toEqual([1, 1]);
  });

  it('a deferred poll keeps its operation, polls and start; its deferrals travel on to the next poll', async () => {
    const w = world();
    const { deps } = deferring(w, 1, PACED);
    const poll: GatewayContinuation = {
      ...CONTINUATION,
      runId: 'run-7',
      startedAt: w.clock.now().toISOString(),
    };
    const result = await processQueuedGateway(deps, queueOptions(w), poll);
    expect(result).toEqual({
      kind: 'deferred',
      reason: 'paced',
      visibleAfterInMs: 1_500,
      message: {
        ...poll,
        deferrals: { count: 1, handlerActiveInMs: 0 },
        deferredSince: w.clock.now().toISOString(),
      },
    });
    expect(w.logger.at('info').join('\n')).toMatch(
      /its subscription's ARM quota has no place yet for its poll 2/,
    );
    const done = await processUntilFinished(
      deps,
      queueOptions(w),
      (result as { message: GatewayMessage }).message,
    );
    expect(done.report.gateways[0]?.fanOut).toEqual({
      invocations: 4, // the start, the first poll, the deferral, this poll
      polls: 2,
      handlerActiveInMs: 12.5,
      deferrals: 1,
    });
  });

  it('never hidden past the bound (gatewayTimeoutInMs from the first deferral), nor past a poll’s time-out', async () => {
    const w = world({ options: { gatewayTimeoutInMs: 10_000 } });
    const { deps } = deferring(w, 5, THROTTLED);
    const since = new Date(w.clock.now().getTime() - 7_000).toISOString();
    const late = { ...message(gwA.id), deferrals: { count: 3, handlerActiveInMs: 3 }, deferredSince: since };
    expect(await processQueuedGateway(deps, queueOptions(w), late)).toMatchObject({
      kind: 'deferred',
      visibleAfterInMs: 3_000,
    });
    // A poll whose operation started 8 s ago: 2 s are left of its time-out.
    const poll: GatewayContinuation = {
      ...CONTINUATION,
      runId: 'run-7',
      startedAt: new Date(w.clock.now().getTime() - 8_000).toISOString(),
    };
    expect(await processQueuedGateway(deps, queueOptions(w), poll)).toMatchObject({
      kind: 'deferred',
      visibleAfterInMs: 2_000,
    });
  });

  it('past the bound: reported as throttled, with what to do, and not handed back to the host', async () => {
    const w = world({ options: { gatewayTimeoutInMs: 10_000 } });
    const { deps } = deferring(w, 1, THROTTLED);
    const since = new Date(w.clock.now().getTime() - 10_000).toISOString();
    const late = { ...message(gwA.id), deferrals: { count: 6, handlerActiveInMs: 30 }, deferredSince: since };
    const result = await processQueuedGateway(deps, queueOptions(w), late, { attempt: 1 });
    if (result.kind !== 'finished') throw new Error(`expected it finished, not ${result.kind}`);
    expect(result.retryable).toBe(false);
    expect(w.queue.enqueued).toEqual([]);
    expect(result.report.gateways[0]).toMatchObject({
      ok: false,
      error: {
        code: 'Throttled',
        message: expect.stringMatching(
          /its start waited 10 s for a place in its subscription's ARM quota, past gatewayTimeoutInMs \(10 s\), put back on the queue 6 times; the last try was answered 429\)\. .*check less often \(APPGW_SCHEDULE\)/,
        ),
      },
      fanOut: { invocations: 7, deferrals: 6, handlerActiveInMs: 30 },
    });
    expect(w.sinks.map((s) => s.deliveries.length)).toEqual([1, 1]);
    expect(w.telemetry.named('appgw.gateway')[0]).toMatchObject({ retrying: false, errorCode: 'Throttled' });
  });

  it('a first deferral or a start dated in the future counts from now: the bounds still hold (break trial: deferred without end)', async () => {
    const w = world({ options: { gatewayTimeoutInMs: 10_000 } });
    const { deps } = deferring(w, 1_000, THROTTLED);
    const future = '9999-01-01T00:00:00.000Z';
    let next: GatewayMessage = { ...message(gwA.id), deferredSince: future };
    let invocations = 0;
    for (;;) {
      const result = await processQueuedGateway(deps, queueOptions(w), next);
      invocations += 1;
      if (result.kind !== 'deferred') {
        expect(result).toMatchObject({ kind: 'finished', retryable: false });
        break;
      }
      expect(result.message.deferredSince).not.toBe(future);
      w.clock.advance(result.visibleAfterInMs);
      next = result.message;
    }
    // 10 s of 4 s turns: the third comes back at the bound (hidden only up to it), the fourth fails.
    expect(invocations).toBeLessThanOrEqual(5);

    // A poll whose operation "started" in the future: its time-out counts from this invocation.
    const poll: GatewayContinuation = { ...CONTINUATION, runId: 'run-7', startedAt: future };
    const polled = await processQueuedGateway(deps, queueOptions(w), poll);
    expect(polled).toMatchObject({
      kind: 'deferred',
      visibleAfterInMs: 4_000,
      message: { startedAt: w.clock.now().toISOString() },
    });
  });

  it('a deferral count at its largest stays a message the queue function reads', async () => {
    const w = world();
    const { deps } = deferring(w, 1, PACED);
    const most = { count: Number.MAX_SAFE_INTEGER, handlerActiveInMs: 0 };
    const result = await processQueuedGateway(deps, queueOptions(w), { ...message(gwA.id), deferrals: most });
    if (result.kind !== 'deferred') throw new Error(`expected it deferred, not ${result.kind}`);
    expect(readGatewayMessage(JSON.parse(JSON.stringify(result.message)))).toEqual(result.message);
  });

  it('past the bound with nothing sent: the instance’s estimate, not ARM, is named', async () => {
    const w = world({ options: { gatewayTimeoutInMs: 10_000 } });
    const { deps } = deferring(w, 1, PACED);
    const since = new Date(w.clock.now().getTime() - 10_000).toISOString();
    const result = await processQueuedGateway(deps, queueOptions(w), {
      ...message(gwA.id),
      deferrals: { count: 2, handlerActiveInMs: 1 },
      deferredSince: since,
    });
    if (result.kind !== 'finished') throw new Error(`expected it finished, not ${result.kind}`);
    expect(result.report.gateways[0]?.error?.message).toMatch(
      /^The subscription's Azure Resource Manager quota had no place for .*gw-a \(its start waited 10 s .*not sent: this instance's estimate of the quota had no place for it\)/,
    );
  });

  it('a host’s retry of a message deferred before (its try was sent and failed) starts a new streak, not the old bound (trial: a 5xx made Throttled at once)', async () => {
    const w = world({ options: { gatewayTimeoutInMs: 10_000 } });
    const { deps } = deferring(w, 1, PACED);
    const since = new Date(w.clock.now().getTime() - 9_500).toISOString();
    const retried = {
      ...message(gwA.id),
      deferrals: { count: 1, handlerActiveInMs: 1 },
      deferredSince: since,
    };
    const result = await processQueuedGateway(deps, queueOptions(w), retried, { attempt: 2 });
    expect(result).toMatchObject({
      kind: 'deferred',
      visibleAfterInMs: 1_500,
      message: { deferrals: { count: 2 }, deferredSince: w.clock.now().toISOString() },
    });
  });

  // A poll put back for the quota at the end of its operation's time-out: Throttled when the hold was
  // at least half the time-out (the time ran out on this side), else the operation's time-out saying
  // the hold (a trial: 18 of 20 s with ARM, then 2 s put back, was called throttled).
  it.each([
    [
      'put back for 15 of 20 s',
      { heldInMs: 15_000 },
      1,
      'Throttled',
      /^The subscription's Azure Resource Manager quota had no place for .*gw-a \(its poll 3 waited 15 s of gatewayTimeoutInMs \(20 s\) for a place in its subscription's ARM quota \(its steps put back on the queue 4 times in all\), until the time-out had passed; ARM did not say whether the operation had finished\)\. .*APPGW_SCHEDULE/,
    ],
    ['put back for exactly half', { heldInMs: 10_000 }, 1, 'Throttled', /waited 10 s of gatewayTimeoutInMs/],
    [
      'put back for 2 of 20 s',
      { heldInMs: 2_000 },
      1,
      'BackendHealthUnavailable',
      /no answer within 20000 ms \(gatewayTimeoutInMs\); its poll 3 was then held back 2000 ms for a place in its subscription's ARM quota \(its steps put back on the queue 4 times in all\)/,
    ],
    // Dated before the operation's start (a day old): the hold counts from the start, 40 s ago.
    [
      'put back "since yesterday"',
      { heldInMs: 86_400_000 },
      1,
      'Throttled',
      /waited 20 s of gatewayTimeoutInMs/,
    ],
    // Dated in the future: no hold at all.
    ['put back "since tomorrow"', { heldInMs: -86_400_000 }, 1, 'BackendHealthUnavailable', /held back 0 ms/],
    // Picked up 10 minutes after the time-out: the hold ends at the time-out, not at the pickup (a
    // review's: "waited 602 s of gatewayTimeoutInMs (20 s)", Throttled).
    [
      'put back for 2 of 20 s, picked up 10 minutes late',
      { heldInMs: 2_000, lateInMs: 600_000 },
      1,
      'BackendHealthUnavailable',
      /held back 2000 ms for a place/,
    ],
    // Under 10 s, to a tenth: 750 ms of 1.5 s is not "1 s of 2 s" (a trial's).
    [
      'put back for 0.75 of 1.5 s',
      { heldInMs: 750, timeoutInMs: 1_500 },
      1,
      'Throttled',
      /waited 750 ms of gatewayTimeoutInMs \(1500 ms\)/,
    ],
    [
      'put back for 0.499 of 1 s',
      { heldInMs: 499, timeoutInMs: 1_000 },
      1,
      'BackendHealthUnavailable',
      /held back 499 ms/,
    ],
    [
      'put back with no count',
      { heldInMs: 15_000, noCount: true },
      1,
      'Throttled',
      /put back on the queue 1 time in all/,
    ],
    [
      'never put back',
      {},
      1,
      'BackendHealthUnavailable',
      /^Backend health for .* is unavailable: no answer within 20000 ms \(gatewayTimeoutInMs\)\. /,
    ],
    // The host's retry of a put-back poll: its last try was sent (or not put back): the operation's.
    [
      'a host’s retry of one put back',
      { heldInMs: 15_000 },
      2,
      'BackendHealthUnavailable',
      /within 20000 ms \(gatewayTimeoutInMs\)\. /,
    ],
  ])(
    'past its operation’s time-out, a poll %s (%j, try %i) is %s, not retried, nothing sent',
    async (_, fields, attempt, code, said) => {
      const timeoutInMs = 'timeoutInMs' in fields ? fields.timeoutInMs : 20_000;
      const late = 'lateInMs' in fields ? fields.lateInMs : 0;
      const w = world({ options: { gatewayTimeoutInMs: timeoutInMs } });
      const { deps, steps } = deferring(w, 0, PACED);
      const at = (offsetInMs: number) => new Date(w.clock.now().getTime() + offsetInMs).toISOString();
      const poll: GatewayMessage = {
        ...CONTINUATION,
        runId: 'run-7',
        startedAt: at(-timeoutInMs - late),
        polls: 2,
        ...('heldInMs' in fields
          ? {
              ...('noCount' in fields ? {} : { deferrals: { count: 4, handlerActiveInMs: 4 } }),
              deferredSince: at(-fields.heldInMs - late),
            }
          : {}),
      };
      const result = await processQueuedGateway(deps, queueOptions(w), poll, { attempt });
      if (result.kind !== 'finished') throw new Error(`expected it finished, not ${result.kind}`);
      expect(steps).toEqual([]); // nothing sent: the time is up
      expect(result.retryable).toBe(false);
      expect([result.report.gateways[0]?.error?.code, result.report.gateways[0]?.error?.message]).toEqual([
        code,
        expect.stringMatching(said),
      ]);
    },
  );

  it('a queue that refuses the deferred step: the gateway fails this try, and the host tries it again', async () => {
    const w = world();
    const { deps } = deferring(w, 1, PACED);
    w.queue.failure = new DeliveryError('queue', 'Azurite is down', { retryable: true });
    const result = await processQueuedGateway(deps, queueOptions(w), message(gwA.id));
    if (result.kind !== 'finished') throw new Error(`expected it finished, not ${result.kind}`);
    expect(result.retryable).toBe(true);
    expect(result.report.gateways[0]).toMatchObject({ ok: false });
  });
});

describe('recordPoisonedGateway: a gateway the host gave up on', () => {
  it('records it as a failed gateway of its run, delivered, logged and in telemetry', async () => {
    const w = world();
    w.clock.advance(90_000);
    const report = await recordPoisonedGateway(w.fanOut, message(gwB.id), { attempt: 5 });
    expect(report).toMatchObject({
      runId: 'run-7',
      mode: 'gateway',
      ok: false,
      startedAt: '2026-01-05T10:01:30.000Z',
      finishedAt: '2026-01-05T10:01:30.000Z',
      targets: [],
      gateways: [
        {
          id: gwB.id,
          name: 'gw-b',
          ok: false,
          error: { code: 'Poisoned', retryable: false, message: expect.stringContaining('poison queue') },
          durationInMs: 0,
          servers: 0,
          findings: [],
        },
      ],
      deliveryErrors: [],
    });
    for (const sink of w.sinks) expect(sink.deliveries).toEqual([{ scope: 'gateway', report, insights: [] }]);
    expect(w.reader.calls).toEqual([]);
    expect(w.logger.at('error')).toEqual([report.gateways[0]?.error?.message]);
    expect(w.telemetry.records.map((r) => r.name)).toEqual(['appgw.gateway']);
    expect(w.telemetry.named('appgw.gateway')[0]).toMatchObject({
      step: 'poison',
      attempt: 5,
      errorCode: 'Poisoned',
      retrying: false,
    });
  });

  // A break trial: with its storage down (the likeliest cause of the poisoning), the handler returned,
  // the host deleted the poison message, and the gateway's failure was in logs only.
  it('a sink that fails is named; the other sink still records the gateway; thrown, so the host tries again', async () => {
    const w = world();
    w.sinks[0]!.failure = new Error('disk full');
    const error = await rejection(recordPoisonedGateway(w.fanOut, message(gwB.id)));
    expect(error).toMatchObject({ code: 'DeliveryFailed', sink: 'folder', retryable: true });
    expect((error as Error).message).toMatch(
      /^Delivery to folder failed: the failure of gw-b, whose queue message the host gave up on, was not recorded \(.*disk full.*\); the host tries the poison message again\.$/,
    );
    expect(w.sinks[1]?.deliveries).toHaveLength(1);
    expect(w.telemetry.named('appgw.gateway')[0]).toMatchObject({ sinkErrors: 1, attempt: 1 });
    // Once the sink takes it, the try ends well.
    w.sinks[0]!.failure = undefined;
    const report = await recordPoisonedGateway(w.fanOut, message(gwB.id), { attempt: 2 });
    expect(report.deliveryErrors).toEqual([]);
    expect(w.sinks[0]?.deliveries).toHaveLength(1);
  });

  it('a sink failure that cannot pass (a read-only file system): logged and returned, not thrown (a retry would fail the same)', async () => {
    const w = world();
    w.sinks[0]!.failure = new DeliveryError('folder', 'read-only file system', { retryable: false });
    const report = await recordPoisonedGateway(w.fanOut, message(gwB.id));
    expect(report.deliveryErrors).toEqual([expect.objectContaining({ sink: 'folder', retryable: false })]);
    expect(w.logger.at('error')).toContainEqual(expect.stringContaining('read-only file system'));
    expect(w.sinks[1]?.deliveries).toHaveLength(1);
  });
});
