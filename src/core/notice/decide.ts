import { gatewayKey } from '../arm-id';
import { hash64 } from '../hash';
import { readHealth } from '../health';
import type { Finding, GatewayRef } from '../model';
import type { GroupingMode, GroupTiming } from './grouping';
import { RECOVERED_REASONS, type Notice, type NoticeType, type RecoveredReason } from './notice';
import { recordSeverity, serverKey, type ServerRecord } from './server-record';
import { higherSeverity, severityRank } from './severity';
import { silencesFor, type Silence } from './silence';

export interface NotifyPolicy {
  /** Consecutive bad runs before `degraded` (1 = at once). */
  readonly for: number;
  /** Least time between `still-degraded` reminders. */
  readonly repeatIntervalInMs: number;
  /**
   * Consecutive runs without the server bad before `recovered` (`notify.recoverAfter`; absent = 1, at
   * once). Damps flapping the other way: a server that goes bad again before the count is reached stays
   * in its episode (no new `degraded`, no `recovered`). Grafana Alerting calls this "Keep firing for"
   * (its Recovering state: https://grafana.com/docs/grafana/latest/alerting/fundamentals/alert-rule-evaluation/),
   * Prometheus `keep_firing_for`; as there, it applies to alerts that fired (`degraded` was sent).
   */
  readonly recoverAfter?: number;
  /**
   * Silences and maintenance windows in force (config `notify.silences` and those added with
   * `appgw-insights silence add`); checked against `Observation.now`. Absent: none.
   */
  readonly silences?: readonly Silence[];
  /**
   * `notify.grouping` for receivers that do not set their own (core/notice/grouping.ts); absent:
   * `server` (one message per notice, at once). Used by the notify stage, not by decideNotices.
   */
  readonly grouping?: GroupingMode;
  /** `notify.groupWait` / `notify.groupInterval`; absent: DEFAULT_GROUP_TIMING. */
  readonly groupTiming?: GroupTiming;
  /**
   * `notify.inhibit`: when every pool of a gateway is bad, one gateway-level notice replaces the
   * per-server ones (inhibit.ts; the notify stage calls decideWithInhibition). Absent: false.
   */
  readonly inhibit?: boolean;
}

/** The insight parts a notice carries (see Insight in src/insight). */
export interface NoticeInsight {
  readonly title: string;
  readonly summary: string;
  readonly markdown: string;
  readonly path: string;
}

export interface Observation {
  readonly now: Date;
  /** Gateways evaluated this run (gatewayKey) → every server they listed (server key → health as reported). */
  readonly evaluated: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** This run's findings, each with its insight when one was rendered. */
  readonly bad: ReadonlyArray<{ readonly finding: Finding; readonly insight?: NoticeInsight }>;
  /** Whether a gateway that was not evaluated is known to be gone (a successful listing of its scope lacked it). */
  readonly isGone: (gateway: GatewayRef) => boolean;
  /**
   * Servers an on-demand probe (`recheck`) found healthy: server key → their health as it reported it.
   * Each one's open episode ends now, whatever `recoverAfter` (a probe someone asked for to confirm a fix
   * is the confirmation the count of runs waits for), with the reason "confirmed by an on-demand probe".
   * Absent: none (a scheduled run).
   */
  readonly confirmedHealthy?: ReadonlyMap<string, string>;
}

/**
 * A transition a silence held back: not sent, recorded here (the run report's `notifications.silenced`)
 * and in the server's record (`silenced`).
 * - `held`: `type` was due and is not sent. A held `degraded` (or `still-degraded`) is sent on the first
 *   run after the silence ends while the server is still bad;
 * - `ended-silenced`: the server recovered while its `degraded` was held: neither `degraded` nor
 *   `recovered` is sent, ever (nobody was told it went bad).
 */
export interface SilencedTransition {
  readonly serverKey: string;
  readonly gateway: string;
  /** gateway/pool/settings/address */
  readonly server: string;
  readonly type: NoticeType;
  readonly outcome: 'held' | 'ended-silenced';
  readonly silenceIds: readonly string[];
  readonly causeId: string;
}

export interface Decision {
  readonly notices: readonly Notice[];
  /** Transitions silences held back this run (empty when none). */
  readonly silenced: readonly SilencedTransition[];
  /** The next `servers` map: records of gateways not evaluated this run are carried over untouched. */
  readonly servers: Readonly<Record<string, ServerRecord>>;
}

