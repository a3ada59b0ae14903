import { RUN_INTERRUPTED_CODE } from '../errors';
import type { Cause } from './causes';
import type { Severity } from './notice/severity';
import type { Finding, GatewayRef } from './model';
import type { NotReportedCounts } from './not-reported';
import type { AlertTrigger } from './alerts/alert-trigger';
import type { GatewayConfigurationReport, RunConfigurationReport } from './configuration-report';

/** The run report (`report.json`, `run --json`). Field names are a contract: add, never rename. */
export interface RunReport {
  readonly schemaVersion: 1;
  readonly runId: string;
  /**
   * `direct`: one process evaluated every gateway (CLI). `fan-out`: the timer listed the gateways and
   * queued one message each; this report lists the targets and queued gateways, and each gateway's
   * result is its own report under the run (scope `gateway`).
   */
  readonly mode: 'direct' | 'fan-out' | 'gateway';
  readonly startedAt: string;
  readonly finishedAt: string;
  /**
   * True when the run did everything it had to: every target expanded, every gateway evaluated, and
   * (with receivers) every notice delivered and every state document read and written. A notice still
   * waiting, parked as a dead letter, held by another run's lease or dropped, or a state error, makes
   * it false; so does any entry in `deliveryErrors` (withDeliveryErrors): a sink failure before this
   * report was delivered (a sink cannot report its own failure to take the report itself).
   */
  readonly ok: boolean;
  readonly summary: RunSummary;
  readonly targets: readonly TargetReport[];
  readonly gateways: readonly GatewayReport[];
  /**
   * Gateways no target lists any more (gone from their subscription's or resource group's listing, or
   * outside the targets) whose open notify episodes this run ended because ARM confirmed them deleted
   * (a 404 to their `GET`: pipeline/notify/notify-gateways.ts notifyUnvisited): each ARM id, name,
   * subscription and resource group, as `gateways` names a gateway. Not read, so not in `gateways` nor
   * counted in `summary.gateways`; not a failure (`ok` stays as it is: the run did what it was asked).
   * Their episodes' `recovered` is in `notifications.deliveries`, and the status page shows them
   * deleted. A gateway named by id in `targets` that ARM confirmed deleted is in `gateways` instead
   * (error `GatewayDeleted`). Absent: none (and without receivers: nothing to end).
   */
  readonly deletedUnlisted?: readonly UnlistedDeletionReport[];
  /** Notify on change: what was decided and what became of each delivery (absent without receivers). */
  readonly notifications?: NotificationsReport;
  /** Fan-out only: the gateways queued for the queue function (their results are reported one by one). */
  readonly queued?: readonly string[];
  /**
   * Present when the run stopped before it was done (a stop signal, or `runDeadlineInMs`); `ok` is then
   * false. What it finished is in `gateways` (and was delivered gateway by gateway as it finished).
   */
  readonly interrupted?: RunInterruptionReport;
  /**
   * Present when some insight gives the general remediation steps, not the gateway's own probe values
   * and commands (a configuration GET failed, or did not name a finding's setting or probe): how many,
   * one message for the top of the summary, and the permission to grant when a GET was refused. `ok`
   * does not change (the health was read); `run` exits 3 when nothing else failed (cli/exit-codes.ts).
   */
  readonly configuration?: RunConfigurationReport;
  /** Sinks that failed to take this run, by name (no secrets). */
  readonly deliveryErrors: readonly ReportedError[];
}

/** Why a run stopped before it was done, and what it did not do. */
export interface RunInterruptionReport {
  /** `signal` (Ctrl-C, `kill`, a closed terminal) or `deadline` (`runDeadlineInMs`). */
  readonly by: 'signal' | 'deadline';
  /** `by: signal`: its name (`SIGINT`, `SIGTERM`, `SIGHUP` …). */
  readonly signal?: string;
  /** `by: deadline`: the run's `runDeadlineInMs`. */
  readonly deadlineInMs?: number;
  /** What happened and what to do, for a person. */
  readonly message: string;
  /**
   * ARM ids of the gateways the run did not do (never started, or their read cut short), in the order
   * they were listed: neither evaluated nor failed, not in `gateways`, and nothing was decided or sent
   * for them (no notify episode moved). Targets whose listing was cut short are in `targets` with the
   * error `RunInterrupted`; their gateways are not known.
   */
  readonly notDone: readonly string[];
}

