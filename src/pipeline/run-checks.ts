import type { ConfigSource } from '../core/follow-up-command';
import { counted } from '../core/counted';
import { randomBytes } from 'node:crypto';
import type { ParsedArticle } from '../articles';
import type { Target } from '../core/arm-id';
import type { ConfigurableState } from '../core/health';
import type { NotifyPolicy } from '../core/notice/decide';
import type { GatewayRef } from '../core/model';
import type { RunInterruptionReport, RunReport } from '../core/run-report';
import { isRunInterruptedError, RunInterruptedError } from '../errors';
import type {
  AnswerPlace,
  BackendHealthReader,
  Clock,
  DeliveryReceipt,
  GatewayConfigReader,
  GatewayDirectory,
  InsightSink,
  SubscriptionPacer,
  RunProgress,
  Scratch,
  Telemetry,
  ProcessLoad,
} from '../ports';
import { deliverGatewayResult, deliverRunReport } from './deliver-run-report';
import { expandTargets, type ExpandedTargets } from './expand-targets';
import { gatewayWarnings } from './gateway-warnings';
import type { Logger } from './logger';
import { mergeNotifyOutcomes, notifyUnvisited, type NotifyServices } from './notify/notify-gateways';
import { goneCheckFor, UNREAD_CHECK_TIMEOUT_IN_MS } from './notify/confirm-gone';
import { logNotifyProblems } from './notify/undelivered-summary';
import type { NotifyOutcome } from './notify/notify-on-change';
import { processGateway, type ProcessedGateway } from './process-gateway';
import { emitRunTelemetry } from './emit-telemetry';
import { fifoSemaphore, placeHold } from '../core/fifo-semaphore';
import { RUN_STARTING_GATEWAYS, scheduleListedGateways, type Concurrency } from './schedule-gateways';
import { renderBacklog } from './render-backlog';
import { runInterruption } from './run-interruption';
import { createSinkFailures } from './sink-failures';
import { memoryScratch } from './memory-scratch';
import { createSpool, type SpoolEntry } from './spool';
import { listedConfigurations } from './listed-configurations';
import { createReportEntries } from './report-entries';
import { buildStatusPage, writtenHistories } from './status/build-status-page';
import { recordDeletion, recordHistory, undeliveredSinks } from './status/record-history';
import type { StatusServices } from './status/status-services';
import { gatewayKey } from '../core/arm-id';
import { gatewayKeys } from '../core/gateway-keys';

export interface RunDependencies {
  readonly directory: GatewayDirectory;
  readonly reader: BackendHealthReader;
  /** The gateway's configuration, read for a gateway with findings (check-gateway.ts); absent: not read. */
  readonly configReader?: GatewayConfigReader;
  readonly sinks: readonly InsightSink[];
  /** Notify on change (webhooks + state); absent when no receiver is configured. */
  readonly notify?: NotifyServices;
  readonly clock: Clock;
  readonly article: ParsedArticle;
  readonly logger: Logger;
  /** Where the run's telemetry records go (Application Insights in the Functions app). */
  readonly telemetry: Telemetry;
  /** Paces gateways by their subscription's ARM write bucket (schedule-gateways.ts); absent: unpaced. */
  readonly pacer?: SubscriptionPacer;
  /** With `concurrency: "auto"`, no more gateways are admitted while the process does not keep up; absent: not asked. */
  readonly load?: ProcessLoad;
  /** How far the run is, for a person watching (the CLI's progress line); none by default. */
  readonly progress?: RunProgress;
  /** The status page: each gateway's history, and `index.html` with the report; absent: none. */
  readonly status?: StatusServices;
  /**
   * A run's temporary files (one Scratch per call, disposed by the outcome's `dispose`, or when the run
   * throws): the status page's material and the gateways' report entries are kept there instead of in
   * memory (src/adapters/files/temp-scratch.ts for the CLI); absent: in memory (pipeline/memory-scratch.ts).
   */
  readonly scratch?: () => Scratch;
}

