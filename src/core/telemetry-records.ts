import { notReportedTotal } from './not-reported';
import {
  runSucceeded,
  type DroppedNoticeReport,
  type GatewayReport,
  type NoticeDeliveryReport,
  type ReportedError,
  type RunReport,
  type UndeliveredNoticeReport,
} from './run-report';

/**
 * Telemetry: what each run, discovery, queue invocation and poisoned message leaves for operators to
 * query and alert on. One record per thing that happened, each a flat object (strings, booleans,
 * numbers) under an event name, built from the run report alone (so telemetry and `report.json` never
 * disagree). In the Functions app every record is one trace in Application Insights whose message is
 * `<name> <JSON>` (see `formatTelemetryRecord`); README "Telemetry" has the shapes and the queries,
 * infra/app/alerts.bicep the alert rules that read them.
 *
 * Field names are a contract, like the report's: added to, never renamed or given another meaning
 * (`v` would change if one ever had to). Records carry ids, names, counts, codes and times, never a
 * message text, URL, key or connection string: receivers are named `webhook[<name>]`, errors by code.
 */
export const TELEMETRY_VERSION = 1;

/**
 * Which part of a run emitted the record: `run` the CLI's direct run; `discover` the timer of a fan-out
 * run (lists the targets, queues the gateways, notifies for gateways no message visits); `evaluate` one
 * queue invocation (one gateway); `poison` the poison-queue handler (a gateway the host gave up on).
 */
export type TelemetryStep = 'run' | 'discover' | 'evaluate' | 'poison';

interface Common {
  readonly v: typeof TELEMETRY_VERSION;
  readonly runId: string;
  /** `direct` (CLI) or `fan-out` (the Functions app: timer, queue and poison records of one run share its runId). */
  readonly mode: 'direct' | 'fan-out';
  readonly step: TelemetryStep;
}

/** `appgw.run`: a direct run, or a fan-out run's discovery, completed (its report was built and delivered). */
export interface RunTelemetry extends Common {
  /** The run did everything it had to and every sink took it (`runSucceeded`). */
  readonly ok: boolean;
  readonly targets: number;
  readonly targetsFailed: number;
  /** Direct: gateways evaluated. Discovery: gateways queued (each then has its own `appgw.gateway`). */
  readonly gateways: number;
  /** Direct only (0 in a discovery): gateways that could not be evaluated. */
  readonly gatewaysFailed: number;
  /** Direct only: servers the gateways listed, healthy or not. */
  readonly servers: number;
  /** Direct only: servers reported (down, unknown, partial …), each with its `appgw.server`. */
  readonly unhealthyServers: number;
  /**
   * Direct only: servers neither healthy nor reported (a state left out of `unhealthyStates`: Draining by
   * default; report `summary.notReported`), so `servers − unhealthyServers` is not taken for healthy.
   */
  readonly notReportedServers: number;
  /** Notices not delivered after the run (waiting, leased, dead letters) that this run looked at. */
  readonly noticesUndelivered: number;
  readonly noticesDropped: number;
  /** Notify state documents that could not be listed, read or written, or are not valid. */
  readonly stateErrors: number;
  /**
   * Gateways with notify state no listing showed that ARM did not confirm deleted (report
   * `notifications.unconfirmedDeletions`): their episodes stay open, and nobody read them this run.
   */
  readonly unconfirmedDeletions: number;
  /**
   * Servers kept open because the reading lacked their pool and the configuration did not confirm their
   * removal (report `notifications.unconfirmedRemovals`).
   */
  readonly unconfirmedRemovals: number;
  /**
   * Direct only: gateways read whose reading lacked pools their configuration routes to (report
   * `summary.incompleteReadings`): their servers were not read, and the run is not `ok`.
   */
  readonly incompleteReadings: number;
  /**
   * Gateways ARM confirmed deleted this run: read as gone (`summary.deletedGateways`, also counted in
   * `gatewaysFailed`) and those no target lists any more (`summary.deletedUnlisted`). 0 in a discovery.
   */
  readonly gatewaysDeleted: number;
  /**
   * Readings notify did not count because a newer reading of their gateway was counted first (report
   * `notifications.olderReadings`: a late result of an earlier run).
   */
  readonly olderReadings: number;
  /** Sinks that failed to take the run (blob container, folder). */
  readonly sinkErrors: number;
  readonly durationInMs: number;
  /** A direct run stopped before it was done: `signal` or `deadline` (`runDeadlineInMs`); '' when not. */
  readonly interrupted: '' | 'signal' | 'deadline';
  /** Gateways an interrupted run did not do (`interrupted.notDone` in the report); 0 otherwise. */
  readonly gatewaysNotDone: number;
}

