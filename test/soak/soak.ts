/**
 * The soak (`npm run soak`, and a short one in `npm test`): many runs of the real pipeline, direct
 * (`runChecks`, as `appgw-insights run`), racing (two at once on one state) and fanned out (the timer's
 * `startFanOut` on a real Azurite queue, then `processQueuedGateway` per gateway with the host's
 * retries), against the emulator, Azurite and loopback receivers, each run with random faults from
 * all three and random health transitions. Then the faults stop, clean runs drain the outboxes, dead
 * letters are re-sent by hand, and checks.ts compares what was said with what was so.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import os from 'node:os';
import { createStorageWorkQueue } from '../../src/adapters/queue/storage-queue';
import { createBlobSink } from '../../src/adapters/sinks/blob-sink';
import { documentName } from '../../src/adapters/state/keyed-state-stores';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { parseConfig } from '../../src/config/load';
import { gatewayKey } from '../../src/core/arm-id';
import { classifyCause } from '../../src/core/classify';
import type { startEmulator } from '../../src/emulator';
import { processQueuedGateway, recordPoisonedGateway, startFanOut } from '../../src/pipeline/fan-out';
import { isDeliveryError } from '../../src/errors';
import { listOutboxes, resendDeadLetters } from '../../src/pipeline/notify/dead-letters';
import { parseStateDocument, type NotifyStateDocument } from '../../src/pipeline/notify/state-document';
import type { RunReport } from '../../src/core/run-report';
import { runChecks, type RunDependencies, type RunOptions } from '../../src/pipeline/run-checks';
import type {
  Clock,
  GatewayMessage,
  InsightSink,
  StateStores,
  SteppedBackendHealthReader,
} from '../../src/ports';
import { memoryWorkQueue } from '../helpers/memory/work-queue';
import { closedPort } from '../helpers/closed-port';
import { checkSoak, type RunRecord } from './checks';
import { createRandom, type Random } from './random';
import {
  STATE_CONTAINER,
  WRONG_KEY,
  blobConnection,
  bump,
  notResentByHand,
  proxyMode,
  quietLogger,
  soakRandoms,
  soakBlobClient,
  soakSettings,
  soakStateStores,
  stateDocumentName,
  withSoakServices,
  type SoakServices,
  type StateMode,
} from './common';
import { RECEIVER_MODES, type ReceiverMode, type SoakReceiver } from './receiver';
import type { StorageProxy } from './storage-proxy';
import {
  BAD_PROBE_LOGS,
  GATEWAYS,
  chooseArmFaults,
  evolve,
  initialTruth,
  readMustFail,
  scenarioFor,
  serverKey,
  touched,
  type ArmFaults,
  type Truth,
} from './world';

export interface SoakOptions {
  /** How long faults are injected (the drain comes after). */
  readonly seconds: number;
  readonly seed: number;
  /** Stop after this many runs even if time is left. */
  readonly maxRuns?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export interface SoakFigures {
  readonly seed: number;
  readonly seconds: number;
  readonly durationInMs: number;
  readonly machine: string;
  readonly runs: Record<string, number>;
  readonly gateways: {
    readonly evaluated: number;
    readonly failedReads: number;
    readonly busyTimeouts: number;
  };
  readonly transitions: Record<string, number>;
  readonly faults: {
    readonly arm: Record<string, number>;
    readonly storage: Record<string, number>;
    readonly receivers: Record<string, number>;
  };
  readonly notices: {
    readonly decided: Record<string, number>;
    readonly requests: number;
    readonly accepted: number;
    readonly parked: number;
    readonly resentByHand: number;
    /** Notices a run delivered but could not record (its state write failed): they may arrive twice. */
    readonly atRiskOfRepeat: number;
    /** Of those, how many a receiver accepted twice (the stable id lets it de-duplicate). */
    readonly repeated: number;
  };
  readonly checks: Record<string, number>;
  readonly violations: readonly string[];
}

const T0 = Date.UTC(2030, 0, 1);
const STEP_IN_MS = 10 * 60_000; // each run is ten minutes after the one before (fake clock)
const REPEAT = { text: '1h', ms: 3_600_000 };
const GATEWAY_TIMEOUT_IN_MS = 3_000;
const DRAIN_RUNS = 2;

type SinkMode = 'up' | 'down' | 'forbidden';
type RunMode = 'direct' | 'racing' | 'fan-out';