export interface RunOptions {
  readonly targets: readonly Target[];
  readonly unhealthyStates: readonly ConfigurableState[];
  /** `"auto"`: as many gateways as ARM's limits admit (schedule-gateways.ts), or at most this many. */
  readonly concurrency: Concurrency;
  readonly gatewayTimeoutInMs: number;
  readonly notifyPolicy: NotifyPolicy;
  readonly runId?: string;
  /** `runDeadlineInMs`: past it (from the run's start) the run stops as on a stop signal; none by default. */
  readonly runDeadlineInMs?: number;
  /**
   * `discovery.names` (APPGW_DISCOVERY_NAMES), when set: a queued message's gateway whose name none of
   * these globs matches is not watched (fan-out.ts), as the timer's discovery would not list it. The
   * listing applies them itself (the discovery directory); absent or empty: any name.
   */
  readonly discoveryNames?: readonly string[];
  /**
   * Aborted (with a RunInterruptedError as its reason) to stop the run: the CLI's SIGINT, SIGTERM ….
   * The run then starts no gateway, cuts the reads in flight short, and writes its report.
   */
  readonly stop?: AbortSignal;
  /**
   * Where the run's configuration came from, as the follow-up commands of its warnings name it
   * (`re-send: appgw-insights notify resend …`; follow-up-command.ts); absent: `--config FILE`.
   */
  readonly configSource?: ConfigSource;
}

export interface RunOutcome {
  /**
   * The run's report, with every sink failure of the run in `deliveryErrors`. Its `gateways` are read
   * from the run's scratch as they are asked for (report-entries.ts): read it before `dispose`.
   */
  readonly report: RunReport;
  /** What each sink did with the run's report (its last delivery). */
  readonly receipts: ReadonlyArray<{ readonly sink: string; readonly receipt: DeliveryReceipt }>;
  /**
   * Removes the run's temporary files (RunDependencies.scratch), the report's gateway entries with them;
   * never throws, and twice is fine. Until then they stay (and are removed when the process exits).
   */
  dispose(): Promise<void>;
}

/**
 * Most gateways of a direct run with their backend-health body at hand at once: reading their
 * operation's answer, rendering their insights, notifying, delivering to the sinks and recording their
 * history. A gateway takes its place before the poll that may bring its body (the reader's
 * answerPlace; given back while the operation still runs), so the bodies of thousands of operations
 * ending together wait at ARM, not here; the wait for a place is not counted in its time-out. Without
 * it, a CPU-bound run had 300–750 gateways delivering at once (file system work, which does not lag
 * the event loop, so the load's gate kept admitting), each holding its rendered insights (about 30 KB
 * each) and its writes' buffers for seconds, long enough to be promoted to V8's old generation (README
 * "Memory"). It never holds a gateway's POST or the wait for its operation: ARM's operations, 30–90 s
 * live, still run as wide as pacing admits.
 */
export const RUN_RENDERING_GATEWAYS = 64;

/**
 * Most gateways of a direct run that gave their render place back while notify waits for another send
 * to find out whether a receiver answers (process-gateway.ts receiverWaitPlace): a receiver that hangs
 * is found out by one send, up to its send budget (receiver-breaker.ts), and every gateway with a
 * notice for it waits for that send, with its rendered insights. Keeping their render places, 64 such
 * gateways held every place and the others waited a minute (a break trial: 64 with notices and 300
 * healthy, 59 s for about 5 s of work); giving them back without a bound, 1 290 piled up (539 MB).
 * Past this many, the others keep theirs. A receiver known to be up (its line moves) is waited for
 * with the place kept.
 */
export const RUN_GATEWAYS_WAITING_ON_RECEIVERS = 128;

/**
 * What the run keeps of a gateway once it is delivered: where its report entry is (in the run's scratch:
 * report-entries.ts) and its notify outcome; never its rendered insights.
 */
interface GatewayDone {
  readonly entry: SpoolEntry;
  readonly notify?: NotifyOutcome;
}