export interface RunSummary {
  readonly gateways: number;
  readonly failedGateways: number;
  readonly servers: number;
  readonly findings: number;
  /** Gateways read whose reading lacked pools their configuration routes to (GatewayReport.poolsNotRead); absent: none. */
  readonly incompleteReadings?: number;
  /**
   * Gateways read whole (no routed pool missing) that listed no backend server: their routed pools have
   * no members, so they serve nothing (GatewayReport `servers` 0). Absent: none (and in reports of
   * earlier releases). The summary's first line and the status page's title count them.
   */
  readonly servingNothing?: number;
  /** Of `servers`, those neither healthy nor reported, by state (GatewayReport.notReported summed); absent: none. */
  readonly notReported?: NotReportedCounts;
  /**
   * Of `failedGateways`, those ARM confirmed deleted (error `GatewayDeleted`: a 404 to the
   * backend-health call and to the gateway's GET); absent: none. Not "could not be checked": checked,
   * and gone. Gateways no target lists any more that ARM confirmed deleted are `deletedUnlisted`.
   */
  readonly deletedGateways?: number;
  /**
   * How many gateways `RunReport.deletedUnlisted` lists: not read, not in `gateways` nor `failedGateways`,
   * and no failure. Absent: none. With `deletedGateways`, every gateway this run found deleted (what the
   * status page marks deleted).
   */
  readonly deletedUnlisted?: number;
}

export interface ReportedError {
  readonly code: string;
  readonly message: string;
  /** Whether trying again later can help (throttling, time-outs, 5xx), from the error itself. */
  readonly retryable: boolean;
  readonly sink?: string;
  /**
   * State and delivery errors: the document (file or blob) or delivery concerned (`state file …`,
   * `report.json`, `insights and result of gateway …`), never a key or SAS.
   */
  readonly document?: string;
  /**
   * `deliveryErrors` only: this entry closes its sink's list, standing for this many more failed
   * deliveries to it (src/pipeline/sink-failures.ts DELIVERY_ERRORS_PER_SINK are listed per sink).
   */
  readonly omitted?: number;
  /**
   * State errors only: true when the run went on without the document and sent its notices as if it
   * were empty (the stored silences fail open): it hides no notice, unlike a gateway's document.
   */
  readonly failedOpen?: boolean;
}

/** How many deliveries failed, in all: each entry of `errors`, and the failures a closing entry counts. */
export function failedDeliveries(errors: readonly ReportedError[]): number {
  return errors.reduce((sum, error) => sum + (error.omitted ?? 1), 0);
}

/**
 * The sink name of the status page's own reads and writes in `deliveryErrors` (its gateways' histories,
 * the page's pieces): not a delivery to a sink, and said apart in notOkReasons.
 */
export const STATUS_PAGE_SINK = 'status page';

/** `errors` of the status page's own (STATUS_PAGE_SINK), then the sinks', each counted as failedDeliveries. */
function deliveryFailureCounts(errors: readonly ReportedError[]): { page: number; sinks: number } {
  const page = failedDeliveries(errors.filter((e) => e.sink === STATUS_PAGE_SINK));
  return { page, sinks: failedDeliveries(errors) - page };
}

export interface TargetReport {
  readonly id: string;
  readonly ok: boolean;
  readonly error: ReportedError | null;
  /** The gateways listed and picked: the ones this run checks. */
  readonly gateways: number;
  /** Only when some were found and the discovery filter left them out: how many (present, not checked). */
  readonly leftOut?: number;
}

