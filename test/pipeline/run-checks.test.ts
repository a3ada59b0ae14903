import { parseTarget, type Target } from '../../src/core/arm-id';
import type { BackendHealthBody } from '../../src/core/model';
import { runSucceeded } from '../../src/core/run-report';
import { formatSummary } from '../../src/cli/summary';
import {
  BackendHealthUnavailableError,
  GatewayNotFoundError,
  RunInterruptedError,
  StateUnavailableError,
  TargetNotFoundError,
  ThrottledError,
} from '../../src/errors';
import { newRunId, runChecks, RUN_RENDERING_GATEWAYS } from '../../src/pipeline/run-checks';
import type { GatewayConfigReader, InsightSink } from '../../src/ports';
import { noAnswerWithin } from '../../src/pipeline/timeout';
import { routesPoolZ } from '../helpers/memory/config-reader';
import type { RunProgress } from '../../src/ports';
import {
  NEVER,
  UNTIL_ABORTED,
  deferred,
  gatewayNamed,
  healthOf,
  holdListing,
  memoryRun,
  play,
  refused,
  type Answer,
  type MemoryRun,
} from '../helpers/memory';
import { SUB } from '../helpers/scenario-builder';

const SUB_ID = `/subscriptions/${SUB}`;
const RG_WEB = `${SUB_ID}/resourceGroups/rg-web`;
const gwA = gatewayNamed('gw-a', 'rg-web');
const gwB = gatewayNamed('gw-b', 'rg-web');
const gwC = gatewayNamed('gw-c', 'rg-data');
const BAD = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const GOOD = { address: '10.0.0.5', health: 'Healthy' };

/** gw-a with one bad server, gw-b and gw-c healthy, all in the subscription target. */
function threeGateways(setup: Parameters<typeof memoryRun>[0] = {}): MemoryRun {
  return memoryRun({
    gateways: [
      { ref: gwA, servers: [BAD, GOOD] },
      { ref: gwB, servers: [GOOD] },
      { ref: gwC, servers: [GOOD, { ...GOOD, address: '10.0.0.6' }] },
    ],
    ...setup,
  });
}
const run = (r: MemoryRun, runId = 'run-1') => runChecks(r.deps, { ...r.options, runId });

