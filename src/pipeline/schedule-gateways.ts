import { fifoSemaphore, placeHold } from '../core/fifo-semaphore';
import type { CallOptions, ProcessLoad, SubscriptionPacer } from '../ports';

/** `concurrency` as configured: `"auto"` (bounded by pacing) or a cap on gateways in flight. */
export type Concurrency = number | 'auto';

/**
 * Most gateways in flight with `"auto"` and a pacer. What bounds a paced run is ARM's writes bucket
 * (10 backendhealth POSTs a second per subscription, src/core/pacing/request-limits.ts) times the
 * operation's length (30–90 s live): one subscription alone can keep 300–900 gateways busy, 50 of
 * them far more, and a direct run past this ceiling takes about (gateways / ceiling) × the
 * operation's length. The ceiling is memory: a gateway waiting for its operation holds its timers,
 * abort signals and async frames, 11–20 KB of heap measured (README "Memory"); its body and
 * rendered insights wait at ARM until it has a place to render (RUN_RENDERING_GATEWAYS), and its POST
 * until it has a place to start (RUN_STARTING_GATEWAYS). At 5 000 in flight a run peaked at 248 MiB
 * RSS, the 250 MB issue 14 allows at 20 000 gateways; 1 000 before those two bounds (its bodies and
 * POSTs piling up: 344 MiB at 5 000). Past it, a number can be configured.
 */
export const AUTO_IN_FLIGHT_CEILING = 5_000;

/**
 * Gateways in flight with `"auto"` below which the process's load is not asked: a lag that has another
 * cause (a long garbage collection, a slow sink) never stalls the run.
 */
export const AUTO_MIN_IN_FLIGHT = 32;

/**
 * `"auto"` without a pacer (tests, `evaluate`: no ARM answers to pace by): the old default cap, so
 * nothing unpaced ever runs wide.
 */
export const AUTO_UNPACED_CONCURRENCY = 8;

export interface ScheduleOptions {
  readonly concurrency: Concurrency;
  /** Absent: no pacing (as `mapBounded`, with `"auto"` read as AUTO_UNPACED_CONCURRENCY). */
  readonly pacer?: SubscriptionPacer;
  /**
   * The run's interruption: once it fires, no gateway waits for pacing any more; each remaining one is
   * handed to `fn` at once, which returns without work for a stopped run (run-checks.ts).
   */
  readonly stop?: AbortSignal;
  /**
   * With `"auto"` and a pacer: past AUTO_MIN_IN_FLIGHT gateways in flight, the next one is admitted
   * only once the process keeps up. A CPU-bound run gains no throughput from more gateways in flight,
   * only memory: each holds its requests, connections and results meanwhile, long enough (the run
   * lagging) to be promoted to V8's old generation (bench/README.md "Scale"). Absent: not asked.
   */
  readonly load?: ProcessLoad;
  /**
   * Most gateways starting at once: from before their pacing admission until their operation has
   * started (`fn`'s `started`, called when its POST is answered) or `fn` ends. So the POSTs a subscription's
   * burst admits together go out as connections free up, each sent as soon as it is admitted, rather
   * than waiting in the HTTP agent's line with their requests made (RUN_STARTING_GATEWAYS). Absent: no
   * such bound.
   */
  readonly startingAtOnce?: number;
}

/**
 * Most gateways of a direct run starting at once (ScheduleOptions.startingAtOnce): two per connection
 * the run keeps to ARM (src/adapters/arm/client.ts ARM_MAX_CONNECTIONS, 128). Unbounded, 50
 * subscriptions' bursts admitted about 4 300 POSTs together, waiting in the agent's line for one of
 * the 128 connections with their SDK requests made: about 100 MB of heap (23 KB each; README
 * "Memory"). A gateway waiting for this place holds nothing but its place in its lane.
 */
export const RUN_STARTING_GATEWAYS = 256;