export interface GatewayReport {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly ok: boolean;
  readonly error: ReportedError | null;
  readonly durationInMs: number;
  /** Servers the gateway listed, healthy or not. */
  readonly servers: number;
  readonly findings: readonly FindingReport[];
  /**
   * Of `servers`, those in a state neither healthy nor reported (left out of `unhealthyStates`: Draining
   * by default), by state: `{ "draining": 1 }`. No finding, no notice; counted so that nothing says
   * "all healthy" of them. Absent: none.
   */
  readonly notReported?: NotReportedCounts;
  /**
   * A direct run's report.json only: the sinks that did not take this gateway's insights and result
   * (their failures are in `deliveryErrors`, at most 10 listed per sink), so its insight paths are not
   * taken for written. Absent: delivered to every sink (and in a gateway's own result, written by that
   * delivery, and in the Functions app's reports).
   */
  readonly undelivered?: readonly string[];
  /**
   * The gateway's configuration GET, when some of its insights give the general steps because of it
   * (configuration-report.ts): `read`, why not (`reason`, `message`, `retryable`), and how many. Absent
   * when every insight shows the gateway's own values, or no configuration was asked for.
   */
  readonly configuration?: GatewayConfigurationReport;
  /**
   * Backend pools the gateway's configuration routes to, with members, that its backend-health reading
   * did not list at all (core/reading-coverage.ts): their servers were not read this run, so the run is
   * not `ok`. Said only when a configuration was at hand (the listing's, or the GET for findings).
   * Absent: none, or not known.
   */
  readonly poolsNotRead?: readonly string[];
  /**
   * The Functions app only: the queue invocations this gateway took (the start, then one per poll of
   * its running operation, each a continuation message) and their handler-active time summed, in ms
   * (each from the invocation's start to its result; the final one's up to its report, not the report's
   * delivery). Beside `durationInMs` (from the start to the body), it shows what instance time the wait
   * did not cost. `deferrals`, when any: how many of those invocations put the gateway's step back on
   * the queue because its subscription's ARM quota had no place for it (counted in `invocations`).
   */
  readonly fanOut?: {
    readonly invocations: number;
    readonly polls: number;
    readonly handlerActiveInMs: number;
    readonly deferrals?: number;
  };
  /**
   * The Functions app only: the Azure Monitor alert that asked for this evaluation out of schedule
   * (its id, rule, severity, Fired or Resolved, and the BackendSettingsPool values it named). Absent
   * for the timer's evaluations.
   */
  readonly trigger?: AlertTrigger;
}

/**
 * A gateway of `RunReport.deletedUnlisted`: who it is, with the fields a GatewayReport names a gateway by
 * (gatewayFields). All but the id come from its notify state, as an earlier run read them from ARM.
 */
export type UnlistedDeletionReport = Pick<GatewayReport, 'id' | 'name' | 'subscriptionId' | 'resourceGroup'>;

export interface FindingReport {
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
  readonly health: string;
  readonly state: Finding['state'];
  readonly probeLog: string;
  /** Cause id (a contract), title, steps, guide link, and `receivedStatus` for status-code mismatches. */
  readonly cause: Cause;
  /** `critical` or `warning`, from the server's pool (core/notice/severity.ts). */
  readonly severity: Severity;
  /**
   * Present when the insight gives the general steps, not this server's probe values and commands:
   * why (the configuration GET failed, or its setting or probe is missing or ambiguous).
   */
  readonly generalSteps?: { readonly because: string };
  /** Paths of the insight files, relative to the sink's root (e.g. the folder sink's dir). */
  readonly insight: { readonly markdown: string; readonly html: string };
}

export function gatewayFields(gateway: GatewayRef) {
  return {
    id: gateway.id,
    name: gateway.name,
    subscriptionId: gateway.subscriptionId,
    resourceGroup: gateway.resourceGroup,
  };
}

