/**
 * The small interfaces between the use case (pipeline/) and the outside world (adapters/).
 * Each adapter implements one, tested against real stand-ins (emulator, Azurite, loopback receivers);
 * the use cases' unit tests run on in-memory implementations (test/helpers/memory/), never on mocks.
 */
import type { GroupingMode, NoticeGroup } from './core/notice/grouping';
import type { ReceiverRules } from './core/notice/receiver-rules';
import type { Target } from './core/arm-id';
import type { AlertTrigger } from './core/alerts/alert-trigger';
import type { ConfigurationResource, GatewayConfigReading } from './core/gateway-config';
import type { ListScope } from './core/gateway-list-page';
import type { OnDemandProbeRequest, OnDemandServer } from './core/on-demand-probe';
import type { BackendHealthBody, GatewayRef } from './core/model';
import type { Notice } from './core/notice/notice';
import type { PageText } from './core/piece-text';
import type { RunReport } from './core/run-report';
import type { TelemetryRecord } from './core/telemetry-records';
import type { Insight } from './insight/insight';

export interface CallOptions {
  readonly abortSignal?: AbortSignal;
  /**
   * The run's stop (a signal, its deadline), softer than `abortSignal`: once it fires no new try starts
   * (a retry, or a wait before one, ends the call with a retryable failure); a try under way goes on to
   * its answer or its time-out, so a receiver that took it is not left unsure.
   */
  readonly stop?: AbortSignal;
}

/**
 * An answer to one try of an ARM (or Resource Graph) request that failed in a way the client's retries
 * take again (5xx, 408, 429): what a time-out that ends the call meanwhile says, since "no answer" of a call
 * ARM kept failing sent a user to raise the time-out (a new-user trial).
 */
export interface FailedAttempt {
  /** Who answered: `ARM`, or `Resource Graph`. */
  readonly from: string;
  readonly status: number;
  /** The code in the answer's error body (`ServiceUnavailable`), capped; absent when it had none. */
  readonly code?: string;
  /** The answer's `Retry-After` (or `retry-after-ms`), in ms; absent when it said none. */
  readonly retryAfterInMs?: number;
}

/**
 * Why a call's next try waits on its subscription's ARM quota, not on ARM: for its place in the
 * pacer's estimate (`paced`: SubscriptionPacer.admit), or out the `Retry-After` of a 429 ARM answered
 * to the call itself (`throttled`: the client's retry waits it out).
 */
export type QuotaWait = 'paced' | 'throttled';

/** CallOptions of an ARM call whose tries a client retries: each failed try is told as it comes. */
export interface ArmCallOptions extends CallOptions {
  /** Given each try's FailedAttempt as it is answered. Must not throw. Absent: not told. */
  readonly onFailedAttempt?: (attempt: FailedAttempt) => void;
  /**
   * Told a QuotaWait when the call's next try starts waiting on its subscription's quota, and
   * undefined when a try is sent (or the wait ends otherwise): so a time-out can tell a call the quota
   * held from one ARM never answered, whatever other calls of the subscription met (issue 14: a
   * gateway that hung was `Throttled` by other gateways' 429s). Must not throw. Absent: not told.
   */
  readonly onQuotaWait?: (wait: QuotaWait | undefined) => void;
  /**
   * Told true when a try of the call is sent to ARM, false when it ends (ARM answered it, or its
   * connection failed): so a time-out can tell a try ARM has not answered for long (a hung poll) from
   * waits on the quota before it (a break trial: a poll that hung 39 s after 60 s waiting on a 429's
   * pause was `Throttled`). Must not throw. Absent: not told.
   */
  readonly onTryOut?: (out: boolean) => void;
}

/**
 * Paces this process's requests to each subscription under ARM's limits (per subscription: a bucket of
 * reads and one of writes; a backendhealth POST is a write, every GET a read). Adapter:
 * src/adapters/arm/subscription-pacer.ts, fed by every ARM answer the client sees.
 */