describe('runChecks: the direct run', () => {
  it('expands the targets, checks every gateway, delivers the run to every sink and says so in telemetry', async () => {
    const r = threeGateways();
    r.reader.health.set(gwB.id, async () => {
      r.clock.advance(2_000);
      return { backendAddressPools: [] } as BackendHealthBody;
    });
    const outcome = await run(r);

    expect(outcome.report).toMatchObject({
      schemaVersion: 1,
      runId: 'run-1',
      mode: 'direct',
      startedAt: '2026-01-05T10:00:00.000Z',
      finishedAt: '2026-01-05T10:00:02.000Z',
      ok: true,
      summary: { gateways: 3, failedGateways: 0, servers: 4, findings: 1 },
      targets: [{ id: SUB_ID, ok: true, error: null, gateways: 3 }],
      deliveryErrors: [],
    });
    expect(outcome.report.gateways.map((g) => [g.name, g.ok, g.servers, g.findings.length])).toEqual([
      ['gw-a', true, 2, 1],
      ['gw-b', true, 0, 0],
      ['gw-c', true, 2, 0],
    ]);
    expect('notifications' in outcome.report).toBe(false);
    for (const sink of r.sinks) {
      // Each gateway as it is done (its insights and result), then the run's report alone.
      const gateways = sink.deliveries.slice(0, -1);
      expect(gateways.map((d) => d.scope)).toEqual(['gateway', 'gateway', 'gateway']);
      expect(
        gateways
          .map((d) => [
            d.report.gateways.map((g) => g.name),
            d.report.mode,
            d.insights.map((i) => [i.finding.gateway.name, i.finding.address]),
          ])
          .sort(),
      ).toEqual([
        [['gw-a'], 'gateway', [['gw-a', '10.0.0.4']]],
        [['gw-b'], 'gateway', []],
        [['gw-c'], 'gateway', []],
      ]);
      for (const d of gateways) expect(d.report.gateways).toEqual([expect.objectContaining({ ok: true })]);
      expect(sink.deliveries.at(-1)).toEqual({ scope: 'report', report: outcome.report, insights: [] });
    }
    expect(outcome.receipts.map((x) => x.sink).sort()).toEqual(['blob', 'folder']);
    expect(r.logger.at('info')).toEqual(['run run-1: 3 gateways from 1 target']);
    expect(r.logger.at('warn')).toEqual([]);

    expect(r.telemetry.records.map((x) => x.name)).toEqual([
      'appgw.target',
      'appgw.gateway',
      'appgw.server',
      'appgw.gateway',
      'appgw.gateway',
      'appgw.run',
    ]);
    expect(r.telemetry.named('appgw.run')).toEqual([
      expect.objectContaining({
        runId: 'run-1',
        mode: 'direct',
        step: 'run',
        ok: true,
        targets: 1,
        gateways: 3,
        servers: 4,
        unhealthyServers: 1,
        sinkErrors: 0,
        durationInMs: 2_000,
      }),
    ]);
    expect(r.telemetry.named('appgw.server')).toEqual([
      expect.objectContaining({ gateway: 'gw-a', address: '10.0.0.4', causeId: 'tcp-connect' }),
    ]);
  });

  it('without a run id, makes a sortable one from the start time', async () => {
    const outcome = await runChecks(threeGateways().deps, threeGateways().options);
    expect(outcome.report.runId).toMatch(/^20260105T100000Z-[0-9a-f]{6}$/);
  });

  it('no gateway in the targets: an empty run, still delivered', async () => {
    const r = memoryRun({ targets: [RG_WEB] });
    const outcome = await run(r);
    expect(outcome.report).toMatchObject({ ok: true, gateways: [], summary: { gateways: 0 } });
    expect(r.sinks[0]?.deliveries).toHaveLength(1);
  });

  const gatewayFailures: Array<[string, Answer<BackendHealthBody>, string]> = [
    ['throttled', new ThrottledError(gwB.id, '429'), 'Throttled'],
    [
      'failing in ARM',
      new BackendHealthUnavailableError(gwB.id, 'ARM answered 500'),
      'BackendHealthUnavailable',
    ],
    ['a bug', new TypeError('undefined is not iterable'), 'Unexpected'],
    ['throwing a non-Error', () => Promise.reject({ weird: true }), 'Unexpected'],
    ['not answering (abort honoured)', UNTIL_ABORTED, 'BackendHealthUnavailable'],
    ['not answering (abort ignored)', NEVER, 'BackendHealthUnavailable'],
  ];
  it.each(gatewayFailures)(
    'one gateway %s never stops the others nor the run: it is reported, the others checked and delivered',
    async (_, answer, code) => {
      const r = threeGateways({ options: { gatewayTimeoutInMs: 30 } });
      r.reader.health.set(gwB.id, answer);
      const outcome = await run(r);
      expect(outcome.report.ok).toBe(false);
      expect(outcome.report.summary).toMatchObject({ gateways: 3, failedGateways: 1, findings: 1 });
      expect(outcome.report.gateways.map((g) => [g.name, g.ok, g.error?.code ?? null])).toEqual([
        ['gw-a', true, null],
        ['gw-b', false, code],
        ['gw-c', true, null],
      ]);
      // Named once: by its message when that names it, else before it.
      const said = outcome.report.gateways[1]?.error?.message ?? '';
      expect(r.logger.at('warn')).toEqual([said.includes(gwB.id) ? said : `${gwB.id}: ${said}`]);
      expect(r.logger.at('warn')[0]?.split(gwB.id)).toHaveLength(2);
      expect(r.sinks[1]?.deliveries.flatMap((d) => d.insights)).toHaveLength(1);
      expect(r.telemetry.named('appgw.gateway').map((g) => [g['gateway'], g['ok'], g['errorCode']])).toEqual([
        ['gw-a', true, ''],
        ['gw-b', false, code],
        ['gw-c', true, ''],
      ]);
      expect(r.telemetry.named('appgw.run')[0]).toMatchObject({ ok: false, gatewaysFailed: 1 });
    },
  );

  it("a gateway's time-out is gatewayTimeoutInMs, and says so", async () => {
    const r = threeGateways({ options: { gatewayTimeoutInMs: 25 } });
    r.reader.health.set(gwC.id, UNTIL_ABORTED);
    const { report } = await run(r);
    expect(report.gateways[2]?.error?.message).toContain(noAnswerWithin(25));
  });

  it('every gateway failing: the run is still reported and delivered', async () => {
    const r = threeGateways();
    for (const g of [gwA, gwB, gwC]) r.reader.health.set(g.id, new ThrottledError(g.id, '429'));
    const outcome = await run(r);
    expect(outcome.report).toMatchObject({ ok: false, summary: { gateways: 3, failedGateways: 3 } });
    for (const sink of r.sinks) {
      expect(sink.deliveries.map((d) => [d.scope, d.insights.length])).toEqual([
        ['gateway', 0],
        ['gateway', 0],
        ['gateway', 0],
        ['report', 0],
      ]);
    }
  });

  it.each<[string, Answer<ReturnType<typeof gatewayNamed>[]>, string]>([
    [
      'does not exist',
      new TargetNotFoundError(RG_WEB, 'Resource group rg-web', 'ResourceGroupNotFound'),
      'TargetNotFound',
    ],
    ['does not answer', UNTIL_ABORTED, 'TargetListUnavailable'],
  ])('a target that %s is reported; the gateways of the others are checked', async (_, answer, code) => {
    const r = threeGateways({
      targets: [RG_WEB, `${SUB_ID}/resourceGroups/rg-data`],
      options: { gatewayTimeoutInMs: 30 },
    });
    r.directory.answers.set(RG_WEB, answer);
    const outcome = await run(r);
    expect(outcome.report.ok).toBe(false);
    expect(outcome.report.targets.map((t) => [t.ok, t.error?.code ?? null, t.gateways])).toEqual([
      [false, code, 0],
      [true, null, 1],
    ]);
    expect(outcome.report.gateways.map((g) => g.name)).toEqual(['gw-c']);
    expect(r.reader.calls.map((c) => c.gateway.name)).toEqual(['gw-c']);
    expect(r.telemetry.named('appgw.target').map((t) => t['errorCode'])).toEqual([code, '']);
    expect(r.telemetry.named('appgw.run')[0]).toMatchObject({ ok: false, targetsFailed: 1 });
  });

  // A listing that hangs until its time-out (gatewayTimeoutInMs, 5 min by default) held back every other
  // target's gateways: none was read before it ended.
  it("a target's gateways are read as soon as its listing ends, while another target's listing still runs; the report keeps the targets' order", async () => {
    const r = threeGateways({ targets: [RG_WEB, `${SUB_ID}/resourceGroups/rg-data`] });
    const releaseWeb = holdListing(r.directory, RG_WEB, [gwA, gwB]);
    const progress = recordingProgress(() => {});
    const outcome = runChecks({ ...r.deps, progress }, { ...r.options, runId: 'run-1' });
    for (let i = 0; i < 1_000 && !progress.calls.includes('done'); i++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(r.reader.calls.map((c) => c.gateway.name)).toEqual(['gw-c']);
    // Done, though the total is not known yet (the progress line shows it once it is).
    expect(progress.calls).toEqual(['listed 1', 'done']);
    releaseWeb();
    const report = (await outcome).report;
    expect(report.ok).toBe(true);
    expect(report.gateways.map((g) => g.name)).toEqual(['gw-a', 'gw-b', 'gw-c']);
    expect(r.reader.calls.map((c) => c.gateway.name).sort()).toEqual(['gw-a', 'gw-b', 'gw-c']);
    expect(progress.calls).toEqual(['listed 1', 'done', 'listed 2', 'started 3', 'done', 'done', 'finished']);
  });

  it('a sink that fails: the other takes the run; the outcome names it; the run is not a success', async () => {
    const r = threeGateways();
    r.sinks[0]!.failure = new Error('disk full');
    const outcome = await run(r);
    expect(r.sinks[1]?.deliveries).toHaveLength(4);
    // One entry per failed delivery (3 gateways, the report), each naming what did not go.
    const message =
      'Delivery to folder failed: the sink failed without saying why (Error: disk full); the next run tries again, and if it persists, please report it (a bug in the sink).';
    expect(outcome.report.deliveryErrors).toEqual(
      [...[gwA, gwB, gwC].map((g) => `insights and result of gateway ${g.id}`), 'report.json'].map(
        (document) => ({
          code: 'DeliveryFailed',
          message,
          retryable: true,
          sink: 'folder',
          document,
        }),
      ),
    );
    // The working sink's report names the failures the run knew of when it wrote it (the gateways').
    // …and is not ok: a script reading report.json saw `ok: true` for a run that exited 2 (a trial).
    expect(r.sinks[1]?.deliveries.at(-1)?.report.deliveryErrors).toHaveLength(3);
    expect(r.sinks[1]?.deliveries.at(-1)?.report.ok).toBe(false);
    expect(outcome.receipts.map((x) => x.sink)).toEqual(['blob']);
    expect(outcome.report.ok).toBe(false);
    expect(runSucceeded(outcome.report)).toBe(false);
    expect(r.telemetry.named('appgw.run')[0]).toMatchObject({ ok: false, sinkErrors: 1 });
    expect(r.logger.at('error')).toHaveLength(4);
    expect(new Set(r.logger.at('error'))).toEqual(
      new Set([expect.stringMatching(/^Delivery to folder failed: the sink failed without saying why/)]),
    );
  });

  it('checks at most `concurrency` gateways at a time', async () => {
    const refs = [1, 2, 3, 4, 5].map((n) => gatewayNamed(`gw-${n}`));
    const r = memoryRun({ gateways: refs.map((ref) => ({ ref })), options: { concurrency: 2 } });
    let inFlight = 0;
    let most = 0;
    for (const ref of refs) {
      r.reader.health.set(ref.id, async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return {};
      });
    }
    const { report } = await run(r);
    expect(most).toBe(2);
    expect(report.gateways.map((g) => g.name)).toEqual(['gw-1', 'gw-2', 'gw-3', 'gw-4', 'gw-5']);
  });
});