export interface NotificationsReport {
  /** Notices decided by this run. */
  readonly decided: number;
  /**
   * Transitions a silence held back this run (`notify.silences`, `appgw-insights silence add`): not sent.
   * `held`: sent on the first run after the silence ends if the server is still bad. `ended-silenced`:
   * the server recovered while its `degraded` was held, so neither `degraded` nor `recovered` is sent.
   */
  readonly silenced: readonly SilencedReport[];
  /** False when a gateway's notices were not claimed: its state failed (`stateErrors`) or kept changing (`contended`). */
  readonly claimed: boolean;
  /** Every delivery tried (or held back) this run, oldest notices first, with each HTTP attempt. */
  readonly deliveries: readonly NoticeDeliveryReport[];
  /** Per receiver: notices still undelivered after this run (every entry of `undelivered`). */
  readonly pending: Readonly<Record<string, number>>;
  /** Every notice not delivered after this run, whatever holds it up: the run is not `ok` while any is. */
  readonly undelivered: readonly UndeliveredNoticeReport[];
  /** Notices removed from the state this run without being delivered (listed once, here and in the log). */
  readonly dropped: readonly DroppedNoticeReport[];
  /**
   * Notices waiting for their group's timer (`notify.grouping: "gateway"`): not undelivered, not a
   * failure (the run stays `ok`); absent when none.
   */
  readonly grouped?: readonly GroupedNoticeReport[];
  /**
   * Notices their group never sent because the episode ended first (EndedInGroupReport): not a
   * failure; absent when none.
   */
  readonly endedInGroup?: readonly EndedInGroupReport[];
  /**
   * Open episodes whose `recovered` waits for more healthy runs (`notify.recoverAfter`): absent when
   * none.
   */
  readonly awaitingRecovery?: readonly AwaitingRecoveryReport[];
  /**
   * Servers found bad this run that open no episode yet: an on-demand probe (`recheck`) confirmed them
   * healthy moments ago, and the gateway's backend-health reading may lag (ConfirmationHeldReport).
   * Absent when none.
   */
  readonly heldByConfirmation?: readonly ConfirmationHeldReport[];
  /**
   * Gateways no listing showed that ARM did not confirm deleted (UnconfirmedDeletionReport): their
   * episodes stay open, and the run is not `ok`. Absent when none.
   */
  readonly unconfirmedDeletions?: readonly UnconfirmedDeletionReport[];
  /**
   * Servers a successful reading lacked with their whole pool and settings, not confirmed removed by
   * the configuration (UnconfirmedRemovalReport): their episodes stay open, and the run is not `ok`.
   * Absent when none.
   */
  readonly unconfirmedRemovals?: readonly UnconfirmedRemovalReport[];
  /**
   * Gateways with open episodes this run did not read (UnreadGatewayReport): outside its targets, or
   * in a target that could not be listed. Not a failure; absent when none.
   */
  readonly unread?: readonly UnreadGatewayReport[];
  /**
   * Readings taken after a newer reading of their gateway was counted (OlderReadingReport): reported
   * as read, not counted for notifications. Not a failure; absent when none.
   */
  readonly olderReadings?: readonly OlderReadingReport[];
  /**
   * Open episodes past `notify.for` whose `degraded` no receiver's `match` took (counted in
   * `openEpisodes.noReceiver`): which servers, so a gap in the routing is found, not guessed. Absent
   * when none (and in reports of earlier releases).
   */
  readonly unrouted?: readonly UnroutedReport[];
  /**
   * Open episodes still bad after this run, summed over the gateways notify read: told, and not told
   * yet (OpenEpisodesReport). Says why a run with bad servers sent nothing; absent when none.
   */
  readonly openEpisodes?: OpenEpisodesReport;
  /** State documents that could not be listed, read or written, or are not valid (codes StateUnavailable, StateInvalid). */
  readonly stateErrors: readonly ReportedError[];
  /**
   * State documents (`state file …`, `blob …`) this run could not claim because overlapping runs wrote
   * them first every time it tried: their notices were left to those runs. Not a failure of the state.
   */
  readonly contended: readonly string[];
}

/** Which server a report entry is about: the fields every entry about a server or its notices has. */
export interface ServerEntryReport {
  /** The gateway's ARM id (its state document). */
  readonly gateway: string;
  /** gateway/pool/settings/address */
  readonly server: string;
}

/**
 * Which notice, to which receiver: the fields every report entry about one notice starts with
 * (`undelivered`, `dropped`, `grouped`, `endedInGroup`, and `notify list`'s), as
 * pipeline/notify/notice-entries.ts noticeEntryFields fills them from the notice.
 */
export interface NoticeEntryReport extends ServerEntryReport {
  readonly receiver: string;
  readonly noticeId: string;
  readonly type: string;
  /** The notice's severity (for `recovered`, its episode's); always set by a run. */
  readonly severity?: Severity;
  /** A `degraded` sent again because its severity rose: the severity told before (Notice.raisedFrom). */
  readonly raisedFrom?: Severity;
  /** A `degraded` sent again because its cause changed: the cause id told before (Notice.causeChangedFrom). */
  readonly causeChangedFrom?: string;
  /**
   * A `recovered` that ends its episode without a recovery: why (notice-labels.ts endingWords), as
   * NoticeDeliveryReport.ended. Absent for a recovery and any other notice (and in reports of earlier
   * releases). `notify list` and the summary show such a notice as `ended`, never `recovered`.
   */
  readonly ended?: string;
}

/** A notice entry of a notice still in the outbox, or one taken from it. */
export interface QueuedNoticeEntryReport extends NoticeEntryReport {
  /** ISO: when it was decided. */
  readonly queuedAt: string;
}

export interface SilencedReport extends ServerEntryReport {
  readonly type: 'degraded' | 'still-degraded' | 'recovered';
  readonly outcome: 'held' | 'ended-silenced';
  readonly silenceIds: readonly string[];
  readonly causeId: string;
  /** The transition's severity (for `ended-silenced`, of the episode's last bad run). */
  readonly severity?: Severity;
  /** A held `degraded` due because its severity rose: the severity told before. */
  readonly raisedFrom?: Severity;
  /**
   * `held` only, ISO: until when its silences are in force (a weekly window's current occurrence, an
   * expiry counted); the first run from then sends it if the server is still bad.
   */
  readonly until?: string;
  /**
   * `held` only: the gateway's gateway-level episode (`notify.inhibit`) holds it as well: it goes out
   * when that episode ends, not when the silence does. Absent: not so.
   */
  readonly inhibited?: true;
}