export interface SubscriptionPacer {
  /**
   * Resolves when one `kind` request to `subscriptionId` (any case) may go out, having taken its place
   * in the subscription's estimate: at once while the bucket holds tokens, later when it is empty or a
   * 429's `Retry-After` has not passed. Waiters of one subscription and kind are admitted in turn.
   * Rejects only with the signal's reason when `options.abortSignal` fires first.
   */
  admit(subscriptionId: string, kind: 'reads' | 'writes', options?: CallOptions): Promise<void>;
  /**
   * When a 429 pause of `subscriptionId`'s reads or writes bucket (not one for a single resource:
   * RetryableErrorDueToAnotherOperation) was in force at some time within the last `withinLastInMs`
   * (answered then, or before and still pausing it then): the latest 429 (which bucket, how long ago,
   * the pause it asked for) and how long 429s paused the subscription within the window in all;
   * undefined when none. So a gateway that ran out of time can say the subscription's quota held it,
   * not ARM's silence.
   */
  recentThrottle(subscriptionId: string, withinLastInMs: number): RecentThrottle | undefined;
  /**
   * Resolves once no 429 pauses `subscriptionId`'s `kind` bucket (at once when none does, and when the
   * pause is extended meanwhile, after that): so a run starts no gateway whose reads would wait out a
   * pause, holding a place of its `concurrency` meanwhile. Resolves at once, too, when
   * `options.abortSignal` fires (or has); never rejects.
   */
  resumed(subscriptionId: string, kind: 'reads' | 'writes', options?: CallOptions): Promise<void>;
}

/** A 429 for a subscription's bucket, as SubscriptionPacer.recentThrottle gives it. */
export interface RecentThrottle {
  readonly kind: 'reads' | 'writes';
  /** How long before the question it was answered. */
  readonly agoInMs: number;
  /** The pause it asked for: its Retry-After (capped at 300 000 ms: core/pacing/subscription-pacing.ts). */
  readonly retryAfterInMs: number;
  /**
   * How long 429s paused the subscription (reads or writes) within the `withinLastInMs` asked about,
   * in ms: this one's pause and any before it, overlaps counted once.
   */
  readonly pausedInMs: number;
  /** How many 429 pauses fell (at least in part) within it: 1 for this one alone. */
  readonly pauses: number;
}

/**
 * How busy this process is, so a direct run with `concurrency: "auto"` admits no more gateways while
 * it cannot keep up (src/pipeline/schedule-gateways.ts). Adapter: src/adapters/clock/event-loop-load.ts
 * (the event loop's lag).
 */
export interface ProcessLoad {
  /**
   * Resolves once the process keeps up (at once when it does); resolves at once, too, when
   * `options.abortSignal` has fired or fires meanwhile. Never rejects.
   */
  ready(options?: CallOptions): Promise<void>;
}

/**
 * Reads a gateway's backend health (ARM's long-running backendhealth POST, then polls of its operation
 * until the body arrives), in one call: the CLI's direct run and the HTTP endpoint wait in-process.
 * Throws the error a user can act on (src/errors.ts): BackendHealthUnavailableError for a body that is
 * not a backend-health read, a failed operation, 5xx or a time-out; GatewayNotFoundError,
 * MissingPermissionError, ThrottledError, AuthenticationError, ArmUnreachableError as named.
 */
export interface BackendHealthReader {
  getBackendHealth(gateway: GatewayRef, options?: BackendHealthReadOptions): Promise<BackendHealthBody>;
}

/** How BackendHealthReader.getBackendHealth reads. */
export interface BackendHealthReadOptions extends ArmCallOptions {
  /**
   * The caller's place for a gateway whose body is at hand (a direct run's places to render:
   * src/pipeline/run-checks.ts). The reader takes it before each poll of the operation, whose answer
   * may be the body, and gives it back when the poll answers that the operation still runs, or fails,
   * or is not answered within src/core/place-kept.ts PLACE_KEPT_THROUGH_A_WAIT_IN_MS;
   * it is held when the call resolves with a body a poll brought, and the caller gives it back. So the
   * bodies of thousands of operations ending together wait unread at ARM, not in this process's
   * memory. Absent: no place is taken.
   */
  readonly answerPlace?: AnswerPlace;
  /**
   * Called once the operation's POST is answered (its `202`, a body, or a failure), before any wait
   * for a poll: a direct run then lets the next gateway start (ScheduleOptions.startingAtOnce).
   * Must not throw. Absent: not told.
   */
  readonly onStarted?: () => void;
}

/**
 * One gateway's hold on a place among a bounded number (BackendHealthReadOptions.answerPlace). `take`
 * resolves once it is held (at once when it is already), or rejects with `options.abortSignal`'s reason
 * when that fires first; `giveBack` lets it go (nothing when not held). Neither throws otherwise.
 */
