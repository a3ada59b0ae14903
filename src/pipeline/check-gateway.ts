import type { ParsedArticle } from '../articles';
import { countNotReported, type NotReportedCounts } from '../core/not-reported';
import { evaluateBackendHealth, listServerEntries, type ListedServerEntry } from '../core/evaluate';
import type { ConfigurableState } from '../core/health';
import type { GatewayRef } from '../core/model';
import { BackendHealthUnavailableError, isGatewayNotFoundError, toError } from '../errors';
import { composeInsight, type Insight } from '../insight/insight';
import type { AnswerPlace, BackendHealthReader, Clock, GatewayConfigReader, QuotaWait } from '../ports';
import { PLACE_KEPT_THROUGH_A_WAIT_IN_MS } from '../core/place-kept';
import type { GatewayConfig, GatewayConfigReading } from '../core/gateway-config';
import type { BackendHealthBody, Finding } from '../core/model';
import { exactCause } from '../core/exact-steps';
import { withConfiguration } from '../core/finding-configuration';
import { gatewayConfigurationReport } from '../core/configuration-report';
import type { GatewayConfigFailureKind } from '../core/gateway-config';
import { gatewayFields, type GatewayReport } from '../core/run-report';
import { reportedError } from '../core/reported-error';
import { listsAnyServer, poolsListedEmpty, poolsNotRead, tellsCoverage } from '../core/reading-coverage';
import { clipMessage } from '../core/text-clip';
import { withTimeout, type PauseClock } from './timeout';
import { keptAtMost, stopOptions } from './held-place';
import { readConfigurationWithin } from './read-configuration';
import { backendHealthTimedOut, lastFailedAttempt, ownQuotaWaits, type ThrottleMemory } from './timed-out';

export interface CheckGatewayOptions {
  readonly reader: BackendHealthReader;
  /**
   * Reads the gateway's configuration when it has findings (one GET), so each insight shows the probe's
   * real values and exact commands; absent (`evaluate`: a saved body): the insights keep the general steps.
   */
  readonly configReader?: GatewayConfigReader;
  /**
   * The gateway's configuration as its target's listing gave it (a direct run: listed-configurations.ts),
   * used instead of the GET when it explains every finding; asked only with `configReader` and findings.
   * Absent, or undefined: the GET.
   */
  readonly listedConfiguration?: () => Promise<GatewayConfig | undefined>;
  readonly clock: Clock;
  readonly article: ParsedArticle;
  readonly unhealthyStates: readonly ConfigurableState[];
  readonly gatewayTimeoutInMs: number;
  /** When the gateway's read began (default now): `durationInMs` counts from it, across continuations. */
  readonly startedAt?: Date;
  /** The run's interruption (a direct run's stop signal or deadline): cuts the read short. */
  readonly stop?: AbortSignal;
  /** The run's pacer: a read that ran out of time while its subscription was throttled says so (timed-out.ts). */
  readonly pacer?: ThrottleMemory;
  /**
   * A direct run's place among the gateways whose body is at hand (run-checks.ts): taken before the
   * poll that may bring the body (the reader: BackendHealthReadOptions.answerPlace), or, when the body
   * came without one (a POST answered 200, a reader that takes none), before the insights are rendered;
   * held through the configuration read and rendering; the caller gives it back. The waits for it are
   * not counted in `gatewayTimeoutInMs` nor in `durationInMs`. Absent: no place, no wait.
   */
  readonly renderPlace?: AnswerPlace;
  /** Told once the backend-health operation's POST is answered (BackendHealthReadOptions.onStarted). */
  readonly onOperationStarted?: () => void;
  /**
   * Told once (at most) when the read has waited PLACE_KEPT_THROUGH_A_WAIT_IN_MS at a stretch on its
   * subscription's quota because of a 429 (its own, whose Retry-After the client waits out, or one that
   * pauses the subscription: `pacer`'s recentThrottle): a direct run stops counting it against a
   * numeric `concurrency` (run-checks.ts). Waits for the estimate alone (no 429) are not told.
   */
  readonly onHeldByThrottle?: () => void;
}

export interface GatewayOutcome {
  readonly report: GatewayReport;
  readonly insights: readonly Insight[];
  /** Every server the gateway listed (server key → health); undefined when it could not be evaluated. */
  readonly listed?: ReadonlyMap<string, string>;
  /** The same servers with their names, in the gateway's order (the status page's history). */
  readonly servers?: readonly ListedServerEntry[];
  /**
   * The backend-health call answered 404 (GatewayNotFoundError): what ARM answered ("ARM answered 404
   * ResourceNotFound"), for the check of whether the gateway is gone (process-gateway.ts). Absent otherwise.
   */
  readonly notFound?: { readonly detail: string };
  /**
   * ARM's answer to the gateway's configuration GET when this check asked it (for the findings, or the
   * reading's coverage), failed or not: notify's removal check takes it rather than asking again in the
   * same run (a break trial: a GET that never answered was waited for twice, 61 s). Absent: not asked.
   */
  readonly configurationAnswer?: GatewayConfigReading;
}