export interface NoticeDeliveryReport {
  readonly receiver: string;
  readonly noticeId: string;
  readonly type: string;
  /** The notice's severity (for `recovered`, its episode's); always set by a run. */
  readonly severity?: Severity;
  /** A `degraded` sent again because its severity rose: the severity told before (Notice.raisedFrom). */
  readonly raisedFrom?: Severity;
  /** A `degraded` sent again because its cause changed: the cause id told before (Notice.causeChangedFrom). */
  readonly causeChangedFrom?: string;
  /**
   * A `recovered` that ended its episode without a recovery: why (`gateway deleted`, `the server is no
   * longer listed by the gateway (…)`, … notice-labels.ts endingWords). Absent for a recovery.
   */
  readonly ended?: string;
  /** gateway/pool/settings/address */
  readonly server: string;
  /**
   * `delivered`: accepted. `queued`: failed retryably (down, time-out, 408, 429, 5xx), kept in place
   * with its id for the next run. `parked`: refused for good (another 4xx, a redirect, a URL it may not
   * go to), now a dead letter. `not-tried`: held back this run (the receiver failed earlier in the run,
   * or the run's lease would have ended mid-send); it waits for the next run.
   */
  readonly outcome: 'delivered' | 'queued' | 'parked' | 'not-tried';
  readonly attempts: readonly AttemptReport[];
  /** Why it was not delivered. */
  readonly error?: string;
  /** The grouped message it went in (`notify.grouping: "gateway"`); its attempts are the message's. */
  readonly groupId?: string;
  /**
   * Delivered, and an earlier send may have reached the receiver already: a run that held it stopped or
   * died before recording what it sent (its lease ran out), or an earlier send got no answer. The
   * receiver may hold it twice, with the same `noticeId` to drop the copy by. Absent otherwise.
   */
  readonly mayHaveReachedBefore?: true;
}

/** One notice that is not delivered, with when it will be tried again. */
export interface UndeliveredNoticeReport extends QueuedNoticeEntryReport {
  /**
   * `waiting`: in the outbox, tried again on the next run. `leased`: another run holds it (it is
   * probably sending it now); tried again once `leasedUntil` has passed, if still undelivered.
   * `dead-letter`: refused for good or set aside past the bound; not tried again until re-sent by hand
   * (`appgw-insights notify resend`).
   */
  readonly status: 'waiting' | 'leased' | 'dead-letter';
  /** The last failure, why it was held back, or why it was parked. */
  readonly reason: string;
  /** `next-run`, `after-lease` or `by-hand`, as `status` says. */
  readonly retry: 'next-run' | 'after-lease' | 'by-hand';
  /** Runs that tried it and failed. */
  readonly failedRuns: number;
  readonly leasedBy?: string;
  /** ISO */
  readonly leasedUntil?: string;
  /** ISO: when it became a dead letter. */
  readonly parkedAt?: string;
  /**
   * `notify list` only: a `waiting` notice held for its group's next message (its receiver groups by
   * gateway, and the group is not due): from when that message may go (ISO), and the setting that says
   * so, as GroupedNoticeReport's. The next run before `dueAt` does not send it.
   */
  readonly dueAt?: string;
  readonly dueBy?: 'notify.groupWait' | 'notify.groupInterval';
}

/**
 * A notice waiting for its group's timer (`notify.groupWait` / `groupInterval`, core/notice/grouping.ts):
 * not a failure; it goes out in the group's next message at the first run from `dueAt`.
 */
export interface GroupedNoticeReport extends QueuedNoticeEntryReport {
  /** ISO: from when the group's next message may go. */
  readonly dueAt: string;
  /**
   * The setting `dueAt` comes from: `notify.groupWait` (from the group's start, before its first
   * message) or `notify.groupInterval` (from its last message). Absent in reports of earlier releases.
   */
  readonly dueBy?: 'notify.groupWait' | 'notify.groupInterval';
}

/**
 * A notice removed without being sent, because its episode ended first (core/notice/grouping.ts,
 * dropEndedEpisodes): a `degraded`/`still-degraded` that waited for its group and would tell of a
 * failure that is over; the `recovered` of an episode the receiver was never told (its first notice
 * refused or never sent), and that episode's dead letters (re-sent, they would open an alert that is
 * over); and a `degraded`/`still-degraded` of an episode that is over waiting for a receiver no
 * `recovered` of it goes to (`sendResolved: false`: grouping.ts, dropOutlivedNotices). Not a failure.
 */