export interface AnswerPlace {
  take(options?: CallOptions): Promise<void>;
  giveBack(): void;
}

/**
 * Reads a gateway's own configuration: one `GET` of the gateway resource (a read, in the reads bucket;
 * the permission `Microsoft.Network/applicationGateways/read`). Adapter:
 * src/adapters/arm/gateway-config-reader.ts. Never throws for a failed read: `{ ok: false, detail }`
 * says why (ARM's answer, a missing permission, no answer), and the insight keeps its general steps.
 */
export interface GatewayConfigReader {
  getGatewayConfig(gateway: GatewayRef, options?: ArmCallOptions): Promise<GatewayConfigReading>;
}

/**
 * ARM's on-demand probe of one backend pool under one backend setting (`recheck`): the probe `request`
 * (src/core/on-demand-probe.ts), its long-running operation waited for in-process, and the servers as
 * it found them, named by `asked`. Adapter: src/adapters/arm/on-demand-prober.ts. Throws as
 * BackendHealthReader does, a missing permission naming
 * `Microsoft.Network/applicationGateways/getBackendHealthOnDemand/action`.
 */
export interface OnDemandProber {
  probeOnDemand(
    gateway: GatewayRef,
    request: OnDemandProbeRequest,
    asked: { readonly backendPool: string; readonly backendSettings: string },
    options?: CallOptions,
  ): Promise<readonly OnDemandServer[]>;
}

/**
 * The same operation in steps, so the wait between them can be handed to a queue (the Functions app):
 * `startBackendHealth`, then `pollBackendHealth` after each step's `retryAfterInMs`, until `done`.
 * Each step throws as `getBackendHealth` does. (`getBackendHealth` is these steps with in-process waits.)
 */
export interface SteppedBackendHealthReader extends BackendHealthReader {
  /**
   * The POST: the body at once (ARM answered 200), or the operation to poll and when; with
   * `deferWaits`, `deferred` instead of a wait for the subscription's quota.
   */
  startBackendHealth(gateway: GatewayRef, options?: StepOptions): Promise<BackendHealthStep>;
  /**
   * One poll of `operation` (from an earlier step of this gateway, possibly stored in a queue message:
   * untrusted). An operation whose URL is not https on the configured ARM endpoint, or not under the
   * gateway's subscription, is refused before any request (BackendHealthUnavailableError, not
   * retryable), so a tampered message cannot send the bearer token elsewhere.
   */
  pollBackendHealth(
    gateway: GatewayRef,
    operation: BackendHealthOperation,
    options?: StepOptions,
  ): Promise<BackendHealthStep>;
}

/** How a step is taken. */
export interface StepOptions extends ArmCallOptions {
  /**
   * Wait in the process no more than a moment (the ARM adapter's DEFER_BEYOND_IN_MS) for the
   * subscription's quota: a step whose request the pacer's estimate has no place for soon, or that ARM
   * answers `429`, is answered `deferred` (the Functions app's queue function hands that wait to the
   * queue). Without it the adapter waits: the pacer's turn for a poll, the SDK's retries for a 429.
   */
  readonly deferWaits?: boolean;
  /**
   * With `deferWaits`: this step was put back for its quota before (not the gateway's earlier steps).
   * It goes ahead of fresh steps in the instance's line for the place: behind them, steps put back lost
   * every place to fresh ones arriving with the timer's spread, again and again, until their deferrals
   * ran out (`Throttled`; a break trial).
   */
  readonly putBackBefore?: boolean;
}

/**
 * Where a step of the backend-health operation left off: the body, the operation still running, or
 * (only with StepOptions.deferWaits) the step not taken for its subscription's quota.
 */
export type BackendHealthStep =
  | { readonly done: BackendHealthBody }
  | { readonly pending: PendingBackendHealth }
  | { readonly deferred: DeferredStep };

/** A step to take again later: its subscription's quota had no place for it. */
export interface DeferredStep {
  /**
   * In ms, when to take it again: its turn in the pacer's estimate (steps deferred together come back
   * one refill apart), never before a `429`'s `Retry-After`.
   */
  readonly retryAfterInMs: number;
  /** `paced`: the estimate had no place for it, and nothing was sent; `throttled`: ARM answered `429`. */
  readonly reason: 'paced' | 'throttled';
}