/** `appgw.target`: one target (subscription, resource group or gateway id) listed by a run or discovery. */
export interface TargetTelemetry extends Common {
  /** The target's ARM id as configured. */
  readonly target: string;
  readonly ok: boolean;
  /** Our error code (README "The run report"; `AuthorizationFailed`, `TargetNotFound` …), '' when ok. */
  readonly errorCode: string;
  readonly gateways: number;
}

/** `appgw.gateway`: one gateway evaluated (direct run, queue invocation), or given up on (poison). */
export interface GatewayTelemetry extends Common {
  readonly gatewayId: string;
  /** The gateway's name, resource group and subscription, from its id. */
  readonly gateway: string;
  readonly resourceGroup: string;
  readonly subscriptionId: string;
  readonly ok: boolean;
  /** '' when ok; `Poisoned` from the poison handler. */
  readonly errorCode: string;
  /** Whether trying again later can help (throttling, time-out, 5xx), from the error. */
  readonly retryable: boolean;
  /** The host's try of this queue message (its `dequeueCount`), 1 in a direct run. */
  readonly attempt: number;
  /**
   * The invocation failed in passing and gives the message back to the host, which tries again (after
   * its last try, host.json `maxDequeueCount`, it moves the message to the poison queue instead, and
   * the poison handler records `step: poison`). A final outcome has `retrying: false`.
   */
  readonly retrying: boolean;
  readonly servers: number;
  readonly unhealthyServers: number;
  /** Servers neither healthy nor reported (report `gateways[].notReported`, summed): Draining by default. */
  readonly notReportedServers: number;
  /**
   * Routed backend pools the reading did not list, or listed with no server (report
   * `gateways[].poolsNotRead`): their servers were not read; 0 when the reading was whole. A new-user
   * trial: a Functions deployment's alerts on telemetry could not see an incomplete reading.
   */
  readonly poolsNotRead: number;
  /** A queue invocation's notify state errors for this gateway (a direct run counts them in `appgw.run`). */
  readonly stateErrors: number;
  /** A queue invocation's sinks that failed (a direct run counts them in `appgw.run`). */
  readonly sinkErrors: number;
  /**
   * A queue invocation's reading that notify did not count: a newer reading of the gateway was counted
   * first (report `notifications.olderReadings`; a direct run counts them in `appgw.run`).
   */
  readonly olderReading: boolean;
  readonly durationInMs: number;
}

/** `appgw.server`: one server reported (not healthy), with its cause. */
export interface ServerTelemetry extends Common {
  readonly gatewayId: string;
  readonly gateway: string;
  readonly backendPool: string;
  readonly backendSettings: string;
  /** As the gateway lists it (IP address or FQDN), capped like every network value. */
  readonly address: string;
  /** The gateway's word (`Unhealthy`, `Down`, `Unknown`, `Partial` …). */
  readonly health: string;
  /** The report's finding state: `unhealthy`, `unknown`, `partial`, `draining` or `unrecognised`. */
  readonly state: string;
  /** The cause id (a contract: src/core/causes.ts), e.g. `tcp-connect`, `status-code-mismatch`. */
  readonly causeId: string;
}

/**
 * `appgw.notify`: one receiver's notices as this run left them (only receivers this run had something
 * to do with: a delivery tried or held back, a notice undelivered, or dropped). In a queue invocation
 * the counts are that gateway's; in a direct run or a discovery, every gateway the run looked at.
 */
export interface NotifyTelemetry extends Common {
  /** `webhook[<name>]`: the receiver's name, never its URL. */
  readonly receiver: string;
  /** The gateway of a queue invocation; '' for a direct run or a discovery (several gateways). */
  readonly gatewayId: string;
  /** Accepted this run. */
  readonly sent: number;
  /** Refused in passing this run (down, time-out, 408, 429, 5xx): kept waiting, same id. */
  readonly failed: number;
  /** Refused for good this run (another 4xx, a redirect): now dead letters. */
  readonly parked: number;
  /** Held back this run (the receiver failed earlier in the run, or the lease would run out). */
  readonly notTried: number;
  /** Undelivered after the run: `waiting` + `leased` + `deadLetters`. */
  readonly pending: number;
  readonly waiting: number;
  readonly leased: number;
  readonly deadLetters: number;
  /** Removed this run without delivery (past `notify.outboxLimit`, or the receiver was removed). */
  readonly dropped: number;
  /** ISO time the oldest undelivered notice was decided; '' when none is undelivered. */
  readonly oldestUndeliveredAt: string;
  /** How long it has been undelivered when the run finished, in ms; 0 when none is. */
  readonly oldestUndeliveredAgeInMs: number;
  /** Time spent sending to this receiver this run (every attempt), in ms. */
  readonly sendDurationInMs: number;
}