export interface EndedInGroupReport extends QueuedNoticeEntryReport {
  /** `ended before its group was sent: …`, `not sent: the receiver never accepted …` (the episode's first notice, and why), or `not sent: the episode is over and no recovered of it goes to this receiver …`. */
  readonly reason: string;
}

/**
 * A told episode whose server was healthy in the last run(s) but not yet `notify.recoverAfter` runs in
 * a row: its `recovered` is pending (decide.ts, hysteresis). Not a failure.
 */
export interface AwaitingRecoveryReport extends ServerEntryReport {
  /** Healthy runs in a row so far. */
  readonly goodRuns: number;
  /** Healthy runs in a row it needs (`notify.recoverAfter`). */
  readonly recoverAfter: number;
  /** ISO: when its episode started. */
  readonly degradedSince: string;
}

/**
 * A server found bad by this run inside the hold of a confirmed fix (ServerRecord.confirmed): its
 * reading is taken for the gateway's lag, so no episode opens (no notice) unless it is still bad at
 * the first run after `until`. Not a failure.
 */
export interface ConfirmationHeldReport extends ServerEntryReport {
  /** ISO: when the on-demand probe found it healthy. */
  readonly confirmedAt: string;
  /** ISO: until when a bad reading opens no episode. */
  readonly until: string;
}

/**
 * A gateway with notify state that no listing of this run showed, though its scope was listed whole,
 * and that ARM did not confirm deleted (pipeline/notify/confirm-gone.ts): its open episodes stay open,
 * none is sent as `recovered`, and the run is not `ok` (nobody read it this run). A failure to act on
 * when it lasts: grant the identity Reader on the whole target, or move the gateway's state document aside.
 */
export interface UnconfirmedDeletionReport {
  /** The gateway's ARM id. */
  readonly gateway: string;
  /** Why it is not known to be gone, one line: ARM's 200, its error, or no answer. */
  readonly reason: string;
  /** Its notify state document (`state file …`, `blob …`): moved aside, the gateway is no longer asked about. */
  readonly document: string;
  /**
   * `backendHealth`: what said it may be gone is its backend-health call's 404 (a gateway named by id
   * in the targets), not a listing. Absent: a listing that lacked it.
   */
  readonly notFoundBy?: 'backendHealth';
}

/**
 * A server with an open episode that its gateway's successful reading did not list, with none of its
 * pool and settings either, while the gateway's configuration still has it (or could not be read):
 * the reading is taken as incomplete, the episode stays as it was, and the run is not `ok`
 * (pipeline/notify/confirm-removed.ts). A server the configuration no longer has ends with `recovered`
 * ("no longer listed by the gateway").
 */
export interface UnconfirmedRemovalReport extends ServerEntryReport {
  /** Why its absence is not taken as removal, one line. */
  readonly reason: string;
}

/**
 * A gateway's reading that began before the newest one already counted for it (a queue continuation
 * taken late, after a newer run read the gateway, or after its deletion was confirmed): its result is
 * reported as read, but it decides nothing for notifications (core/notice/reading-order.ts).
 */
export interface OlderReadingReport {
  /** The gateway's ARM id. */
  readonly gateway: string;
  /** ISO: when this reading began (Observation.readAt). */
  readonly readAt: string;
  /** ISO: when the newer reading counted before it began (the state's `newestReadingAt`). */
  readonly countedAt: string;
}

/**
 * A gateway with open episodes in the notify state that this run did not read: outside its targets (a
 * target narrowed or removed), or in a target whose listing failed. Its episodes stay open, told or
 * not, until a run reads it again; nothing is sent for them. Not a failure (a target's failure is said
 * with the target).
 */
export interface UnreadGatewayReport {
  /** The gateway's ARM id. */
  readonly gateway: string;
  /** Its open episodes (told or not). */
  readonly openEpisodes: number;
  /**
   * Why ARM could not say whether it still exists (asked with its `GET`: a 404 would have ended its
   * episodes as a deletion): a 403, no answer, a 404 that is not ARM's word on it. Absent: ARM still has
   * it, or it was not asked (`notAsked`).
   */
  readonly existenceUnknown?: string;
  /**
   * Why ARM was not asked whether it still exists: its episodes were told to receivers this run does not
   * have (named; another deployment sharing the state, or a receiver renamed or removed), and what to do.
   * Absent: it was asked.
   */
  readonly notAsked?: string;
}