/**
 * The pure "should I send?" decision (Alertmanager's dedup stage): previous records + this run's
 * observation → notices and next records.
 * - `degraded` once a server was bad for `for` consecutive runs, and again when its cause changes or
 *   its severity rises above the highest the episode was told with (severity.ts: a pool now all down);
 * - `still-degraded` at most every `repeatIntervalInMs` while it stays bad;
 * - `recovered` when it is healthy again (or gone from an evaluated gateway, or in a state that is not
 *   reported) for `recoverAfter` consecutive runs, or at once when its gateway is gone (no run will see it
 *   again); until then the episode stays open and its record counts the runs (`goodRuns`). A server bad
 *   again within that count stays in its episode: the same `degradedSince`, no new `degraded` (unless its
 *   cause changed, as always), no `recovered`;
 * - `recovered` at once, whatever `recoverAfter`, for a server in `confirmedHealthy` (an on-demand probe
 *   found it healthy): its episode ends now;
 * - an episode that never reached `degraded` ends silently at its first run without the server bad (that
 *   is the flap damping of `for`: its bad runs were not consecutive).
 * A gateway that could not be evaluated changes nothing: no recovery is guessed from a failure.
 */
export function decideNotices(
  previous: Readonly<Record<string, ServerRecord>>,
  observation: Observation,
  policy: NotifyPolicy,
): Decision {
  const now = observation.now.toISOString();
  const next: Record<string, ServerRecord> = {};
  const notices: Notice[] = [];
  const silenced: SilencedTransition[] = [];
  const silences = policy.silences ?? [];

  for (const { finding, insight } of observation.bad) {
    const key = serverKey(finding);
    const before = previous[key];
    const record: ServerRecord = {
      gateway: finding.gateway,
      backendPool: finding.backendPool,
      backendSettings: finding.backendSettings,
      address: finding.address,
      badRuns: (before?.badRuns ?? 0) + 1,
      degradedSince: before?.degradedSince ?? now,
      health: finding.health,
      probeLog: finding.probeLog,
      cause: finding.cause,
      severity: finding.severity,
      // Bad again: any count of good runs toward `recoverAfter` starts over (goodRuns is left out).
      ...(before?.notified ? { notified: before.notified } : {}),
      ...(before?.silenced ? { silenced: before.silenced } : {}),
    };
    const type = noticeTypeFor(record, observation.now, policy);
    if (!type) {
      next[key] = record;
      continue;
    }
    const silenceIds = silencesFor(silences, subjectOf(record), observation.now);
    if (silenceIds.length > 0) {
      // Held back: `notified` stays as it was, so the same transition is due again on the first run
      // after the silence ends (if the server is still bad then).
      next[key] = {
        ...record,
        silenced: { since: record.silenced?.since ?? now, at: now, silenceIds, type },
      };
      silenced.push(silencedTransition(record, type, 'held', silenceIds));
      continue;
    }
    const { silenced: _held, ...told } = record;
    const repeats = type === 'still-degraded' ? (record.notified?.repeats ?? 0) + 1 : 0;
    // The episode's severity: the highest it was told with (a record of an earlier release has none).
    const episodeSeverity = record.notified?.severity
      ? higherSeverity(record.notified.severity, finding.severity)
      : finding.severity;
    // The receivers already told stay on the record (receiver-rules.ts adds this notice's).
    next[key] = {
      ...told,
      notified: {
        ...record.notified,
        at: now,
        causeId: finding.cause.id,
        repeats,
        severity: episodeSeverity,
      },
    };
    notices.push(buildNotice(type, told, now, repeats, insight));
  }

  for (const [key, record] of Object.entries(previous)) {
    if (next[key]) continue;
    const gateway = gatewayKey(record.gateway.id);
    const listed = observation.evaluated.get(gateway);
    const confirmed = observation.confirmedHealthy?.get(key);
    const gone = !listed && confirmed === undefined && observation.isGone(record.gateway);
    if (!listed && !gone && confirmed === undefined) {
      next[key] = record; // not evaluated this run: we know nothing new
      continue;
    }
    if (!record.notified) {
      // Damped episode ended before anyone was told; or its `degraded` was held by a silence: then
      // neither is sent (recorded in the report, so the held transition is not lost without a word).
      if (record.silenced)
        silenced.push(silencedTransition(record, 'recovered', 'ended-silenced', record.silenced.silenceIds));
      continue;
    }
    const health = confirmed ?? listed?.get(key);
    const goodRuns = (record.goodRuns ?? 0) + 1;
    if (!gone && confirmed === undefined && goodRuns < recoverAfterOf(policy)) {
      // Hysteresis: not bad this run, but not yet for `recoverAfter` runs in a row. The record keeps the
      // episode's bad health and cause (what `recovered` will report); only the count moves.
      next[key] = { ...record, goodRuns };
      continue;
    }
    // The current health, when listed, is the notice's `server.health`; the reason names no value.
    const reason: RecoveredReason = gone
      ? RECOVERED_REASONS.gatewayGone
      : confirmed !== undefined
        ? RECOVERED_REASONS.confirmedOnDemand
        : health === undefined
          ? RECOVERED_REASONS.notListed
          : readHealth(health) === 'healthy'
            ? RECOVERED_REASONS.healthy
            : RECOVERED_REASONS.notReported;
    // A `recovered` for an episode whose `degraded` was sent goes out even during a silence: it closes
    // an incident receivers already opened (a PagerDuty trigger would otherwise stay open for good),
    // and this record is gone after this run, so it could not be sent later.
    const { goodRuns: _counted, silenced: _held, ...ended } = record;
    // The episode's severity (the highest told), so a recovered says how bad what ended was.
    const severity = record.notified.severity ?? recordSeverity(record);
    notices.push(
      buildNotice(
        'recovered',
        { ...ended, health: health ?? record.health, severity },
        now,
        0,
        undefined,
        reason,
      ),
    );
  }
  return { notices, silenced, servers: next };
}