describe('runChecks: gateways past their reads', () => {
  it('at most RUN_RENDERING_GATEWAYS are rendered and delivering at once; the others wait, and none is lost', async () => {
    const count = RUN_RENDERING_GATEWAYS + 40;
    const refs = Array.from({ length: count }, (_, i) => gatewayNamed(`gw-${i}`));
    // Every gateway read at once, each with a finding (an insight to render).
    const r = memoryRun({
      gateways: refs.map((ref) => ({ ref, servers: [BAD] })),
      options: { concurrency: count },
    });
    let delivering = 0;
    let most = 0;
    const slow: InsightSink = {
      name: 'slow',
      async deliver(delivery) {
        if (delivery.scope === 'gateway') {
          most = Math.max(most, ++delivering);
          for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
          delivering -= 1;
        }
        return { locations: [] };
      },
    };
    const { report } = await runChecks({ ...r.deps, sinks: [slow] }, { ...r.options, runId: 'run-1' });
    expect(most).toBe(RUN_RENDERING_GATEWAYS);
    expect(report.summary).toMatchObject({ gateways: count, failedGateways: 0, findings: count });
    expect(report.gateways.map((g) => g.name)).toEqual(refs.map((ref) => ref.name));
  });
});

describe('runChecks: notify on change', () => {
  const notifying = () => threeGateways({ withNotify: true });

  it("notifies each bad server once and reports the run's notifications", async () => {
    const r = notifying();
    const outcome = await run(r);
    const receiver = r.notify!.notifiers[0]!;
    expect(receiver.sent.map((n) => [n.type, n.gateway.name, n.server.address])).toEqual([
      ['degraded', 'gw-a', '10.0.0.4'],
    ]);
    expect(outcome.report.notifications).toMatchObject({
      decided: 1,
      claimed: true,
      deliveries: [{ receiver: 'webhook[ops]', outcome: 'delivered' }],
      pending: { 'webhook[ops]': 0 },
      undelivered: [],
      stateErrors: [],
    });
    expect(outcome.report.ok).toBe(true);
    expect(r.telemetry.named('appgw.notify')).toEqual([
      expect.objectContaining({ receiver: 'webhook[ops]', gatewayId: '', sent: 1, pending: 0 }),
    ]);
    // Each evaluated gateway has its own document.
    expect(r.notify!.stores.documents.size).toBe(3);
  });

  it('a gateway deleted since the last run: its servers are told `recovered`', async () => {
    const r = notifying();
    await run(r, 'run-1');
    r.directory.gateways = r.directory.gateways.filter((g) => g.name !== 'gw-a');
    r.clock.advance(300_000);
    const outcome = await run(r, 'run-2');
    const receiver = r.notify!.notifiers[0]!;
    expect(receiver.sent.map((n) => [n.type, n.gateway.name])).toEqual([
      ['degraded', 'gw-a'],
      ['recovered', 'gw-a'],
    ]);
    expect(outcome.report.notifications).toMatchObject({ decided: 1, undelivered: [] });
    expect(outcome.report.gateways.map((g) => g.name)).toEqual(['gw-b', 'gw-c']);
  });

  // A new-user trial: a gateway gone from its subscription's listing, confirmed deleted by ARM, ended its
  // episodes and the status page said it deleted, but report.json and the summary said nothing of it.
  it('a gateway gone from its subscription’s listing whose GET answers 404: the report lists it in deletedUnlisted, the run stays ok', async () => {
    const r = notifying();
    await run(r, 'run-1');
    r.directory.gateways = r.directory.gateways.filter((g) => g.name !== 'gw-a');
    r.clock.advance(300_000);
    const asked: string[] = [];
    const configReader: GatewayConfigReader = {
      getGatewayConfig: async (gateway) => {
        asked.push(gateway.id);
        return {
          ok: false,
          notFound: true,
          armCode: 'ResourceNotFound',
          detail: 'ARM answered 404 ResourceNotFound',
          kind: 'not-found',
        };
      },
    };
    const { report } = await runChecks({ ...r.deps, configReader }, { ...r.options, runId: 'run-2' });
    expect(asked).toEqual([gwA.id]);
    expect(r.notify!.notifiers[0]!.sent.map((n) => [n.type, n.gateway.name])).toEqual([
      ['degraded', 'gw-a'],
      ['recovered', 'gw-a'],
    ]);
    expect(report.deletedUnlisted).toEqual([
      { id: gwA.id, name: 'gw-a', subscriptionId: SUB, resourceGroup: 'rg-web' },
    ]);
    expect(report.summary).toEqual({
      gateways: 2,
      failedGateways: 0,
      servers: 3,
      findings: 0,
      deletedUnlisted: 1,
    });
    expect(report.ok).toBe(true);
    expect(runSucceeded(report)).toBe(true);
    expect(formatSummary(report, [])).toContain(
      `1 gateway that no target lists any more was deleted (ARM confirmed it): gw-a (rg-web, ${SUB}); its open episodes ended.`,
    );
  });

  it('a gateway whose target failed to list is not taken as deleted', async () => {
    const r = notifying();
    await run(r, 'run-1');
    r.directory.answers.set(SUB_ID, new ThrottledError(SUB_ID, '429'));
    r.clock.advance(300_000);
    const outcome = await run(r, 'run-2');
    expect(r.notify!.notifiers[0]!.sent.map((n) => n.type)).toEqual(['degraded']);
    expect(outcome.report.notifications).toMatchObject({ decided: 0, stateErrors: [] });
  });

  it("notices left waiting are sent by a later run, and the run's summary says what waits", async () => {
    const r = notifying();
    const receiver = r.notify!.notifiers[0]!;
    receiver.answer = () => refused(true);
    const first = await run(r, 'run-1');
    expect(first.report.ok).toBe(false);
    expect(first.report.notifications?.undelivered).toEqual([
      expect.objectContaining({ status: 'waiting', type: 'degraded' }),
    ]);
    expect(r.logger.at('warn')).toEqual([
      expect.stringMatching(/^webhook\[ops\]: 1 notice waiting, sent on the next run: /),
    ]);

    delete receiver.answer;
    r.clock.advance(300_000);
    const second = await run(r, 'run-2');
    expect(second.report.ok).toBe(true);
    expect(receiver.sent.map((n) => n.id)).toEqual([receiver.sent[0]?.id, receiver.sent[0]?.id]);
  });

  it('a notify state that cannot be listed: reported, the evaluated gateways still notified', async () => {
    const r = notifying();
    r.notify!.stores.failures.list = new StateUnavailableError('memory state', 'down', 'Check it.', {
      retryable: true,
    });
    const outcome = await run(r);
    expect(outcome.report.ok).toBe(false);
    expect(outcome.report.notifications?.stateErrors).toEqual([
      expect.objectContaining({ code: 'StateUnavailable', document: 'memory state' }),
    ]);
    expect(r.notify!.notifiers[0]!.sent).toHaveLength(1);
    expect(r.telemetry.named('appgw.run')[0]).toMatchObject({ stateErrors: 1 });
  });
});