/** Open episodes still bad after a run (none counting toward `notify.recoverAfter`). */
export interface OpenEpisodesReport {
  /** Their `degraded` was decided: reminded per `notify.repeatInterval` while bad, nothing new till then. */
  readonly told: number;
  /**
   * Bad for fewer runs than `notify.for` (not silenced, not inhibited): `degraded` once they reach it.
   */
  readonly notYetTold: number;
  /**
   * Not told, held by their gateway's open gateway-level episode (`notify.inhibit`): their `degraded`
   * goes once that episode ends (it ends after the gateway has not been all bad for
   * `notify.recoverAfter` runs). Absent: none (and in reports of earlier releases).
   */
  readonly inhibited?: number;
  /**
   * Past `notify.for`, but no receiver's `match` takes their `degraded` (routed to none): told to
   * nobody, not counted in `told`. Absent: none (and in reports of earlier releases).
   */
  readonly noReceiver?: number;
  /**
   * Past `notify.for`, their `degraded` decided and still waiting in the outbox of every receiver it went
   * to (for the group's next message, held by a silence at its send, or after a receiver's failure: said
   * by those counts), so nobody was told yet; not counted in `told` nor `notYetTold`. Absent: none (and
   * in reports of earlier releases, which counted them in `notYetTold`).
   */
  readonly waiting?: number;
}

/**
 * An open episode whose `degraded` went to no receiver: every configured receiver's `match` refused it
 * (receiver-rules.ts). It is told to nobody until its episode ends, or the rules change and a later
 * episode opens.
 */
export interface UnroutedReport extends ServerEntryReport {
  /** The severity its `degraded` was decided with (what a `match` on severity compared). */
  readonly severity: string;
  /** ISO time of the episode's first bad run. */
  readonly degradedSince: string;
  /**
   * The receivers its `degraded` went to, none of them configured any more (renamed or removed: their
   * notices were dropped); absent when no receiver's `match` took it.
   */
  readonly toldTo?: readonly string[];
}

export interface DroppedNoticeReport extends NoticeEntryReport {
  /** Why: past notify.outboxLimit dead letters, or the receiver is no longer configured. */
  readonly reason: string;
}

export interface AttemptReport {
  readonly attempt: number;
  readonly status?: number;
  readonly error?: string;
  readonly durationInMs: number;
}

/**
 * `report` with `deliveryErrors` (every sink failure of the run so far): `ok` is then false too. A
 * script reading `report.json` saw `ok: true` for a run whose insights a sink refused, though `run`
 * exited 2 (a new-user trial). A sink cannot name its own failure to take this very report: that is
 * only in the report a run returns (the CLI's summary, `--json`, telemetry).
 */
export function withDeliveryErrors(
  report: RunReport,
  deliveryErrors: RunReport['deliveryErrors'],
): RunReport {
  return { ...report, ok: report.ok && deliveryErrors.length === 0, deliveryErrors };
}

/**
 * Whether the run did everything it had to (`ok`: targets, gateways, notices, state) and every sink
 * took it. `run` exits 2 otherwise.
 */
export function runSucceeded(report: RunReport): boolean {
  return report.ok && report.deliveryErrors.length === 0;
}

/**
 * Why `runSucceeded(report)` is false: one phrase per kind of failure, in the report's order
 * (targets, gateways, readings, notices, sinks), each with its count, for the summary's closing line.
 * Empty when the run succeeded, and for an interrupted run (its own block and exit code say so). Never
 * empty otherwise: a failure of a kind not named here is "see report.json". A new-user trial: a run whose
 * only failures were deleted gateways exited 2, and its summary said "(7 deleted)" and no word of failure.
 */
export function notOkReasons(report: RunReport): string[] {
  if (runSucceeded(report) || report.interrupted) return [];
  const reasons = failureReasons(report);
  return reasons.length ? reasons : ['see report.json'];
}

/**
 * What an interrupted run failed at besides the interruption, as notOkReasons says it: its targets the
 * stop cut short (`RunInterrupted`) are the interruption's own (a break trial: the last line said only
 * "interrupted" of a run with a target not listed and a wrong gateway id). Empty when nothing else failed.
 */
export function failedBesidesInterruption(report: RunReport): string[] {
  return failureReasons({
    ...report,
    targets: report.targets.filter((t) => t.error?.code !== RUN_INTERRUPTED_CODE),
  });
}