export interface PendingBackendHealth {
  readonly operation: BackendHealthOperation;
  /**
   * How long to wait before the next poll, in ms: ARM's `Retry-After` (0: poll at once), or
   * `arm.pollIntervalInMs` when it sent none; a `0` repeated right after another backs off
   * (core/retry-after.ts pollWaitInMs), on either path, since the count travels in `operation`.
   */
  readonly retryAfterInMs: number;
}

/**
 * A running backend-health operation, as plain JSON (it travels in queue messages): `location`, the
 * URL ARM's `202` named in its `Location` header, which answers `202` while the operation runs and
 * then the body (or the operation's error).
 */
export interface BackendHealthOperation {
  readonly location: string;
  /**
   * How many polls in a row ARM asked for at once (`Retry-After: 0`) up to this step; absent is 0. Kept
   * in the operation so a queued continuation backs off from a repeated `0` as the in-process loop does.
   */
  readonly atOnceBefore?: number;
}

/**
 * Expands a target (management group, subscription, resource group or gateway id) into gateways.
 * Throws the error a user can act on when the target cannot be listed completely: never a shorter
 * listing (a listing also says which gateways are gone).
 */
export interface GatewayDirectory {
  listGateways(target: Target, options?: ListOptions): Promise<TargetListing>;
}

export interface ListOptions extends ArmCallOptions {
  /**
   * Given each page's configurations as the page is read (gatewayKey → the gateway's configuration as
   * the listing gave it, a ConfigurationResource to read with readGatewayConfig when a finding needs
   * it), so a listing of 20 000 holds none of them: ARM's list pages carry the whole resource
   * (src/core/gateway-list-page.ts), and a gateway with findings then needs no GET of its own. Must not
   * throw. Resource Graph's rows carry no configuration: its directory never calls it. A listing that
   * fails after some pages leaves their configurations given, unused.
   */
  readonly keepConfigurations?: (configurations: ReadonlyMap<string, ConfigurationResource>) => Promise<void>;
}

/** What one successful listing of a target found. */
export interface TargetListing {
  /** The gateways to evaluate: found in the target's scope and picked by the discovery filter. */
  readonly gateways: readonly GatewayRef[];
  /** Every gateway found in the scope, picked or not: present, so never taken as deleted. */
  readonly present: readonly GatewayRef[];
  /**
   * The scopes this listing shows whole: a gateway in one of them that is not `present` is deleted.
   * ARM's list call: the target's subscription or resource group (it answers 404 or 403 for one it
   * cannot list). Resource Graph: only the subscriptions (or the resource group) it returned a gateway
   * from, since it answers an empty result for a scope the identity cannot read.
   */
  readonly shownScopes: readonly ListScope[];
}

/** Where a run's insights and report go. One failing sink never stops another. */
export interface InsightSink {
  /** Names the sink in reports and errors; never carries secrets. */
  readonly name: string;
  deliver(delivery: Delivery): Promise<DeliveryReceipt>;
}

/**
 * `run`: a whole run's report and every gateway's insights at once (a fan-out run's discovery, with no
 * gateway): the current report is replaced, and so are the insights of every gateway it evaluated.
 * `gateway`: one gateway's result, as soon as it is done (a direct run, `run` and `evaluate`, streams
 * each gateway so; the queue function of a fan-out run): its insights replace that gateway's current ones, and its report is
 * stored under the run (`runs/<runId>/gateways/…json`), beside the other gateways'.
 * `report`: a direct run's own report, at its end, after its gateways were each delivered as `gateway`:
 * the current report is replaced; `insights` is empty and no gateway's insights are touched.
 * `page`: the status page alone, made again between a fan-out run's discoveries (by a queue invocation):
 * only `index.html` is written; `report` is the delivering invocation's, `insights` is empty.
 * test/adapters/contract/sink.contract.ts states what every sink does with each.
 */