export type TelemetryRecord =
  | { readonly name: 'appgw.run'; readonly fields: RunTelemetry }
  | { readonly name: 'appgw.target'; readonly fields: TargetTelemetry }
  | { readonly name: 'appgw.gateway'; readonly fields: GatewayTelemetry }
  | { readonly name: 'appgw.server'; readonly fields: ServerTelemetry }
  | { readonly name: 'appgw.notify'; readonly fields: NotifyTelemetry };

export type TelemetryName = TelemetryRecord['name'];

/** How the run emitting the records got here (what the report does not say). */
export interface TelemetryContext {
  readonly step: TelemetryStep;
  /** The queue message's `dequeueCount` (default 1). */
  readonly attempt?: number;
  /** A queue invocation that throws so the host tries again (default false). */
  readonly retrying?: boolean;
  /**
   * A queue invocation's reading older than one its gateway's status history has (without notify, whose
   * `olderReadings` say it otherwise): `appgw.gateway`'s `olderReading`.
   */
  readonly olderReading?: boolean;
}

/**
 * Every record a report gives, in order: targets, gateways, servers, receivers, then the run itself
 * (`appgw.run` for steps `run` and `discover` only: a queue invocation or a poisoned message is one
 * gateway of its run, not a run).
 */
export function telemetryRecords(report: RunReport, context: TelemetryContext): TelemetryRecord[] {
  const common: Common = {
    v: TELEMETRY_VERSION,
    runId: report.runId,
    mode: context.step === 'run' ? 'direct' : 'fan-out',
    step: context.step,
  };
  const finishedAt = Date.parse(report.finishedAt);
  const perGateway = context.step === 'evaluate' || context.step === 'poison';
  const notifications = report.notifications;
  const records: TelemetryRecord[] = [
    ...report.targets.map((t): TelemetryRecord => ({
      name: 'appgw.target',
      fields: { ...common, target: t.id, ok: t.ok, errorCode: t.error?.code ?? '', gateways: t.gateways },
    })),
    ...report.gateways.flatMap((g) => [
      gatewayRecord(common, g, context, perGateway ? report : undefined),
      ...g.findings.map((f): TelemetryRecord => ({
        name: 'appgw.server',
        fields: {
          ...common,
          gatewayId: g.id,
          gateway: g.name,
          backendPool: f.backendPool,
          backendSettings: f.backendSettings,
          address: f.address,
          health: f.health,
          state: f.state,
          causeId: f.cause.id,
        },
      })),
    ]),
    ...(notifications
      ? receiverRecords(
          common,
          perGateway ? (report.gateways[0]?.id ?? '') : '',
          notifications.deliveries,
          notifications.undelivered,
          notifications.dropped,
          finishedAt,
        )
      : []),
  ];
  if (context.step === 'run' || context.step === 'discover') {
    records.push({
      name: 'appgw.run',
      fields: {
        ...common,
        ok: runSucceeded(report),
        targets: report.targets.length,
        targetsFailed: report.targets.filter((t) => !t.ok).length,
        gateways: context.step === 'discover' ? (report.queued?.length ?? 0) : report.summary.gateways,
        gatewaysFailed: report.summary.failedGateways,
        servers: report.summary.servers,
        unhealthyServers: report.summary.findings,
        notReportedServers: notReportedTotal(report.summary.notReported),
        noticesUndelivered: notifications?.undelivered.length ?? 0,
        noticesDropped: notifications?.dropped.length ?? 0,
        stateErrors: notifications?.stateErrors.length ?? 0,
        unconfirmedDeletions: notifications?.unconfirmedDeletions?.length ?? 0,
        unconfirmedRemovals: notifications?.unconfirmedRemovals?.length ?? 0,
        incompleteReadings: report.summary.incompleteReadings ?? 0,
        gatewaysDeleted: (report.summary.deletedGateways ?? 0) + (report.summary.deletedUnlisted ?? 0),
        olderReadings: notifications?.olderReadings?.length ?? 0,
        sinkErrors: failedSinks(report.deliveryErrors),
        durationInMs: durationInMs(report.startedAt, report.finishedAt),
        interrupted: report.interrupted?.by ?? '',
        gatewaysNotDone: report.interrupted?.notDone.length ?? 0,
      },
    });
  }
  return records;
}