/** notOkReasons' phrases, each kind counted once; empty when none applies. */
function failureReasons(report: RunReport): string[] {
  const s = report.summary;
  const n = report.notifications;
  const deleted = s.deletedGateways ?? 0;
  const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const failedTargets = report.targets.filter((t) => !t.ok).length;
  const deliveries = deliveryFailureCounts(report.deliveryErrors);
  const reasons = [
    failedTargets ? plural(failedTargets, 'target not listed', 'targets not listed') : '',
    s.failedGateways > deleted
      ? plural(s.failedGateways - deleted, 'gateway could not be checked', 'gateways could not be checked')
      : '',
    deleted
      ? `${plural(deleted, 'gateway', 'gateways')} not found (deleted; or, if "targets" names ${deleted === 1 ? 'it' : 'them'} by id, a wrong id: fix or remove ${deleted === 1 ? 'that id' : 'those ids'})`
      : '',
    s.incompleteReadings ? plural(s.incompleteReadings, 'reading incomplete', 'readings incomplete') : '',
    // Not claimed: its state failed (stateErrors, below) or overlapping runs wrote it first (contended);
    // "another run holds its lease" of a broken state file sent an SRE looking for a run (a trial).
    n?.contended.length
      ? plural(n.contended.length, 'notify state document', 'notify state documents') +
        ' written first by another run each time this run tried (its notices left to that run)'
      : '',
    n && !n.claimed && !n.stateErrors.length && !n.contended.length ? 'notify on change not done' : '',
    n?.undelivered.length
      ? plural(n.undelivered.length, 'notice not delivered', 'notices not delivered')
      : '',
    n?.dropped.length ? plural(n.dropped.length, 'notice dropped', 'notices dropped') : '',
    // The stored silences are counted apart: they fail open, and hide no notice (a new-user trial read
    // "not counting the notices of 3 state documents" above "4 notify state documents not read").
    notifyStateFailures(n?.stateErrors ?? []),
    ...storedSilenceFailures(n?.stateErrors ?? []),
    n?.unconfirmedDeletions?.length
      ? plural(n.unconfirmedDeletions.length, 'gateway', 'gateways') +
        ' not listed whose deletion ARM did not confirm'
      : '',
    n?.unconfirmedRemovals?.length
      ? plural(n.unconfirmedRemovals.length, 'server', 'servers') +
        ' not listed whose removal the configuration did not confirm'
      : '',
    deliveries.sinks
      ? plural(deliveries.sinks, 'delivery to a sink failed', 'deliveries to sinks failed')
      : '',
    // A trial's "5 deliveries to sinks failed" were the state container's history reads, no sink's.
    // The page's own index.html is a sink's delivery (the folder's, the blob sink's): counted above.
    deliveries.page
      ? plural(
          deliveries.page,
          'status page document not read or written',
          'status page documents not read or written',
        )
      : '',
  ].filter((reason) => reason !== '');
  return reasons;
}

/** `3 notify state documents not read or written`: the state errors that are not the silences' (failedOpen). */
function notifyStateFailures(errors: readonly ReportedError[]): string {
  const hiding = errors.filter((e) => e.failedOpen !== true).length;
  if (hiding === 0) return '';
  return `${hiding} ${hiding === 1 ? 'notify state document' : 'notify state documents'} not read or written`;
}

/**
 * The stored silences' failures (failedOpen): entries not valid, each not applied while the others are
 * (`StoredSilenceInvalid`), apart from the document not read, which leaves the configuration's alone (a
 * break trial: one entry not valid was said as every stored silence not read).
 */
function storedSilenceFailures(errors: readonly ReportedError[]): string[] {
  const silences = errors.filter((e) => e.failedOpen === true);
  const invalid = silences.filter((e) => e.code === 'StoredSilenceInvalid').length;
  return [
    invalid > 0 ? `${invalid} stored ${invalid === 1 ? 'silence' : 'silences'} not valid, not applied` : '',
    silences.length > invalid
      ? "the stored silences not read (the run went on with the configuration's alone)"
      : '',
  ];
}

/**
 * True when notify on change left nothing undone: claimed, every notice delivered, no state error, no
 * gateway left unread whose deletion ARM did not confirm.
 */
export function notificationsDone(notifications: NotificationsReport | undefined): boolean {
  return (
    notifications === undefined ||
    (notifications.claimed &&
      notifications.undelivered.length === 0 &&
      notifications.dropped.length === 0 &&
      notifications.stateErrors.length === 0 &&
      (notifications.unconfirmedDeletions ?? []).length === 0 &&
      (notifications.unconfirmedRemovals ?? []).length === 0)
  );
}