export interface Delivery {
  readonly scope: 'run' | 'gateway' | 'report' | 'page';
  readonly report: RunReport;
  readonly insights: readonly Insight[];
  /**
   * The status page (`index.html`, src/insight/status/), with a run's `report` (or `run`, or `page`)
   * delivery when the run made one: the folder sink writes `<dir>/index.html`, the blob sink `index.html` in its
   * status container (`$web` by default). Its insight links are relative (`insights/…html`). A direct
   * run gives it in pieces (core/piece-text.ts), read from its temporary files: a sink writes them as they
   * come, and may read them once per delivery.
   */
  readonly statusPage?: PageText;
  /**
   * The status page shows no gateway only because the stored histories could not be listed or read (a
   * run stopped before it read any, its state unanswered): it is written only where no page is yet, and
   * a page published before is kept (a break trial: such a run replaced a page of 26 gateways with an
   * empty one until the next run). The receipt then names no index.html.
   */
  readonly keepPublishedPage?: boolean;
  /**
   * A `gateway` delivery of a reading older than one of the same gateway already taken (a late result
   * of an earlier run: a continuation polled late, a copy retried after a newer run read it): its result
   * is written under its run, its insights under the run's own history (the blob sink's `runs/<runId>/`),
   * but the current view (latest insights, the status page's copies, the folder's `insights/`) is left
   * as the newer reading made it. A break trial: run-old's late result replaced run-new's insights and
   * removed a page the status page linked to.
   */
  readonly olderReading?: boolean;
}

export interface DeliveryReceipt {
  /** Where things were written, for the human summary (paths, URLs without secrets). */
  readonly locations: readonly string[];
}

/**
 * A run's temporary files (issue 14: memory): what a direct run learns of each gateway and needs only at
 * its end (its history document for the status page, the page's sections) is written here as the
 * gateway is done instead of held. `dispose()` removes every file (also when the process exits another
 * way: src/adapters/files/temp-scratch.ts); it never throws.
 */
export interface Scratch {
  /** A new empty file. Throws ScratchUnavailableError when it cannot be made. */
  file(): Promise<ScratchFile>;
  dispose(): Promise<void>;
}

/** Where a text is in a ScratchFile: its first byte and its length in bytes. */
export interface ScratchPlace {
  readonly offset: number;
  readonly length: number;
  /**
   * The CRC-32 of its bytes as written, when the file keeps one (a file on disk: another process may
   * truncate or write into it), so a text read back otherwise is refused, never parsed as the run's own.
   */
  readonly crc32?: number;
}

/** One temporary file: texts appended (at once from concurrent gateways), then read back by place. */
export interface ScratchFile {
  /** Throws ScratchUnavailableError when it cannot be written (a full disk). */
  append(text: string): Promise<ScratchPlace>;
  /**
   * The text appended at `place`. Throws ScratchUnavailableError when it cannot be read, or when what
   * is read back is not what was written (its `crc32`).
   */
  read(place: ScratchPlace): Promise<string>;
  /**
   * `read`, blocking: for a reader that must answer at once (a report's gateway entries, read as an
   * array's items: src/pipeline/report-entries.ts). Throws ScratchUnavailableError as `read` does.
   */
  readSync(place: ScratchPlace): string;
}

/**
 * How far a direct run is, for a person watching (the CLI's progress line on a terminal:
 * src/cli/progress-line.ts). Called from the run's own flow; must not throw.
 */
export interface RunProgress {
  /**
   * One target is listed: `count` more gateways to do (a run starts them at once; the other targets may
   * still be listing). Absent: only `started` is told.
   */
  listed?(count: number): void;
  /** Every target is listed: `total` gateways to do. */
  started(total: number): void;
  /** One more gateway done (evaluated or failed, and delivered). */
  gatewayDone(): void;
  /** No gateway is left running (done, or the run was interrupted): the display goes away. */
  finished(): void;
}

export interface Clock {
  now(): Date;
  /**
   * Milliseconds on a monotonic clock (a step of the wall clock never moves it), for an elapsed time
   * that must not jump: the timer's start spread (fan-out.ts). Absent: `now()`'s.
   */
  monotonicInMs?(): number;
}

/**
 * One JSON document read with its etag and written only if nobody else wrote it since (optimistic
 * concurrency). Adapters: file-state-store.ts (CLI) and blob-state-store.ts (Function App); both pass
 * test/adapters/state/contract. A lost race throws StateConflictError.
 */