/**
 * Runs `fn` for every gateway, results in input order, as `mapBounded` does (`fn` returns a result per
 * gateway and never throws for one: the run-checks contract), but with a pacer each gateway starts only
 * once its subscription may take a write (its backendhealth POST; every GET it then makes is a read,
 * about as many, under ARM's larger read bucket): gateways of one subscription are admitted in input
 * order, one lane per subscription, and the lanes share the in-flight cap in turn (a lane waits for a
 * free place with at most one admitted gateway, so many subscriptions run side by side and a throttled
 * one holds at most one place). `fn`, and so the gateway's time-out, starts after admission.
 * A pacer that fails lets the gateway go unpaced: pacing never loses a gateway. With `"auto"` and
 * `load`, a lane also waits, before asking the pacer, while the process does not keep up (ScheduleOptions.load).
 * `fn`'s `started`: its operation has started (ScheduleOptions.startingAtOnce); its `leftFlight`: it
 * no longer counts against the in-flight cap though it has not ended (a gateway whose notices wait for
 * a receiver's first answer, or that waits out a 429: run-checks.ts); each once, and both are done for
 * it when it ends.
 */
export function scheduleGateways<T extends { readonly subscriptionId: string }, R>(
  gateways: readonly T[],
  options: ScheduleOptions,
  fn: (gateway: T, index: number, started: () => void, leftFlight: () => void) => Promise<R>,
): Promise<R[]> {
  return scheduleListedGateways(
    async (add) => {
      add(gateways);
    },
    options,
    fn,
  );
}

/**
 * scheduleGateways for gateways that arrive in batches (each target's, as its listing ends): `list`
 * is called once with `add`, and each gateway given to `add` is scheduled at once, behind those given
 * before it in its lane, under the same in-flight cap, pacing and load gate; `index` counts them in the
 * order given. Resolves, results in that order, once `list` has resolved and every gateway given ended.
 * A target whose listing hangs until its time-out held back every other target's gateways (a break
 * trial: gatewayTimeoutInMs, 5 min by default, before the first POST). Without a pacer the gateways
 * run in the order given, at most `concurrency` (`"auto"`: AUTO_UNPACED_CONCURRENCY) at once. A throw
 * of `list` or of `fn` (a bug: neither may throw) rejects, once every started call ended.
 */