/**
 * Checks one gateway: reads its backend health (bounded by `gatewayTimeoutInMs`) and renders an insight
 * per finding. Never throws: a failure is the report's `error`. (Not to be confused with the Functions
 * app's `evaluateGateway` queue function, which runs this through processGateway.)
 */
export async function checkGateway(
  gateway: GatewayRef,
  options: CheckGatewayOptions,
): Promise<GatewayOutcome> {
  const started = options.startedAt ?? options.clock.now();
  // Time spent waiting for a place (renderPlace) is the run's pacing, not the gateway's: `durationInMs`
  // leaves it out, as it left out the wait for a place before the read.
  let placeWaitInMs = 0;
  const elapsed = () => options.clock.now().getTime() - started.getTime() - placeWaitInMs;
  const place = options.renderPlace;
  /** `place`, its waits counted in placeWaitInMs, and left out of the time-out's clock by `paused`. */
  const timedPlace = (place: AnswerPlace, paused?: PauseClock): AnswerPlace => ({
    async take(callOptions) {
      const before = options.clock.now().getTime();
      try {
        await (paused ? paused(place.take(callOptions)) : place.take(callOptions));
      } finally {
        placeWaitInMs += options.clock.now().getTime() - before;
      }
    },
    giveBack: () => place.giveBack(),
  });
  try {
    const failed = lastFailedAttempt();
    const quota = ownQuotaWaits();
    const throttleHold = heldByThrottle(gateway, quota, options);
    const body = await withTimeout(
      options.gatewayTimeoutInMs,
      (abortSignal, paused) =>
        options.reader.getBackendHealth(gateway, {
          abortSignal,
          onFailedAttempt: failed.tell,
          onQuotaWait: throttleHold.tell,
          onTryOut: quota.tryOut,
          ...(place ? { answerPlace: timedPlace(place, paused) } : {}),
          ...(options.onOperationStarted ? { onStarted: options.onOperationStarted } : {}),
        }),
      (ms) => backendHealthTimedOut(gateway, ms, options.pacer, quota.waited(), failed.last()),
      options.stop,
    ).finally(throttleHold.stop);
    const evaluated = evaluateBackendHealth(gateway, body, { unhealthyStates: options.unhealthyStates });
    const answered: Answered = {};
    // The configuration GETs keep the place a while only (held-place.ts): one that hangs gives it back.
    const kept = <T>(wait: Promise<T>) =>
      keptAtMost(place, wait, () => timedPlace(place as AnswerPlace).take(stopOptions(options.stop)));
    const { findings, failure, config } = await kept(
      withGatewayConfiguration(gateway, evaluated, options, elapsed(), answered),
    );
    const coverage = await kept(
      readingCoverage(gateway, body, { config, failure }, options, elapsed(), answered),
    );
    const notRead = coverage.poolsNotRead;
    const configuration = options.configReader
      ? gatewayConfigurationReport(findings, failure ?? coverage.failure)
      : undefined;
    // The insights' time is the reading's, whatever the wait for a place to render them.
    const now = options.clock.now();
    // Held already when the poll that brought the body took it (at once then). A stop cuts the wait
    // short: the gateway is then not done (process-gateway.ts).
    if (place) await timedPlace(place).take(stopOptions(options.stop));
    const servers = listServerEntries(gateway, body);
    const listed = new Map(servers.map((entry) => [entry.key, entry.health]));
    const insights = findings.map((finding) => composeInsight(options.article, finding, now));
    return {
      insights,
      listed,
      servers,
      ...(answered.reading ? { configurationAnswer: answered.reading } : {}),
      report: {
        ...gatewayFields(gateway),
        ok: true,
        error: null,
        durationInMs: elapsed(),
        servers: listed.size,
        ...notReportedField(countNotReported(listed.values(), options.unhealthyStates)),
        findings: insights.map(({ finding, path }) => ({
          backendPool: finding.backendPool,
          backendSettings: finding.backendSettings,
          address: finding.address,
          health: finding.health,
          state: finding.state,
          probeLog: finding.probeLog,
          // The steps as the insight gives them: commands with the gateway's own values.
          cause: exactCause(finding),
          severity: finding.severity,
          ...(finding.configuration?.read === false
            ? { generalSteps: { because: finding.configuration.reason } }
            : {}),
          insight: { markdown: `${path}.md`, html: `${path}.html` },
        })),
        ...(configuration ? { configuration } : {}),
        ...(notRead.length ? { poolsNotRead: notRead } : {}),
      },
    };
  } catch (error) {
    return {
      insights: [],
      ...(isGatewayNotFoundError(error) ? { notFound: { detail: error.detail } } : {}),
      report: {
        ...gatewayFields(gateway),
        ok: false,
        error: reportedError(toError(error)),
        durationInMs: elapsed(),
        servers: 0,
        findings: [],
      },
    };
  }
}