function subjectOf(record: ServerRecord) {
  return {
    gateway: record.gateway,
    backendPool: record.backendPool,
    causeId: record.cause.id,
    severity: recordSeverity(record),
  };
}

function silencedTransition(
  record: ServerRecord,
  type: NoticeType,
  outcome: SilencedTransition['outcome'],
  silenceIds: readonly string[],
): SilencedTransition {
  return {
    serverKey: serverKey(record),
    gateway: record.gateway.id,
    server: [record.gateway.name, record.backendPool, record.backendSettings, record.address].join('/'),
    type,
    outcome,
    silenceIds,
    causeId: record.cause.id,
  };
}

/** `policy.recoverAfter` as a whole number >= 1 (absent: 1, recovered at the first run not bad). */
function recoverAfterOf(policy: NotifyPolicy): number {
  return Math.max(1, Math.floor(policy.recoverAfter ?? 1));
}

function noticeTypeFor(record: ServerRecord, now: Date, policy: NotifyPolicy): NoticeType | undefined {
  if (!record.notified) return record.badRuns >= policy.for ? 'degraded' : undefined;
  if (record.notified.causeId !== record.cause.id) return 'degraded';
  // A raised severity is news, as a changed cause is (a pool went from some servers down to all):
  // receivers routed by severity hear it. A lowered one is not (the reminders carry it).
  const told = record.notified.severity;
  if (told !== undefined && severityRank(recordSeverity(record)) > severityRank(told)) return 'degraded';
  const since = now.getTime() - Date.parse(record.notified.at);
  return since >= policy.repeatIntervalInMs ? 'still-degraded' : undefined;
}

function buildNotice(
  type: NoticeType,
  record: ServerRecord,
  now: string,
  repeats: number,
  insight: NoticeInsight | undefined,
  reason?: RecoveredReason,
): Notice {
  // Stable id: the same decision always yields the same id, so receivers can de-duplicate.
  // The previous notice's time tells apart a cause that changes back (A → B → A) within one episode.
  const previousAt = record.notified?.at ?? '';
  const id = `appgw-${hash64([serverKey(record), record.degradedSince, type, record.cause.id, repeats, previousAt].join('|'))}`;
  return {
    id,
    type,
    occurredAt: now,
    degradedSince: record.degradedSince,
    gateway: {
      id: record.gateway.id,
      name: record.gateway.name,
      resourceGroup: record.gateway.resourceGroup,
      subscriptionId: record.gateway.subscriptionId,
    },
    backendPool: record.backendPool,
    backendSettings: record.backendSettings,
    server: { address: record.address, health: record.health, probeLog: record.probeLog },
    cause: record.cause,
    severity: recordSeverity(record),
    ...(reason ? { reason } : {}),
    ...(insight ? { insight } : {}),
  };
}