export async function scheduleListedGateways<T extends { readonly subscriptionId: string }, R>(
  list: (add: (gateways: readonly T[]) => void) => Promise<void>,
  options: ScheduleOptions,
  fn: (gateway: T, index: number, started: () => void, leftFlight: () => void) => Promise<R>,
): Promise<R[]> {
  const { pacer, concurrency } = options;
  const starting =
    options.startingAtOnce === undefined ? undefined : fifoSemaphore(Math.max(1, options.startingAtOnce));
  const places = fifoSemaphore(
    pacer
      ? concurrency === 'auto'
        ? AUTO_IN_FLIGHT_CEILING
        : Math.max(1, concurrency)
      : concurrency === 'auto'
        ? AUTO_UNPACED_CONCURRENCY
        : Math.max(1, concurrency),
  );
  const load = pacer && concurrency === 'auto' ? options.load : undefined;
  // Gateways past the load's gate and not yet ended: in flight, or waiting for pacing or a place.
  let inFlight = 0;
  // Set while a lane waits for the load: called when a gateway's end takes the count below the floor.
  let belowFloor: (() => void) | undefined;
  const ended = () => {
    inFlight -= 1;
    if (inFlight < AUTO_MIN_IN_FLIGHT) belowFloor?.();
  };
  /**
   * Past the floor, waits until the load says the process keeps up, or until gateways ending take the
   * count below the floor (a process that never keeps up, whatever the cause, still runs the floor).
   */
  const waitForLoad = async (ready: ProcessLoad['ready']): Promise<void> => {
    if (inFlight < AUTO_MIN_IN_FLIGHT || options.stop?.aborted) return;
    const done = new AbortController();
    const floor = new Promise<void>((resolve) => (belowFloor = resolve));
    try {
      await Promise.race([
        ready({ abortSignal: options.stop ? AbortSignal.any([options.stop, done.signal]) : done.signal }),
        floor,
      ]);
    } finally {
      belowFloor = undefined;
      done.abort(); // the load stops asking
    }
  };
  // One lane at a time passes the gate, in turn, so each sees the others' count.
  let loadTurn: Promise<void> = Promise.resolve();
  const throughLoadGate = (): Promise<void> => {
    if (!load) {
      inFlight += 1;
      return Promise.resolve();
    }
    loadTurn = loadTurn
      .then(() => waitForLoad((o) => load.ready(o)))
      // As with the pacer: a load that fails to answer must not cost a gateway.
      .catch(() => undefined)
      .then(() => {
        inFlight += 1;
      });
    return loadTurn;
  };

  /**
   * A wait on the pacer (its admission, the end of a pause), unless there is none or the run stopped.
   * Pacing is an optimisation: a pacer that fails must not cost a gateway; a stopped run's wait is cut
   * short and `fn` returns at once.
   */
  const paced = async (wait: (p: SubscriptionPacer, o: CallOptions) => Promise<void>): Promise<void> => {
    if (!pacer || options.stop?.aborted) return;
    try {
      await wait(pacer, options.stop ? { abortSignal: options.stop } : {});
    } catch {
      // See above.
    }
  };

  const results: R[] = [];
  // A bug in `fn` (it must not throw) fails the run, once every started call ended.
  let failure: { readonly error: unknown } | undefined;
  const running: Promise<void>[] = [];
  /** One lane per subscription with a pacer, one for all without: its gateways not started yet. */
  interface Lane {
    readonly waiting: Array<{ readonly gateway: T; readonly index: number }>;
    draining: boolean;
  }
  const lanes = new Map<string, Lane>();
  const drainers: Promise<void>[] = [];
  /** Starts the lane's gateways in order; ends, in the same turn as it finds the lane empty. */
  const drain = async (lane: Lane): Promise<void> => {
    for (let next = lane.waiting.shift(); next !== undefined; next = lane.waiting.shift()) {
      const { gateway, index } = next;
      await throughLoadGate();
      // Not while a 429 pauses its subscription's reads: started now, it would hold its place in
      // flight (of a numeric `concurrency`) for the pause, its polls unread; a trial's subscription
      // paused 60 s at a time held every place of `concurrency: 10`, and a healthy subscription's
      // gateways waited a minute for one. Holding no starting place meanwhile.
      await paced((p, o) => p.resumed(gateway.subscriptionId, 'reads', o));
      // Before the admission, so an admitted gateway's POST goes at once (ScheduleOptions.startingAtOnce).
      const start = starting && placeHold(starting);
      try {
        await start?.take(options.stop ? { abortSignal: options.stop } : {});
      } catch {
        // Stopped: `fn` returns at once.
      }
      const started = () => start?.giveBack();
      await paced((p, o) => p.admit(gateway.subscriptionId, 'writes', o));
      const flight = placeHold(places);
      await flight.take();
      const leftFlight = () => flight.giveBack();
      running.push(
        fn(gateway, index, started, leftFlight).then(
          (result) => {
            results[index] = result;
            started();
            ended();
            leftFlight();
          },
          (error: unknown) => {
            started();
            ended();
            leftFlight();
            failure ??= { error };
          },
        ),
      );
    }
    // Synchronously after the lane was found empty: a gateway added from now on starts a new drain.
    lane.draining = false;
  };
  let given = 0;
  const add = (gateways: readonly T[]): void => {
    for (const gateway of gateways) {
      const key = pacer ? gateway.subscriptionId.toLowerCase() : '';
      let lane = lanes.get(key);
      if (!lane) {
        lane = { waiting: [], draining: false };
        lanes.set(key, lane);
      }
      lane.waiting.push({ gateway, index: given++ });
      if (!lane.draining) {
        lane.draining = true;
        drainers.push(drain(lane));
      }
    }
  };
  let listFailure: { readonly error: unknown } | undefined;
  try {
    await list(add);
  } catch (error) {
    listFailure = { error };
  }
  // No drain starts once `list` has resolved: every one is in `drainers`.
  await Promise.all(drainers);
  await Promise.all(running);
  if (listFailure) throw listFailure.error;
  if (failure) throw failure.error;
  results.length = given;
  return results;
}