function gatewayRecord(
  common: Common,
  g: GatewayReport,
  context: TelemetryContext,
  ownReport: RunReport | undefined,
): TelemetryRecord {
  return {
    name: 'appgw.gateway',
    fields: {
      ...common,
      gatewayId: g.id,
      gateway: g.name,
      resourceGroup: g.resourceGroup,
      subscriptionId: g.subscriptionId,
      ok: g.ok,
      errorCode: g.error?.code ?? '',
      retryable: g.error?.retryable ?? false,
      attempt: context.attempt ?? 1,
      retrying: context.retrying ?? false,
      servers: g.servers,
      unhealthyServers: g.findings.length,
      notReportedServers: notReportedTotal(g.notReported),
      poolsNotRead: g.poolsNotRead?.length ?? 0,
      stateErrors: ownReport?.notifications?.stateErrors.length ?? 0,
      sinkErrors: failedSinks(ownReport?.deliveryErrors ?? []),
      olderReading:
        context.olderReading === true ||
        (ownReport?.notifications?.olderReadings ?? []).some((o) => o.gateway === g.id),
      durationInMs: g.durationInMs,
    },
  };
}

/** One `appgw.notify` per receiver that had anything this run, in the order they first appear. */
function receiverRecords(
  common: Common,
  gatewayId: string,
  deliveries: readonly NoticeDeliveryReport[],
  undelivered: readonly UndeliveredNoticeReport[],
  dropped: readonly DroppedNoticeReport[],
  finishedAt: number,
): TelemetryRecord[] {
  const receivers = [...new Set([...deliveries, ...undelivered, ...dropped].map((entry) => entry.receiver))];
  // Grouped once: a direct run's report holds every gateway's notices.
  const triedBy = groupBy(deliveries, (d) => d.receiver);
  const leftBy = groupBy(undelivered, (u) => u.receiver);
  const droppedBy = groupBy(dropped, (d) => d.receiver);
  return receivers.map((receiver) => {
    const tried = triedBy.get(receiver) ?? [];
    const left = leftBy.get(receiver) ?? [];
    const oldest = left.map((u) => u.queuedAt).sort()[0];
    const outcomes = (outcome: NoticeDeliveryReport['outcome']) =>
      tried.filter((d) => d.outcome === outcome).length;
    const statuses = (status: UndeliveredNoticeReport['status']) =>
      left.filter((u) => u.status === status).length;
    return {
      name: 'appgw.notify',
      fields: {
        ...common,
        receiver,
        gatewayId,
        sent: outcomes('delivered'),
        failed: outcomes('queued'),
        parked: outcomes('parked'),
        notTried: outcomes('not-tried'),
        pending: left.length,
        waiting: statuses('waiting'),
        leased: statuses('leased'),
        deadLetters: statuses('dead-letter'),
        dropped: droppedBy.get(receiver)?.length ?? 0,
        oldestUndeliveredAt: oldest ?? '',
        oldestUndeliveredAgeInMs: oldest ? Math.max(0, finishedAt - Date.parse(oldest)) : 0,
        sendDurationInMs: tried.reduce(
          (sum, d) => sum + d.attempts.reduce((n, a) => n + a.durationInMs, 0),
          0,
        ),
      },
    };
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function durationInMs(startedAt: string, finishedAt: string): number {
  return Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt));
}

/**
 * The one line a record is written as: its name, a space, its fields as compact JSON
 * (`appgw.gateway {"v":1,"runId":"…",…}`). KQL reads it back with
 * `parse_json(substring(message, indexof(message, " ") + 1))`. One line whatever a name holds: JSON
 * escapes line feeds and other controls, and U+2028/U+2029 (line separators JSON leaves raw) are
 * escaped too, which keeps the same JSON value.
 */
export function formatTelemetryRecord(record: TelemetryRecord): string {
  const json = JSON.stringify(record.fields).replace(
    /[\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16)}`,
  );
  return `${record.name} ${json}`;
}

/** How many sinks failed: `deliveryErrors` has an entry per failed delivery, several per sink. */
function failedSinks(errors: readonly ReportedError[]): number {
  return new Set(errors.map((error) => error.sink ?? '')).size;
}