/** A RunProgress that records its calls, and says when a gateway is done. */
function recordingProgress(onDone: () => void = () => {}): RunProgress & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    listed: (count) => calls.push(`listed ${count}`),
    started: (total) => calls.push(`started ${total}`),
    gatewayDone: () => {
      calls.push('done');
      onDone();
    },
    finished: () => calls.push('finished'),
  };
}

describe('runChecks: streaming, each gateway to the sinks as it is done', () => {
  it('a gateway is delivered (insights and result) while another is still being read', async () => {
    const r = threeGateways({ options: { concurrency: 2 } });
    const gwADone = deferred<void>();
    let seenWhileGwBRead: Array<[string, string[], number]> = [];
    r.reader.health.set(gwB.id, async () => {
      await gwADone.promise;
      seenWhileGwBRead = r.sinks[0]!.deliveries.map((d) => [
        d.scope,
        d.report.gateways.map((g) => g.name),
        d.insights.length,
      ]);
      return healthOf(gwB, [GOOD]);
    });
    const progress = recordingProgress(() => gwADone.resolve());
    const outcome = await runChecks({ ...r.deps, progress }, { ...r.options, runId: 'run-1' });
    expect(seenWhileGwBRead).toEqual([['gateway', ['gw-a'], 1]]);
    expect(outcome.report.gateways.map((g) => g.name)).toEqual(['gw-a', 'gw-b', 'gw-c']);
    expect(progress.calls).toEqual(['listed 3', 'started 3', 'done', 'done', 'done', 'finished']);
  });
});