/**
 * The least time the configuration read gets, in ms, even when the backend-health read used up nearly
 * all of `gatewayTimeoutInMs`: one GET answers in well under a second.
 */
export const CONFIG_READ_MIN_TIMEOUT_IN_MS = 5_000;

/** The configuration GET's answer this check got, if it asked (GatewayOutcome.configurationAnswer). */
interface Answered {
  reading?: GatewayConfigReading;
}

/** Why the configuration GET failed, for the run report (configuration-report.ts). */
interface ConfigFailure {
  readonly kind: GatewayConfigFailureKind;
  readonly detail: string;
}

/**
 * The findings with the gateway's configuration joined (src/core/finding-configuration.ts), only when
 * there is a finding to explain (a healthy gateway costs no read): the configuration its listing gave
 * (`listedConfiguration`) when that explains every finding, else one GET of the gateway, which reads it
 * as it is now (a setting or pool added since the listing, which the listed one cannot explain). Never throws:
 * a read that fails or times out leaves each finding `read: false` with the reason, and its insight
 * gives the general steps; the failure is returned for the run report. `config`: the configuration
 * used (the listing's, or the GET's), or the listing's when there is no finding; absent when none is at
 * hand. Throws the run's stop reason (RunInterruptedError) when the stop cut it short: the gateway is
 * then not done.
 */
async function withGatewayConfiguration(
  gateway: GatewayRef,
  findings: Finding[],
  options: CheckGatewayOptions,
  elapsedInMs: number,
  answered: Answered,
): Promise<{ findings: Finding[]; failure?: ConfigFailure; config?: GatewayConfig }> {
  const reader = options.configReader;
  if (!reader) return { findings };
  const listed = await options.listedConfiguration?.();
  if (findings.length === 0) return listed ? { findings, config: listed } : { findings };
  if (listed) {
    const joined = withConfiguration(findings, { ok: true, config: listed });
    if (joined.every((finding) => finding.configuration?.read !== false))
      return { findings: joined, config: listed };
  }
  const got = await readConfiguration(reader, gateway, options, elapsedInMs);
  answered.reading = got;
  // An answer without a rule, pool or HTTP settings is not the whole resource: joined, it said "not in
  // the gateway's configuration" of every finding (a trial), where it says nothing. A failed read.
  const reading = got.ok && !tellsCoverage(got.config) ? SHORT_CONFIGURATION : got;
  if (reading.ok) return { findings: withConfiguration(findings, reading), config: reading.config };
  const kind = reading.kind ?? 'unavailable';
  // A 404 here follows a backend-health read that worked: the gateway went in between.
  const detail =
    kind === 'not-found'
      ? `${reading.detail}: the gateway was deleted after its backend health was read (the next run's listing will show it gone)`
      : reading.detail;
  const failed = { ...reading, detail };
  // The listing's, which did not explain every finding, still says which pools the gateway routes to.
  return {
    findings: withConfiguration(findings, failed),
    failure: { kind, detail },
    ...(listed ? { config: listed } : {}),
  };
}

/**
 * The gateway's configuration GET (read-configuration.ts), within what is left of `gatewayTimeoutInMs`
 * (at least CONFIG_READ_MIN_TIMEOUT_IN_MS, at most `atMostInMs`). Throws the run's stop reason
 * (RunInterruptedError) when the stop cut it short: the gateway is then not done (the caller reports it
 * so, and the next run reads it again), rather than done with the general steps its notices would then
 * keep for good.
 */
async function readConfiguration(
  reader: GatewayConfigReader,
  gateway: GatewayRef,
  options: CheckGatewayOptions,
  elapsedInMs: number,
  atMostInMs = Number.POSITIVE_INFINITY,
): Promise<GatewayConfigReading> {
  const timeoutInMs = Math.min(
    Math.max(options.gatewayTimeoutInMs - elapsedInMs, CONFIG_READ_MIN_TIMEOUT_IN_MS),
    atMostInMs,
  );
  const reading = await readConfigurationWithin(reader, gateway, timeoutInMs, options.stop);
  if (!reading.ok && options.stop?.aborted) throw options.stop.reason;
  return reading;
}

/**
 * The longest the GET for a reading's coverage is waited for, whatever `gatewayTimeoutInMs` is (5 min by
 * default): one that never answered held a run 5 min (a break trial). One read of a few KB.
 */
export const COVERAGE_READ_TIMEOUT_IN_MS = 30_000;