/**
 * The direct run (CLI, no queue): expand targets → process every gateway (evaluate + notify,
 * concurrently, paced per subscription by ARM's limits and bounded, each with its own time-out from
 * its admission) and deliver it to every sink as soon as it is done
 * (scope `gateway`: its insights and result; only its result is kept, its report entry in the run's
 * scratch: report-entries.ts) → notify for deleted gateways →
 * the run's report, built from the gateways' results, to every sink (scope `report`, with the status
 * page when `status` is given: each gateway's reading is added to its history as it is done, and the
 * page is made from the histories at the end) → its telemetry records (core/telemetry-records.ts).
 * Memory: each gateway's notify outcome and where its report entry is, and until it is checked where
 * its listed configuration is (listed-configurations.ts: the insights' configuration without a GET);
 * never its rendered insights.
 * The outcome's report reads its gateways from the scratch: call its `dispose` once it is read.
 *
 * Interrupted (`stop`, or `runDeadlineInMs` passed), the run starts no more gateways, cuts the reads in
 * flight short, skips the deleted gateways' notify (it would read the not-done ones as unvisited), and
 * writes its report with `interrupted` (why, and the gateways not done: neither evaluated nor failed,
 * nothing decided or sent for them). What it finished was delivered already.
 *
 * Nothing here throws for one gateway, target, receiver or sink: failures are recorded in the report
 * and the rest carry on. The Functions app runs the same steps spread over a queue.
 */