// New-user trials: "warning: <id>: <id> does not exist …", "<id>: Backend health for <id> is unavailable".
it.each<[string, () => Error, string]>([
  ['first', () => new GatewayNotFoundError(gwB.id, 'ARM answered 404 ResourceNotFound'), 'does not exist'],
  [
    'after a prefix',
    () => new BackendHealthUnavailableError(gwB.id, 'ARM answered 500 InternalServerError'),
    'is unavailable',
  ],
])("a failed gateway's warning names it once when its message names it %s", async (_, error, words) => {
  const r = threeGateways();
  r.reader.health.set(gwB.id, async () => {
    throw error();
  });
  await runChecks(r.deps, { ...r.options, runId: 'run-1' });
  const warnings = r.logger.at('warn').filter((w) => w.includes(words));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]?.split(gwB.id)).toHaveLength(2);
});

// A new-user trial: an incomplete reading made the run exit 2 with nothing on stderr.
it('an incomplete reading is a warning in the log, naming the pools not read', async () => {
  const r = threeGateways();
  r.reader.health.set(gwB.id, async () => ({ backendAddressPools: [] }) as BackendHealthBody);
  const configReader = routesPoolZ();
  const outcome = await runChecks({ ...r.deps, configReader }, { ...r.options, runId: 'run-1' });
  expect(outcome.report.gateways.find((g) => g.name === 'gw-b')?.poolsNotRead).toEqual(['pool-z']);
  expect(r.logger.at('warn')).toContainEqual(
    `${gwB.id}: reading incomplete: ARM's backend health did not list 1 backend pool (pool-z), or listed no server of it: its servers were not read this run`,
  );
});