const counter = (): Record<string, number> => ({});
export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const log = options.log ?? (() => {});
  const [worldRandom, faultRandom, receiverRandom, proxyRandom] = soakRandoms(options.seed);
  assertDistinctCauses();

  const started = performance.now();
  const scenario = scenarioFor(initialTruth(createRandom(0)), none());
  return withSoakServices({ queue: true, scenario, proxyRandom, receiverRandom }, async (services) => {
    const { proxy, receivers } = services;
    const world = await buildWorld(services);
    const runs: RunRecord[] = [];
    const figures = {
      runs: counter(),
      transitions: counter(),
      arm: counter(),
      storage: counter(),
      receivers: counter(),
      evaluated: 0,
      failedReads: 0,
      busyTimeouts: 0,
    };
    const violations: string[] = [];
    const mayRepeat = new Set<string>();
    let truth = initialTruth(worldRandom);
    let iteration = 0;

    const faultsFrom = performance.now(); // after the set-up (Azurite takes seconds to start)
    const deadline = faultsFrom + options.seconds * 1000;
    while (performance.now() < deadline && iteration < (options.maxRuns ?? Infinity)) {
      if (iteration > 0) {
        const next = evolve(truth, worldRandom);
        countTransitions(truth, next, figures.transitions);
        truth = next;
      }
      const plan = planRun(faultRandom);
      const record = await runOnce(world, iteration, truth, plan, figures, violations, mayRepeat);
      runs.push(record);
      if (iteration % 10 === 0)
        log(
          `run ${iteration} (${Math.round((performance.now() - started) / 1000)} s): ${describePlan(plan)}`,
        );
      iteration++;
    }

    // The faults stop: clean runs send whatever waits, dead letters are re-sent by hand, one more run.
    log(`drain after ${iteration} runs`);
    const drainPlan = cleanPlan();
    for (let i = 0; i < DRAIN_RUNS; i++)
      runs.push(await runOnce(world, iteration++, truth, drainPlan, figures, violations, mayRepeat, 'drain'));
    const before = await listOutboxes(world.storesDirect, world.clockAt(iteration));
    const parked = new Map<string, Set<string>>();
    for (const n of before.notices) {
      if (n.status !== 'dead-letter')
        violations.push(`after the drain, ${n.receiver} still has ${n.status} ${n.noticeId}`);
      else parked.set(n.receiver, new Set([...(parked.get(n.receiver) ?? []), n.noticeId]));
    }
    const resent = await resendDeadLetters(world.storesDirect, {});

    for (const e of resent.errors) violations.push(`notify resend: ${e.message}`);
    runs.push(await runOnce(world, iteration++, truth, drainPlan, figures, violations, mayRepeat, 'drain'));
    const after = await listOutboxes(world.storesDirect, world.clockAt(iteration));
    for (const n of after.notices)
      violations.push(`at the end, ${n.receiver} still has ${n.status} ${n.noticeId}`);
    for (const e of [...before.errors, ...after.errors])
      violations.push(`the state cannot be listed: ${e.message}`);
    await checkFinalState(world, truth, violations);

    const requests = receivers.flatMap((r) => r.requests);
    const result = checkSoak({
      runs,
      requests: [...requests].sort((a, b) => a.iteration - b.iteration), // stable: arrival order per receiver
      receivers: receivers.map((r) => r.name),
      parked,
      mayRepeat,
      notResent: notResentByHand(resent.notResent, serverKey),
      repeatIntervalInMs: REPEAT.ms,
    });
    const decided: Record<string, number> = {};
    for (const n of result.ledger.values()) bump(decided, n.type);
    return {
      seed: options.seed,
      seconds: options.seconds,
      durationInMs: Math.round(performance.now() - started),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.versions.node}`,
      runs: figures.runs,
      gateways: {
        evaluated: figures.evaluated,
        failedReads: figures.failedReads,
        busyTimeouts: figures.busyTimeouts,
      },
      transitions: figures.transitions,
      faults: {
        arm: figures.arm,
        storage: {
          ...figures.storage,
          'flaky: requests cut': proxy.cut.requests,
          'flaky: answers cut': proxy.cut.answers,
        },
        receivers: figures.receivers,
      },
      notices: {
        decided,
        requests: requests.length,
        accepted: requests.filter((r) => r.accepted).length,
        parked: [...parked.values()].reduce((n, s) => n + s.size, 0),
        resentByHand: resent.requeued.length,
        atRiskOfRepeat: mayRepeat.size,
        repeated: repeatedPairs(requests),
      },
      checks: result.checked,
      violations: [...violations, ...result.violations],
    };
  });
}

/** A run's dependencies, with ARM's reader in steps (the fan-out's queue function uses them). */
type SoakDependencies = RunDependencies & { readonly reader: SteppedBackendHealthReader };

/** Everything built once: the services of a long-lived process (one Function App instance, say). */
interface World {
  readonly emulator: Awaited<ReturnType<typeof startEmulator>>;
  readonly proxy: StorageProxy;
  readonly receivers: readonly SoakReceiver[];
  readonly deps: SoakDependencies;
  readonly options: RunOptions;
  readonly stores: Record<'up' | 'forbidden', StateStores<NotifyStateDocument>>;
  readonly storesDirect: StateStores<NotifyStateDocument>;
  readonly sinks: Record<SinkMode, InsightSink>;
  readonly queue: ReturnType<typeof createStorageWorkQueue>;
  readonly blobs: BlobServiceClient;
  clockAt(iteration: number): Clock;
}

async function buildWorld(services: SoakServices): Promise<World> {
  const { azurite, proxy, emulator, receivers } = services;
  const direct = blobConnection(azurite, hostOf(azurite.blobEndpoint));
  const config = parseConfig(
    soakSettings(services, {
      gatewayTimeoutInMs: GATEWAY_TIMEOUT_IN_MS,
      blobSink: { connectionString: direct, container: 'insights' },
      // The oracle counts per-server transitions: one message per notice, and no gateway-level notice
      // (grouping and inhibition have their own soak, group-soak.ts).
      notify: { for: 1, repeatInterval: REPEAT.text, outboxLimit: 1_000, grouping: 'server', inhibit: false },
    }),
  );
  const { deps, options } = withLogger(await buildRunServices(config, {}), quietLogger);
  const down = blobConnection(azurite, `127.0.0.1:${await closedPort()}`);
  return {
    emulator,
    proxy,
    receivers,
    deps,
    options,
    stores: {
      up: soakStateStores(blobConnection(azurite, proxy.host)),
      forbidden: soakStateStores(blobConnection(azurite, proxy.host, WRONG_KEY)),
    },
    // The soak's own view of the state (listing, re-sending, the final check): with retries, as above.
    storesDirect: soakStateStores(direct, 3),
    sinks: {
      // With the product's retries (3): the up sink is not a fault, and with none a kept-alive socket
      // Azurite closed between runs ("socket hang up", seed 1811372568) read as a failed sink.
      up: createBlobSink({ client: soakBlobClient(direct, 3), container: 'insights' }),
      down: createBlobSink({ client: soakBlobClient(down), container: 'insights' }),
      forbidden: createBlobSink({
        client: soakBlobClient(blobConnection(azurite, hostOf(azurite.blobEndpoint), WRONG_KEY)),
        container: 'insights',
      }),
    },
    queue: createStorageWorkQueue({
      connection: { connectionString: azurite.connectionString },
      queueName: 'soak-evaluate',
      // Not a fault source: the product's retries, so a closed kept-alive socket is not a failed run.
      httpOptions: { maxRetries: 3 },
    }),
    blobs: BlobServiceClient.fromConnectionString(azurite.connectionString),
    clockAt: (iteration) => {
      const at = new Date(T0 + iteration * STEP_IN_MS);
      return { now: () => at };
    },
  };
}

/** What one run meets. */
interface Plan {
  readonly mode: RunMode;
  readonly arm: ArmFaults;
  readonly state: StateMode;
  readonly sink: SinkMode;
  readonly receivers: readonly ReceiverMode[];
  /** A gateway whose state document is made invalid for this run (then restored). */
  readonly corrupt?: { readonly gatewayId: string; readonly content: string };
}

const none = (): ArmFaults => ({ gateways: new Map(), lists: new Map() });

function cleanPlan(): Plan {
  return { mode: 'direct', arm: none(), state: 'up', sink: 'up', receivers: ['ok', 'ok', 'ok'] };
}

function planRun(random: Random): Plan {
  const mode = random.weighted<RunMode>({ direct: 65, racing: 10, 'fan-out': 25 });
  const state = random.weighted<StateMode>({ up: 78, down: 5, forbidden: 5, flaky: 12 });
  const corrupt =
    state === 'up' && mode !== 'racing' && random.chance(0.05)
      ? {
          gatewayId: random.pick(GATEWAYS).id,
          content: random.pick([
            '{ "version": 1, "servers": {',
            '[]',
            '{ "version": 2, "servers": {}, "outbox": {} }',
          ]),
        }
      : undefined;
  return {
    mode,
    arm: chooseArmFaults(random, true),
    state,
    sink: random.weighted<SinkMode>({ up: 86, down: 7, forbidden: 7 }),
    receivers: [0, 1, 2].map(() => random.weighted(RECEIVER_MODES)),
    ...(corrupt ? { corrupt } : {}),
  };
}

function describePlan(plan: Plan): string {
  const arm = [...plan.arm.gateways.values(), ...plan.arm.lists.values()].map((f) => f.kind);
  return `${plan.mode}; ARM ${arm.join(', ') || 'clean'}; state ${plan.state}; sink ${plan.sink}; receivers ${plan.receivers.join('/')}`;
}

/** One run of the soak: serve the truth with the plan's faults, run, check what must hold at once. */
async function runOnce(
  world: World,
  iteration: number,
  truth: ReadonlyMap<string, Truth>,
  plan: Plan,
  figures: {
    runs: Record<string, number>;
    arm: Record<string, number>;
    storage: Record<string, number>;
    receivers: Record<string, number>;
    evaluated: number;
    failedReads: number;
    busyTimeouts: number;
  },
  violations: string[],
  mayRepeat: Set<string>,
  label: RunRecord['mode'] = plan.mode,
): Promise<RunRecord> {
  const where = `run ${iteration} (${describePlan(plan)})`;
  const clock = world.clockAt(iteration);
  world.emulator.serve(scenarioFor(truth, plan.arm));
  world.proxy.setMode(proxyMode(plan.state));
  world.receivers.forEach((r, i) => r.setMode(plan.receivers[i] ?? 'ok', iteration));
  bump(figures.runs, label);
  if (label !== 'drain') {
    for (const f of [...plan.arm.gateways.values(), ...plan.arm.lists.values()]) bump(figures.arm, f.kind);
    if (plan.state !== 'up') bump(figures.storage, `state ${plan.state}`);
    if (plan.sink !== 'up') bump(figures.storage, `blob sink ${plan.sink}`);
    for (const mode of plan.receivers) if (mode !== 'ok') bump(figures.receivers, mode);
  }
  const corruptBlob = plan.corrupt
    ? world.blobs
        .getContainerClient(STATE_CONTAINER)
        .getBlockBlobClient(`notify/${documentName(gatewayKey(plan.corrupt.gatewayId))}`)
    : undefined;
  let restore: (() => Promise<unknown>) | undefined;
  if (plan.corrupt && corruptBlob) {
    bump(figures.storage, 'state document invalid');
    const saved = await corruptBlob
      .exists()
      .then((exists) => (exists ? corruptBlob.downloadToBuffer() : undefined));
    // An early run may come before any run wrote the state (its container not made yet).
    await world.blobs.getContainerClient(STATE_CONTAINER).createIfNotExists();
    await corruptBlob.upload(plan.corrupt.content, Buffer.byteLength(plan.corrupt.content));
    restore = () => (saved ? corruptBlob.upload(saved, saved.length) : corruptBlob.delete());
  }

  const stores = plan.state === 'forbidden' ? world.stores.forbidden : world.stores.up;
  const deps: SoakDependencies = {
    ...world.deps,
    clock,
    sinks: [world.sinks[plan.sink]],
    notify: { ...(world.deps.notify as NonNullable<RunDependencies['notify']>), stores },
  };
  const requestsBefore = world.receivers.map((r) => r.requests.length);
  const reports = await execute(world, deps, plan.mode, iteration);

  // What must hold for this run alone.
  if (plan.corrupt && corruptBlob && restore) {
    const name = stateDocumentName(plan.corrupt.gatewayId);
    const named = reports.some((r) =>
      r.notifications?.stateErrors.some((e) => e.code === 'StateInvalid' && e.document === name),
    );
    if (!named) violations.push(`${where}: the invalid document ${name} was not reported as StateInvalid`);
    const now = (await corruptBlob.downloadToBuffer()).toString('utf8');
    if (now !== plan.corrupt.content)
      violations.push(`${where}: the invalid document ${name} was written over`);
    await restore();
  }
  if (plan.state === 'down' || plan.state === 'forbidden') {
    const sent = world.receivers.some((r, i) => r.requests.length > (requestsBefore[i] ?? 0));
    if (sent) violations.push(`${where}: notices were sent while the state store was ${plan.state}`);
    // Every report but a poisoned message's (which records the host giving up, and notifies nothing).
    const notifying = reports.filter(
      (r) => r.gateways.length === 0 || !r.gateways.every((g) => g.error?.code === 'Poisoned'),
    );
    for (const report of notifying) {
      if (!report.notifications?.stateErrors.some((e) => e.code === 'StateUnavailable'))
        violations.push(`${where}: a report does not say the state store is ${plan.state}`);
    }
  }
  for (const report of reports) {
    const sinkFailed = report.deliveryErrors.some((e) => e.sink === 'blob[insights]');
    if (plan.sink !== 'up' && !sinkFailed)
      violations.push(`${where}: the blob sink was ${plan.sink}; the report does not say so`);
    if (plan.sink === 'up' && report.deliveryErrors.length > 0)
      violations.push(`${where}: a sink failed: ${report.deliveryErrors.map((e) => e.message).join('; ')}`);
    for (const e of report.notifications?.stateErrors ?? []) {
      if (/deliveries are not recorded/.test(e.message)) {
        const gateway = GATEWAYS.find((g) => e.document === stateDocumentName(g.id));
        for (const d of report.notifications?.deliveries ?? []) {
          if (d.outcome === 'delivered' && gateway && d.server.startsWith(`${gateway.name}/`))
            mayRepeat.add(`${d.receiver}|${d.noticeId}`);
        }
      }
    }
  }

  // Which gateways were read, and for which the run was clean.
  const readOk = new Set<string>();
  const failedWith = new Map<string, string>();
  const stateTrouble = new Set<string>();
  for (const report of reports) {
    for (const g of report.gateways) {
      figures.evaluated++;
      if (g.ok) readOk.add(g.id.toLowerCase());
      else failedWith.set(g.id.toLowerCase(), `${g.error?.code}: ${g.error?.message}`);
    }
    for (const e of report.notifications?.stateErrors ?? []) stateTrouble.add(e.document ?? '');
  }
  const clean = new Set<string>();
  // Direct runs meet each fault as planned; racing and fanned-out runs share the faults' uses.
  const predictable = label === 'drain' || plan.mode === 'direct';
  for (const g of GATEWAYS) {
    const id = g.id.toLowerCase();
    const read = readOk.has(id);
    if (!read) figures.failedReads++;
    if (predictable) {
      const mustFail = readMustFail(plan.arm, g);
      const failure = failedWith.get(id);
      if (mustFail && read)
        violations.push(
          `${where}: ${g.name} was read although its read had to fail (${plan.arm.gateways.get(g.id)?.kind ?? plan.arm.lists.get(g.subscription)?.kind})`,
        );
      if (!mustFail && !read) {
        // A busy machine may use up the time-out; anything else is a false failure.
        if (failure && /no answer within/.test(failure)) figures.busyTimeouts++;
        else
          violations.push(
            `${where}: ${g.name} failed without a fault that fails it: ${failure ?? 'not in the report'}`,
          );
      }
    }
    const document = stateDocumentName(g.id);
    if (
      read &&
      plan.mode !== 'racing' &&
      !touched(plan.arm, g) &&
      plan.state === 'up' &&
      plan.corrupt?.gatewayId !== g.id &&
      !stateTrouble.has(document)
    )
      clean.add(id);
  }
  return { iteration, mode: label, at: clock.now().toISOString(), truth, reports, readOk, clean };
}

/** Runs the product once as the plan's mode says; every report it made. */
async function execute(
  world: World,
  deps: SoakDependencies,
  mode: RunMode,
  iteration: number,
): Promise<RunReport[]> {
  const runId = (n = 0) => `soak-${String(iteration).padStart(5, '0')}-${n}`;
  if (mode === 'direct') return [(await runChecks(deps, { ...world.options, runId: runId() })).report];
  if (mode === 'racing') {
    const both = await Promise.all([0, 1].map((n) => runChecks(deps, { ...world.options, runId: runId(n) })));
    return both.map((o) => o.report);
  }
  // Fan-out: the timer queues one message per gateway; each is processed as the queue function does,
  // and tried again (up to the host's tries here, 3) while it fails in a way that may pass. A running
  // operation's continuation is the next message (taken at once: the soak does not wait Retry-After).
  const id = runId();
  const timer = await startFanOut({ ...deps, queue: world.queue }, { ...world.options, runId: id });
  const reports: RunReport[] = [timer.report];
  await Promise.all(
    (timer.report.queued ?? []).map(async (gatewayId) => {
      let message: GatewayMessage = { version: 1 as const, runId: id, gatewayId };
      const continuations = memoryWorkQueue('continuations');
      for (let attempt = 1; attempt <= 3; attempt++) {
        const result = await processQueuedGateway(
          { ...deps, queue: continuations },
          { ...world.options, runId: id },
          message,
          { attempt },
        );
        if (result.kind === 'notWatched') throw result.error;
        if (result.kind !== 'finished') {
          // a new message: its own tries
          [message, attempt] = [result.kind === 'continued' ? result.continuation : result.message, 0];
          continue;
        }
        reports.push(result.report);
        if (!result.retryable) return;
      }
      // The poison queue's own tries: a sink that could not record it fails the try (the host tries
      // again, 3 times here); after the last, its failure is in the logs only.
      for (let poisonTry = 1; poisonTry <= 3; poisonTry++) {
        try {
          reports.push(await recordPoisonedGateway(deps, message, { attempt: poisonTry }));
          return;
        } catch (error) {
          if (!isDeliveryError(error)) throw error;
        }
      }
    }),
  );
  return reports;
}

/** After the drain: every state document reads and validates, and holds exactly the open episodes. */
async function checkFinalState(
  world: World,
  truth: ReadonlyMap<string, Truth>,
  violations: string[],
): Promise<void> {
  for (const g of GATEWAYS) {
    const store = world.storesDirect.forKey(gatewayKey(g.id));
    let doc: NotifyStateDocument;
    try {
      doc = parseStateDocument((await store.read())?.value, store.name);
    } catch (error) {
      violations.push(`at the end, ${store.name} cannot be read: ${(error as Error).message}`);
      continue;
    }
    const records = new Map(Object.values(doc.servers).map((r) => [serverKey(r.gateway.id, r.address), r]));
    for (const address of g.addresses) {
      const key = serverKey(g.id, address);
      const t = truth.get(key);
      const record = records.get(key);
      if (t?.kind === 'bad') {
        if (!record?.notified)
          violations.push(`at the end, ${key} is bad but its state has no announced episode`);
        else if (record.probeLog !== BAD_PROBE_LOGS[t.log])
          violations.push(`at the end, ${key}'s state holds another cause`);
      } else if (record) {
        violations.push(`at the end, ${key} is ${t?.kind} but its state still holds an episode`);
      }
    }
  }
}