/** A configuration that cannot tell a reading's coverage (tellsCoverage), as a failed read. */
const SHORT_CONFIGURATION = {
  ok: false,
  kind: 'invalid',
  detail:
    "ARM's answer to the gateway's GET has no routing rule, backend pool or HTTP settings, which every gateway has: it is not the whole resource",
} as const;

/**
 * The routed pools the reading did not read (poolsNotRead), told by the configuration at hand (the
 * listing's, or the one read for the findings); with none at hand (a gateway named by id, Resource
 * Graph's discovery), by one GET (within COVERAGE_READ_TIMEOUT_IN_MS) when the reading lists a pool with
 * no server, or no server at all: both were a green gateway whose down server went unread (break and
 * new-user trials). A reading that lists a server under every pool it lists costs no GET (a pool it
 * does not list at all is told only by a configuration at hand, or by notify's removal check when a
 * told server is there). When that GET fails (or the findings' GET failed already: not asked again),
 * `failure` says why, and:
 * - a reading that lists no server at all throws a BackendHealthUnavailableError: an empty reading
 *   nothing can tell apart from a short one is a failed reading (episodes unchanged, the gateway red),
 *   not a green gateway; retryable unless the GET was refused (403) or its answer is not a gateway;
 * - otherwise the pools it lists with no server are taken as not read (never green), and what it lists
 *   is read as usual.
 */
async function readingCoverage(
  gateway: GatewayRef,
  body: BackendHealthBody,
  atHand: { readonly config?: GatewayConfig; readonly failure?: ConfigFailure },
  options: CheckGatewayOptions,
  elapsedInMs: number,
  answered: Answered,
): Promise<{ poolsNotRead: string[]; failure?: ConfigFailure }> {
  if (atHand.config && tellsCoverage(atHand.config))
    return { poolsNotRead: poolsNotRead(atHand.config, body) };
  const listedEmpty = poolsListedEmpty(body);
  const listsNone = !listsAnyServer(body);
  if (!options.configReader || (!listsNone && listedEmpty.length === 0)) return { poolsNotRead: [] };
  const answer: GatewayConfigReading = atHand.failure
    ? { ok: false, ...atHand.failure }
    : await readConfiguration(
        options.configReader,
        gateway,
        options,
        elapsedInMs,
        COVERAGE_READ_TIMEOUT_IN_MS,
      );
  if (!atHand.failure) answered.reading = answer;
  if (answer.ok && tellsCoverage(answer.config)) return { poolsNotRead: poolsNotRead(answer.config, body) };
  const reading = answer.ok ? SHORT_CONFIGURATION : answer;
  if (listsNone)
    throw new BackendHealthUnavailableError(
      gateway.id,
      `ARM's backend health listed no server, and the gateway's configuration could not be read to tell whether it routes to any (${clipMessage(reading.detail, 300, { oneLine: true })}); the reading is taken as failed`,
      { retryable: reading.kind !== 'forbidden' && reading.kind !== 'invalid' },
    );
  const kind = reading.kind ?? 'unavailable';
  return {
    poolsNotRead: listedEmpty,
    failure: {
      kind,
      detail: `${reading.detail} (ARM's backend health listed ${listedEmpty.length === 1 ? 'a pool' : 'pools'} with no server, which the configuration would tell apart from ${listedEmpty.length === 1 ? 'a pool' : 'pools'} without members: taken as not read)`,
    },
  };
}

/** GatewayReport.notReported, only when some server is in such a state. */
function notReportedField(counts: NotReportedCounts | undefined): { notReported?: NotReportedCounts } {
  return counts ? { notReported: counts } : {};
}

/**
 * The read's onQuotaWait: `quota` told of each wait, and CheckGatewayOptions.onHeldByThrottle once a
 * wait has lasted PLACE_KEPT_THROUGH_A_WAIT_IN_MS while a 429 holds it (asked again every as long while
 * it lasts). `stop` ends the watching (the read is over).
 */
function heldByThrottle(
  gateway: GatewayRef,
  quota: ReturnType<typeof ownQuotaWaits>,
  options: Pick<CheckGatewayOptions, 'pacer' | 'onHeldByThrottle'>,
): { readonly tell: (wait: QuotaWait | undefined) => void; readonly stop: () => void } {
  const told = options.onHeldByThrottle;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };
  const look = () => {
    const wait = quota.waited().waitingFor;
    const paused =
      (options.pacer?.recentThrottle(gateway.subscriptionId, PLACE_KEPT_THROUGH_A_WAIT_IN_MS)?.pausedInMs ??
        0) > 0;
    if (done || !told || !(wait === 'throttled' || (wait === 'paced' && paused))) return;
    done = true;
    stop();
    told();
  };
  return {
    tell: (wait) => {
      quota.tell(wait);
      stop();
      if (wait !== undefined && told && !done) timer = setInterval(look, PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
    },
    stop,
  };
}