describe('runChecks: interrupted (stop signal, deadline)', () => {
  const BAD2 = { ...BAD, address: '10.0.0.7' };
  const gwD = gatewayNamed('gw-d', 'rg-data');

  it('a stop signal mid-run: finished gateways kept and delivered, the others listed as not done, no notice for them, no recovered', async () => {
    // Run 1: every gateway has a bad server; each is told `degraded`.
    const r = memoryRun({
      withNotify: true,
      options: { concurrency: 2 },
      gateways: [gwA, gwB, gwC, gwD].map((ref) => ({ ref, servers: [BAD, GOOD] })),
    });
    await run(r, 'run-1');
    const receiver = r.notify!.notifiers[0]!;
    expect(receiver.sent.map((n) => n.type)).toEqual(['degraded', 'degraded', 'degraded', 'degraded']);
    const stateAfterRun1 = new Map(r.notify!.stores.documents);

    // Run 2: gw-a has a new bad server; gw-b and gw-c are healthy (they would be `recovered`), gw-d is
    // deleted (it would be `recovered` too). The run is stopped once gw-a is done, gw-b mid-read.
    r.clock.advance(300_000);
    r.directory.gateways = [gwA, gwB, gwC];
    r.reader.health.set(gwA.id, healthOf(gwA, [BAD, BAD2, GOOD]));
    const stop = new AbortController();
    const gwADone = deferred<void>();
    r.reader.health.set(gwB.id, async (options) => {
      await gwADone.promise;
      stop.abort(new RunInterruptedError({ by: 'signal', signal: 'SIGINT' }));
      return new Promise((_, reject) =>
        options?.abortSignal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    });
    r.reader.health.set(gwC.id, UNTIL_ABORTED);
    receiver.sent.length = 0;
    const progress = recordingProgress(() => gwADone.resolve());
    const outcome = await runChecks(
      { ...r.deps, progress },
      { ...r.options, runId: 'run-2', stop: stop.signal },
    );

    expect(outcome.report.ok).toBe(false);
    expect(runSucceeded(outcome.report)).toBe(false);
    expect(outcome.report.interrupted).toEqual({
      by: 'signal',
      signal: 'SIGINT',
      message: expect.stringContaining('stopped by SIGINT'),
      notDone: [gwB.id, gwC.id],
    });
    // Not done is not failed: only what finished is in `gateways`.
    expect(outcome.report.gateways.map((g) => [g.name, g.ok])).toEqual([['gw-a', true]]);
    expect(outcome.report.summary).toMatchObject({ gateways: 1, failedGateways: 0, findings: 2 });
    // gw-a's insights and result reached every sink, then the report saying it was interrupted.
    for (const sink of r.sinks) {
      const run2 = sink.deliveries.filter((d) => d.report.runId === 'run-2');
      expect(run2.map((d) => [d.scope, d.report.gateways.map((g) => g.name), d.insights.length])).toEqual([
        ['gateway', ['gw-a'], 2],
        ['report', ['gw-a'], 0],
      ]);
      expect(run2[1]?.report.interrupted?.notDone).toEqual([gwB.id, gwC.id]);
    }
    // The finished gateway notified; no `recovered` for the not-done ones nor the deleted one.
    expect(receiver.sent.map((n) => [n.type, n.gateway.name, n.server.address])).toEqual([
      ['degraded', 'gw-a', '10.0.0.7'],
    ]);
    for (const g of [gwB, gwC, gwD]) {
      const key = [...stateAfterRun1.keys()].find((k) => k.endsWith(g.name));
      expect(key).toBeDefined();
      expect(r.notify!.stores.documents.get(key!)).toEqual(stateAfterRun1.get(key!));
    }
    expect(progress.calls).toEqual(['listed 3', 'started 3', 'done', 'finished']);
    expect(r.logger.at('warn')).toEqual([expect.stringMatching(/^run run-2: The run was stopped by SIGINT/)]);
    expect(r.telemetry.named('appgw.run').at(-1)).toMatchObject({
      ok: false,
      gateways: 1,
      interrupted: 'signal',
      gatewaysNotDone: 2,
    });
  });

  // A break trial: a signal or the deadline while ARM was asked about gateways no target holds (every
  // gateway done) left the run `ok`, its unread gateways' existence unknown.
  it('stopped while ARM is asked about a gateway not read: the run says it was interrupted, and is not ok', async () => {
    const r = memoryRun({
      gateways: [
        { ref: gwA, servers: [GOOD] },
        { ref: gwB, servers: [BAD] },
      ],
      withNotify: true,
    });
    await runChecks(r.deps, { ...r.options, runId: 'run-1' });
    // gwB has an open episode; the targets are narrowed to gwA, and gwB's GET never answers.
    const stop = new AbortController();
    const asked: string[] = [];
    const configReader: GatewayConfigReader = {
      getGatewayConfig: (gateway, options) => {
        asked.push(gateway.name);
        stop.abort(new RunInterruptedError({ by: 'signal', signal: 'SIGTERM' }));
        return new Promise((resolve) => {
          const answer = () => resolve({ ok: false, detail: 'aborted', kind: 'timeout' });
          if (options?.abortSignal?.aborted) answer();
          options?.abortSignal?.addEventListener('abort', answer);
        });
      },
    };
    const outcome = await runChecks(
      { ...r.deps, configReader },
      { ...r.options, targets: [parseTarget(gwA.id) as Target], runId: 'run-2', stop: stop.signal },
    );
    expect(asked).toEqual(['gw-b']);
    expect(outcome.report.interrupted).toEqual({
      by: 'signal',
      signal: 'SIGTERM',
      message: expect.stringContaining('stopped by SIGTERM'),
      notDone: [],
    });
    expect(runSucceeded(outcome.report)).toBe(false);
    expect(outcome.report.gateways.map((g) => [g.name, g.ok])).toEqual([['gw-a', true]]);
    expect(outcome.report.notifications?.unread).toEqual([
      expect.objectContaining({ gateway: gwB.id, openEpisodes: 1, existenceUnknown: expect.any(String) }),
    ]);
    expect(r.logger.at('warn')).toContainEqual(
      expect.stringMatching(/^run run-2: The run was stopped by SIGTERM/),
    );
  });

  it('runDeadlineInMs: past it, the gateway still being read is not done; the others are kept', async () => {
    const r = threeGateways({ options: { concurrency: 3, runDeadlineInMs: 50, gatewayTimeoutInMs: 60_000 } });
    r.reader.health.set(gwB.id, UNTIL_ABORTED);
    const outcome = await run(r);
    expect(outcome.report.interrupted).toEqual({
      by: 'deadline',
      deadlineInMs: 50,
      message: expect.stringContaining('runDeadlineInMs 50'),
      notDone: [gwB.id],
    });
    expect(outcome.report.gateways.map((g) => g.name)).toEqual(['gw-a', 'gw-c']);
    expect(r.reader.calls[1]?.abortSignal?.aborted).toBe(true);
    expect(r.telemetry.named('appgw.run')[0]).toMatchObject({ interrupted: 'deadline', gatewaysNotDone: 1 });
  });

  it('a read that ignores the abort does not hold the run: it is not done', async () => {
    const r = threeGateways({ options: { concurrency: 3, runDeadlineInMs: 50, gatewayTimeoutInMs: 60_000 } });
    r.reader.health.set(gwC.id, NEVER);
    const outcome = await run(r);
    expect(outcome.report.interrupted?.notDone).toEqual([gwC.id]);
  });

  it('stopped before the targets are listed: the targets say so, no gateway is read, the report is still written', async () => {
    const r = threeGateways();
    const stop = AbortSignal.abort(new RunInterruptedError({ by: 'signal', signal: 'SIGTERM' }));
    const outcome = await runChecks(r.deps, { ...r.options, runId: 'run-1', stop });
    expect(outcome.report.targets).toEqual([
      expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'RunInterrupted' }) }),
    ]);
    expect(outcome.report.interrupted).toMatchObject({ by: 'signal', signal: 'SIGTERM', notDone: [] });
    expect(r.reader.calls).toEqual([]);
    expect(r.sinks[0]?.deliveries.map((d) => d.scope)).toEqual(['report']);
  });

  it('stopped after the gateways are listed but before any is read: every gateway is not done', async () => {
    const r = threeGateways({ options: { concurrency: 1 } });
    const stop = new AbortController();
    r.reader.health.set(gwA.id, async (options) => {
      stop.abort(new RunInterruptedError({ by: 'signal', signal: 'SIGHUP' }));
      return play<BackendHealthBody>(UNTIL_ABORTED, options);
    });
    const outcome = await runChecks(r.deps, { ...r.options, runId: 'run-1', stop: stop.signal });
    expect(outcome.report.interrupted?.notDone).toEqual([gwA.id, gwB.id, gwC.id]);
    expect(r.reader.calls.map((c) => c.gateway.name)).toEqual(['gw-a']);
    expect(outcome.report.gateways).toEqual([]);
  });
});

describe('newRunId', () => {
  it('is the start time to the second, then six hex digits that differ between runs', () => {
    const at = new Date('2026-11-26T04:27:18.123Z');
    const ids = new Set(Array.from({ length: 20 }, () => newRunId(at)));
    for (const id of ids) expect(id).toMatch(/^20261126T042718Z-[0-9a-f]{6}$/);
    expect(ids.size).toBeGreaterThan(1);
  });
});