export async function runChecks(deps: RunDependencies, options: RunOptions): Promise<RunOutcome> {
  const startedAt = deps.clock.now();
  const runId = options.runId ?? newRunId(startedAt);
  const interruption = runInterruption(options);
  const stop = interruption.signal;
  // Disposed by the outcome (its report reads its gateways from it), or here when the run throws.
  const scratch = deps.scratch?.() ?? memoryScratch();
  try {
    // What the listings gave of each gateway's configuration, until its findings need it: in the scratch.
    const listed = listedConfigurations(
      createSpool(scratch, deps.logger, "the listed gateways' configurations"),
    );
    const sinkFailures = createSinkFailures();
    // This run's history documents as written, for the status page at the end (not read again from the
    // store): in the run's scratch file, not in memory.
    const written = writtenHistories(createSpool(scratch, deps.logger, 'status page histories'));
    // Each gateway's report entry, until the report is written: in the scratch too.
    const entries = createReportEntries(createSpool(scratch, deps.logger, "the report's gateway entries"));
    // Gateways whose history could not be read or written: on the page from this run's reading alone.
    const withoutHistory: string[] = [];
    const rendering = fifoSemaphore(RUN_RENDERING_GATEWAYS);
    const waitingOnReceivers = fifoSemaphore(RUN_GATEWAYS_WAITING_ON_RECEIVERS);
    // Those waiting for one: past as many again, `"auto"` admits no new gateway (render-backlog.ts).
    const backlog = renderBacklog(RUN_RENDERING_GATEWAYS);
    const eventLoop = deps.load;
    const load: ProcessLoad = {
      async ready(callOptions) {
        await backlog.ready(callOptions);
        await eventLoop?.ready(callOptions);
      },
    };
    /** A processed gateway, delivered to the sinks and recorded for the status page: its result. */
    const deliverProcessed = async (
      gateway: GatewayRef,
      key: string,
      gatewayStartedAt: Date,
      processed: ProcessedGateway,
    ): Promise<GatewayDone | undefined> => {
      if (processed.interrupted) return undefined;
      for (const warning of gatewayWarnings(processed.report)) deps.logger.warn(warning);
      const delivered = await deliverGatewayResult(
        deps,
        { ...processed, runId, startedAt: gatewayStartedAt },
        sinkFailures,
      );
      // The sinks that did not take it: the page's links to its insights may open nothing there.
      const undelivered = undeliveredSinks(delivered.sinks.errors);
      if (deps.status) {
        const recorded = await recordHistory(deps.status, gateway, processed, deps.clock.now(), {
          undelivered,
        });
        // Shown even when its history failed (this reading alone), and the page says so.
        await written.add(key, recorded.doc);
        if (recorded.error) {
          sinkFailures.add([recorded.error]);
          withoutHistory.push(gateway.name);
        }
      }
      // Which sinks did not take it, beside it in report.json: past the 10 failures listed per sink,
      // the summary printed its insight paths as written (a break trial).
      const sinks = [...new Set(undelivered.map((u) => u.sink))];
      const entry = await entries.add(
        sinks.length > 0 ? { ...processed.report, undelivered: sinks } : processed.report,
      );
      deps.progress?.gatewayDone();
      return { entry, ...(processed.notify ? { notify: processed.notify } : {}) };
    };

    /** One gateway checked, delivered and recorded: its result; undefined once the run is stopped. */
    const checkOne = async (
      gateway: GatewayRef,
      key: string,
      operationStarted: () => void,
      leftFlight: () => void,
    ): Promise<GatewayDone | undefined> => {
      if (stop.aborted) return undefined;
      const gatewayStartedAt = deps.clock.now();
      // Its place among RUN_RENDERING_GATEWAYS, taken before the poll that may bring its body (given
      // back while the operation still runs), held until it is delivered and recorded (or whatever
      // ends it).
      const rendered = placeHold(rendering);
      const renderPlace: AnswerPlace = {
        async take(callOptions) {
          if (rendered.held) return;
          backlog.entered();
          try {
            await rendered.take(callOptions);
          } finally {
            backlog.left();
          }
        },
        giveBack: () => rendered.giveBack(),
      };
      // A gateway that moves to one of these places (its notices wait for a receiver's first answer)
      // leaves its in-flight place too: with a numeric `concurrency`, gateways waiting on a receiver
      // that hangs held every place, and the run's other gateways waited a send budget (a minute).
      const waitingHold = placeHold(waitingOnReceivers);
      const receiverWaitPlace = {
        tryTake: () => {
          if (!waitingHold.tryTake()) return false;
          leftFlight();
          return true;
        },
        giveBack: () => waitingHold.giveBack(),
      };
      try {
        const listedConfiguration = () => listed.take(gateway);
        return await deliverProcessed(
          gateway,
          key,
          gatewayStartedAt,
          await processGateway(gateway, {
            ...deps,
            ...options,
            runId,
            stop,
            renderPlace,
            receiverWaitPlace,
            onOperationStarted: operationStarted,
            // Waiting out a 429 (its own, or its subscription's pause) past 3 s, it leaves the in-flight
            // count as one waiting on a receiver does: a trial's `concurrency: 10` was held whole by a
            // subscription paused 60 s at a time, and another subscription's gateways waited.
            onHeldByThrottle: leftFlight,
            listedConfiguration,
          }),
        );
      } finally {
        listed.forget(gateway);
        renderPlace.giveBack();
        receiverWaitPlace.giveBack();
      }
    };

    // Each target's gateways start as soon as its listing ends: a listing that hangs until its time-out
    // holds back no other target's (scheduleListedGateways).
    let expanded: ExpandedTargets = { targets: [], gateways: [], isGone: () => false };
    // The listings' copy of each gateway's key is the one its result, its history and doneByKey hold.
    const keys = gatewayKeys();
    const doneByKey = new Map<string, GatewayDone | undefined>();
    await scheduleListedGateways<GatewayRef, void>(
      async (add) => {
        expanded = await expandTargets(deps.directory, options.targets, {
          timeoutInMs: options.gatewayTimeoutInMs,
          logger: deps.logger,
          stop,
          ...(deps.pacer ? { pacer: deps.pacer } : {}),
          ...(deps.configReader ? { keepConfigurations: (c) => listed.keep(c) } : {}),
          keys,
          onListed: (gateways) => {
            if (gateways.length > 0) deps.progress?.listed?.(gateways.length);
            add(gateways);
          },
        });
        deps.logger.info(
          `run ${runId}: ${counted(expanded.gateways.length, 'gateway')} from ${counted(expanded.targets.length, 'target')}`,
        );
        deps.progress?.started(expanded.gateways.length);
      },
      {
        concurrency: options.concurrency,
        stop,
        ...(deps.pacer ? { pacer: deps.pacer } : {}),
        load,
        startingAtOnce: RUN_STARTING_GATEWAYS,
      },
      async (gateway, _, started, leftFlight) => {
        // One key per gateway, its result's and its history's (each a copy of its id otherwise).
        const key = keys.keyOf(gateway);
        doneByKey.set(key, await checkOne(gateway, key, started, leftFlight));
      },
    );
    deps.progress?.finished();
    // In the order the targets list them, whichever listing ended first.
    const done = expanded.gateways.map((g) => doneByKey.get(gatewayKey(g.id)));

    const cut = stop.aborted ? interruptionReport(stop.reason, expanded.gateways, done) : undefined;
    if (cut) deps.logger.warn(`run ${runId}: ${cut.message}`);
    // Unvisited gateways are those of no target: an interrupted run's not-done gateways are in its
    // targets, but the next run does this step whole rather than guess from half a run.
    const unvisited = cut
      ? []
      : await notifyUnvisited(
          deps.notify,
          expanded,
          deps.clock,
          options.notifyPolicy,
          runId,
          goneCheckFor(deps, options.gatewayTimeoutInMs, stop),
          goneCheckFor(deps, Math.min(options.gatewayTimeoutInMs, UNREAD_CHECK_TIMEOUT_IN_MS), stop),
        );
    // Stopped while ARM was asked about the gateways no target holds (every gateway done): those it did
    // not answer stay unread, and the run says it was interrupted, never `ok` (a break trial).
    const interrupted =
      cut ?? (stop.aborted ? interruptionReport(stop.reason, expanded.gateways, done) : undefined);
    if (interrupted && !cut) deps.logger.warn(`run ${runId}: ${interrupted.message}`);
    // Gateways no target holds that ARM confirmed deleted: their page sections say so.
    if (deps.status)
      for (const gone of unvisited.flatMap((o) => o.deletedGateways ?? [])) {
        const recorded = await recordDeletion(deps.status, gone, deps.clock.now());
        await written.add(gatewayKey(gone.id), recorded.doc);
        if (recorded.error) sinkFailures.add([recorded.error]);
      }
    const finished = done.filter((d): d is GatewayDone => d !== undefined);
    const notify = deps.notify
      ? mergeNotifyOutcomes([...finished.flatMap((d) => (d.notify ? [d.notify] : [])), ...unvisited])
      : undefined;
    if (notify) logNotifyProblems(notify, deps.logger, options.configSource);

    const statusPage = deps.status
      ? await buildStatusPage(deps.status, {
          now: deps.clock.now(),
          runStartedAt: startedAt,
          written,
          scratch,
          withoutHistory,
          // So a gateway it did not read says why: cut short, or its target could not be listed.
          run: {
            ...(interrupted
              ? { interrupted: { message: interrupted.message, notDone: interrupted.notDone } }
              : {}),
            failedTargets: expanded.targets.flatMap((t) =>
              !t.ok && t.error ? [{ id: t.id, error: { code: t.error.code, message: t.error.message } }] : [],
            ),
            listedTargets: expanded.targets.filter((t) => t.ok).map((t) => t.id),
          },
        })
      : undefined;
    if (statusPage) sinkFailures.add(statusPage.errors);

    // The sinks get the failures of the gateways' deliveries; the outcome adds the report's own.
    const { report, sinks } = await deliverRunReport(
      deps,
      {
        scope: 'report',
        insights: [],
        runId,
        startedAt,
        finishedAt: deps.clock.now(),
        targets: expanded.targets,
        gateways: entries.view(finished.map((d) => d.entry)),
        ...(notify ? { notify } : {}),
        ...(interrupted ? { interrupted } : {}),
        ...(statusPage?.page ? { statusPage: statusPage.page } : {}),
        ...(statusPage?.keepPublished === true ? { keepPublishedPage: true } : {}),
      },
      sinkFailures,
    );
    emitRunTelemetry(deps.telemetry, report, { step: 'run' });
    return { report, receipts: sinks.receipts, dispose: () => scratch.dispose() };
  } catch (error) {
    await scratch.dispose();
    throw error;
  } finally {
    interruption.dispose();
  }
}

/** The report's `interrupted`: why, and the gateways not done, in the order they were listed. */
function interruptionReport(
  reason: unknown,
  gateways: readonly GatewayRef[],
  done: ReadonlyArray<GatewayDone | undefined>,
): RunInterruptionReport {
  const error = isRunInterruptedError(reason)
    ? reason
    : new RunInterruptedError({ by: 'signal', signal: 'abort' });
  return {
    ...error.stop,
    message: error.message,
    notDone: gateways.flatMap((gateway, i) => (done[i] === undefined ? [gateway.id] : [])),
  };
}

/** Sortable and unique enough: `20261126T042718Z-3f9a1c`. */
export function newRunId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