export interface StateStore<T> {
  /**
   * Names the document in reports and errors (`state file /var/lib/appgw/s/rg/gw.json`, `blob
   * appgw-state/notify/s/rg/gw.json`): never a key, SAS or connection string.
   */
  readonly name: string;
  /**
   * undefined when nothing was written yet. Throws StateUnavailableError when the document cannot be
   * read, StateInvalidError when it is not JSON.
   */
  read(): Promise<StoredDocument<T> | undefined>;
  /**
   * Writes only if the stored document still has `expectedEtag` (undefined: only if none exists);
   * returns the new etag. Throws StateConflictError when it changed, StateUnavailableError when the
   * store cannot be written.
   */
  write(value: T, expectedEtag: string | undefined): Promise<string>;
}

/**
 * A family of state documents, one per key (notify-on-change keeps one per gateway, so gateways
 * evaluated in parallel never contend for one document).
 */
export interface StateStores<T> {
  /** Names where the documents are (`state folder /var/lib/appgw`, `container appgw-state (notify/)`). */
  readonly name: string;
  forKey(key: string): StateStore<T>;
  /** Every key that has a document. Throws StateUnavailableError when the documents cannot be listed. */
  listKeys(): Promise<string[]>;
}

export interface StoredDocument<T> {
  readonly value: T;
  /** Opaque version of the stored document; pass it back to `write`. */
  readonly etag: string;
}

/** Sends notices to one receiver. One failing receiver never stops another: `send` never throws. */
export interface Notifier {
  /** "webhook[ops]": names the receiver in reports and errors; never the URL. */
  readonly name: string;
  /**
   * The longest one `send` can take, in ms: every attempt, back-off and `Retry-After` wait ends within
   * it. A run leases a notice for about this long (src/pipeline/notify/lease.ts).
   */
  readonly sendBudgetInMs: number;
  /** Which notices it is sent (`sendResolved`); absent: every notice (core/notice/receiver-rules.ts). */
  readonly rules?: ReceiverRules;
  /**
   * `notify.grouping` for this receiver (its own `grouping`, else the config's): absent = the policy's
   * (core/notice/grouping.ts).
   */
  readonly grouping?: GroupingMode;
  send(notice: Notice, options?: CallOptions): Promise<SendResult>;
  /**
   * Sends one grouped message (the notices of one gateway, core/notice/grouping.ts); its result is
   * each of its notices' result. Absent: the format has no grouped message (PagerDuty: one alert per
   * server episode), and a group is sent as its notices one by one, still paced by the group's timers.
   */
  sendGroup?(group: NoticeGroup, options?: CallOptions): Promise<SendResult>;
  /** Most notices one `sendGroup` message carries; absent: MAX_NOTICES_PER_GROUP_MESSAGE. */
  readonly maxNoticesPerGroupMessage?: number;
}

/** What became of one notice: every attempt for the run report, and why it failed. */
export interface SendResult {
  readonly ok: boolean;
  readonly attempts: readonly AttemptRecord[];
  /** On failure: `retryable` tells the caller whether a later re-send (dead letter) can help. */
  readonly error?: { readonly code: string; readonly message: string; readonly retryable: boolean };
}

export interface AttemptRecord {
  /** 1-based. */
  readonly attempt: number;
  /** The HTTP status, when the receiver answered. */
  readonly status?: number;
  /** Why the attempt failed (absent on success). */
  readonly error?: string;
  /**
   * The receiver may hold the notice: no HTTP answer was read, but the request may have been written
   * (a time-out, a reset, a cancel mid-attempt), or a gateway in front of it answered that its upstream
   * gave no usable answer (502, 504: post-retry.ts `mayHaveReachedUpstream`). Absent when the receiver
   * itself answered, or when the connection was never made (refused, unresolvable, unreachable, a TLS
   * certificate refused).
   */
  readonly mayHaveReached?: boolean;
  readonly durationInMs: number;
  /** What the receiver's `Retry-After` asked for. */
  readonly retryAfterInMs?: number;
  /** How long we waited after this attempt before the next one. */
  readonly waitInMs?: number;
}

/**
 * A queue message of a fan-out run: a gateway to evaluate (version 1, from the timer), or the
 * continuation of its running backend-health operation (version 2, from the queue function itself).
 */
export type GatewayMessage = GatewayEvaluation | GatewayContinuation;