/** `receiver|id` pairs accepted more than once. */
function repeatedPairs(requests: readonly { receiver: string; id: string; accepted: boolean }[]): number {
  const seen = new Map<string, number>();
  for (const r of requests)
    if (r.accepted) seen.set(`${r.receiver}|${r.id}`, (seen.get(`${r.receiver}|${r.id}`) ?? 0) + 1);
  return [...seen.values()].filter((n) => n > 1).length;
}

function countTransitions(
  before: ReadonlyMap<string, Truth>,
  after: ReadonlyMap<string, Truth>,
  counts: Record<string, number>,
): void {
  for (const [key, now] of after) {
    const was = before.get(key);
    if (!was) continue;
    if (was.kind !== now.kind) bump(counts, `${was.kind} → ${now.kind}`);
    else if (was.kind === 'bad' && now.kind === 'bad' && was.log !== now.log)
      bump(counts, 'bad → bad, another cause');
  }
}

/** The three probe messages must mean three causes, or a change of message would not be a transition. */
function assertDistinctCauses(): void {
  const ids = BAD_PROBE_LOGS.map((probeLog) => classifyCause({ state: 'unhealthy', probeLog }).id);
  if (new Set(ids).size !== ids.length)
    throw new Error(`the soak's probe messages share a cause: ${ids.join(', ')}`);
}

function hostOf(url: string): string {
  return new URL(url).host;
}