/** One gateway to evaluate (the timer enqueues one per gateway): start its backend-health operation. */
export interface GatewayEvaluation {
  readonly version: 1;
  readonly runId: string;
  readonly gatewayId: string;
  /**
   * ISO time of the run's discovery: the gateway's status history dates this run's reading by it, so
   * every try of the message (and its continuations) records one reading. Absent in messages queued
   * before it was added: the invocation's time is used.
   */
  readonly discoveredAt?: string;
  /**
   * Set when an Azure Monitor alert asked for this evaluation (the `azureMonitorAlert` HTTP function,
   * src/app/azure-monitor-alert-response.ts), not the timer: recorded in the gateway's result.
   */
  readonly trigger?: AlertTrigger;
  /** Steps of this gateway deferred so far (QueuedDeferrals); absent: none. */
  readonly deferrals?: QueuedDeferrals;
  /**
   * ISO time this message's step was first deferred (its subscription's quota had no place for it):
   * it is deferred again only within `gatewayTimeoutInMs` of it. Absent: not deferred.
   */
  readonly deferredSince?: string;
  /**
   * The gateway's configuration as the timer's listing gave it (TargetListing.configurations), carried
   * to the invocation that has the body, so its findings need no GET (src/pipeline/fan-out.ts,
   * CARRIED_CONFIGURATION_MAX_CHARS). Untrusted when read back: read strictly (readGatewayConfig) when
   * a finding needs it, and a GET instead when it does not read. Absent: the GET.
   */
  readonly configuration?: ConfigurationResource;
}

/**
 * The steps of a gateway put back on the queue for its subscription's quota (src/pipeline/fan-out.ts):
 * how many, and the handler-active time of the invocations that deferred them, in ms.
 */
export interface QueuedDeferrals {
  readonly count: number;
  readonly handlerActiveInMs: number;
  /**
   * The host's tries of this gateway's messages that failed before a step was put back (each put-back
   * is a new message, whose dequeueCount starts at 1 again): counted on, so failures between deferrals
   * still end in MAX_FAILED_TRIES. Absent: none.
   */
  readonly failedTries?: number;
}

/**
 * A gateway whose backend-health operation is running: poll it once. The queue function enqueues it,
 * made visible after the operation's `Retry-After`, instead of waiting on ARM (src/pipeline/fan-out.ts).
 */
export interface GatewayContinuation {
  readonly version: 2;
  readonly runId: string;
  readonly gatewayId: string;
  /** As in the message it continues (GatewayEvaluation.discoveredAt). */
  readonly discoveredAt?: string;
  /** As in the message it continues (GatewayEvaluation.trigger). */
  readonly trigger?: AlertTrigger;
  /** The operation to poll (untrusted when read back: the reader checks its URL before any request). */
  readonly operation: BackendHealthOperation;
  /** ISO time the first invocation started the operation: the gateway time-out counts from it. */
  readonly startedAt: string;
  /** Polls made so far, this message's not counted (0 in the first continuation). */
  readonly polls: number;
  /** Invocations of this gateway so far (the start and each poll) and their handler-active time. */
  readonly invocations: number;
  readonly handlerActiveInMs: number;
  /** As in GatewayEvaluation: carried from step to step. */
  readonly deferrals?: QueuedDeferrals;
  /** As in GatewayEvaluation: this poll's first deferral (each step's own). */
  readonly deferredSince?: string;
  /** As in the message it continues (GatewayEvaluation.configuration). */
  readonly configuration?: ConfigurationResource;
}

/** Where the fan-out puts its work: one message per gateway (Azure Functions' queue-based scale-out). */
export interface WorkQueue {
  readonly name: string;
  /**
   * Throws DeliveryError when the queue cannot take them. `visibleAfterInMs`: the messages are hidden
   * that long (rounded up to whole seconds, Queue Storage's unit; at most 7 days) before a queue
   * trigger can see them: a continuation waits out its `Retry-After` in the queue, not in an instance.
   */
  enqueue(
    messages: readonly GatewayMessage[],
    options?: { readonly visibleAfterInMs?: number },
  ): Promise<void>;
}

/**
 * Where telemetry records go (src/core/telemetry-records.ts has their shapes). Adapters: the Functions
 * invocation's log, one Application Insights trace per record (src/app/context-telemetry.ts); JSON lines
 * on stderr with `run --verbose` (src/cli/stderr-telemetry.ts). `emit` never throws: telemetry never
 * fails a run.
 */
export interface Telemetry {
  emit(record: TelemetryRecord): void;
}
