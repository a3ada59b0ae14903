import { exactCause, withoutServerPlaceholders } from '../exact-steps';
import { noticeCause } from './notice-cause';
import { gatewayKey } from '../arm-id';
import { hash64 } from '../hash';
import { causeFor } from '../causes';
import { isDraining, readHealth } from '../health';
import type { Finding, GatewayRef } from '../model';
import { DEFAULT_PROBE } from '../probe-resolution';
import type { GroupingMode, GroupTiming } from './grouping';
import {
  RECOVERED_HEALTH,
  RECOVERED_REASONS,
  type Notice,
  type NoticeType,
  type RecoveredReason,
} from './notice';
import type { Severity } from './severity';
import { heldByConfirmation, isEpisode, recordSeverity, serverKey, type ServerRecord } from './server-record';
import { higherSeverity, severityRank } from './severity';
import {
  silencedUntil,
  silencesFor,
  type Silence,
  type SilencedTogether,
  type SilenceSubject,
} from './silence';

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
   * Servers an on-demand probe (`recheck`) found healthy: server key → the server as it reported it.
   * Each one's open episode ends now, whatever `recoverAfter` (a probe someone asked for to confirm a fix
   * is the confirmation the count of runs waits for), with the reason "confirmed by an on-demand probe";
   * each one (with or without an episode) gets the mark of a confirmed fix for `holdInMs`
   * (ServerRecord.confirmed). Absent: none (a scheduled run).
   */
  readonly confirmedHealthy?: ReadonlyMap<string, ConfirmedServer>;
  /**
   * Server keys whose records stay as they are although their gateway's reading does not list them: the
   * reading lacks their whole pool and settings and the configuration still has them (absent-servers.ts),
   * so their health is not known this run. Absent: none.
   */
  readonly keptOpen?: ReadonlySet<string>;
  /**
   * Gateways (gatewayKey) whose reading this run lacked pools their configuration routes to
   * (GatewayReport.poolsNotRead): whether every pool of them is bad is not known, so their gateway-level
   * episode (inhibit.ts) neither opens nor ends on it (a new-user trial: a reading short of a healthy
   * pool sent "every server of the gateway" down, and `recovered` the next run). Absent: none.
   */
  readonly incomplete?: ReadonlySet<string>;
  /**
   * Per gateway (gatewayKey), the backend pools (lower case) its reading did not read
   * (GatewayReport.poolsNotRead): a server of one of them that the reading does not list stays as it
   * was, whatever the configuration's GET said or could not say (a break trial: a pool the run said
   * was not read had its server sent `recovered`, "removed from its backend pool"). Absent: none.
   */
  readonly poolsNotRead?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * The server keys this observation is about, for what notify reports of the episodes it did not
   * change (open, awaiting recovery, held by a confirmation): a recheck's pool, not the gateway's other
   * pools (issue 17's third trial: a recheck of one pool said "1 open episode already told" of
   * another's). Absent: every server of the state document (a run).
   */
  readonly scope?: ReadonlySet<string>;
  /**
   * The run whose reading this is (its run id): it counts once toward `for` and `recoverAfter` however
   * often it is decided on. Storage queues deliver a message at least once, and the host retries one
   * whose invocation failed, so the Functions app may evaluate one run's gateway twice (a fan-out
   * trial: a duplicated message made `notify.for: 2` send `degraded` after one run). A second reading of
   * a run already counted changes no count and ends no episode; a bad one still updates the server's
   * health and cause. Absent: every observation counts (a recheck, the tests of the pure decision).
   */
  readonly reading?: string;
  /**
   * When this reading began, by the product's clock: its run's discovery, or the operation's start
   * (fan-out.ts readingTime); a direct run's read start; when a deletion was confirmed. The notify stage
   * counts a reading only when none newer of its gateway was counted (reading-order.ts); decideNotices
   * does not read it. Absent: counts, as every reading did before (a recheck, the pure decision's tests).
   */
  readonly readAt?: Date;
  /**
   * Records (serverKey) that silences hold although none matches their own subject: a gateway-level
   * episode (inhibit.ts) whose every server a silence holds, each with the ids of those silences and
   * until when the first of its servers is held (silencedUntil of each). Absent: none.
   */
  readonly silencedTogether?: ReadonlyMap<string, SilencedTogether>;
}

/** A server an on-demand probe found healthy (Observation.confirmedHealthy). */
export interface ConfirmedServer {
  readonly gateway: Finding['gateway'];
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
  /** As the on-demand probe reported it ("Healthy", "Up"). */
  readonly health: string;
  /** The on-demand probe's message for it (may be empty). */
  readonly probeLog: string;
  /**
   * How long the gateway's scheduled backend-health reading may still show the server bad: the probe's
   * interval × unhealthy threshold (confirmationHoldInMs). No episode opens for it within this time.
   */
  readonly holdInMs: number;
}

/**
 * How long after a confirmed fix a bad backend-health reading is read as the gateway's lag, not a new
 * failure: `intervalInS` × `unhealthyThreshold` of the probe the gateway sends. The REST spec's
 * `ApplicationGatewayProbePropertiesFormat` (Microsoft.Network applicationGateway.json; @azure/arm-network
 * ApplicationGatewayProbe) says `interval` is "the time interval between two consecutive probes" and
 * "Backend server is marked down after consecutive probe failure count reaches UnhealthyThreshold", so a
 * reading can trail the server's real state by up to that many intervals.
 * Unknown values take the default probe's (30 s, 3: DEFAULT_PROBE in probe-resolution.ts), so 90 s:
 * `recheck` passes the probe it resolved from the configuration it read.
 * In milliseconds.
 */
export function confirmationHoldInMs(probe: {
  readonly intervalInS?: number;
  readonly unhealthyThreshold?: number;
}): number {
  const interval = positive(probe.intervalInS) ?? DEFAULT_PROBE.intervalInS;
  const threshold = positive(probe.unhealthyThreshold) ?? DEFAULT_PROBE.unhealthyThreshold;
  return interval * threshold * 1000;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
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
  /** The severity of the held transition (for `ended-silenced`, of the episode's last bad run). */
  readonly severity: Severity;
  /** `held` `degraded` only: it was due because the severity rose from this (as Notice.raisedFrom). */
  readonly raisedFrom?: Severity;
  /**
   * `held` only, ISO: until when the silences that hold it are in force (silencedUntil, silence.ts):
   * the first run from then sends it if the server is still bad.
   */
  readonly until?: string;
  /**
   * `held` only: its gateway's gateway-level episode is open (inhibit.ts), which holds it too, so it
   * is not sent when the silence ends but when that episode does (issue 16's trial: the summary said
   * "then sent if still bad", and nothing was sent).
   */
  readonly inhibited?: true;
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
 *   reported, but Draining) for `recoverAfter` consecutive runs, or at once when its gateway is gone (no run will see it
 *   again); until then the episode stays open and its record counts the runs (`goodRuns`). A server bad
 *   again within that count stays in its episode: the same `degradedSince`, no new `degraded` (unless its
 *   cause changed, as always), no `recovered`;
 * - `recovered` at once, whatever `recoverAfter`, for a server in `confirmedHealthy` (an on-demand probe
 *   found it healthy): its episode ends now, and its record becomes the mark of a confirmed fix
 *   (ServerRecord.confirmed) for the gateway's probe interval × unhealthy threshold: a bad reading within
 *   that time (the backend-health API lags the fix) is recorded in the mark and opens no episode; one after
 *   it opens the episode then (counting toward `for` from there);
 * - nothing for an episode whose server is now Draining (not reported): it is held (no `recovered`; a
 *   count toward `recoverAfter` starts over; one toward `for` neither counts nor ends) until the server
 *   is healthy or gone;
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
  // The tags each gateway's records last knew: a server first bad in a run whose configuration GET
  // failed takes them (issue 16's trial: a tag silence held the gateway's other servers but not it).
  const knownTags = new Map<string, ServerRecord['gateway']>();
  for (const record of Object.values(previous))
    if (record.gateway.tags !== undefined) knownTags.set(gatewayKey(record.gateway.id), record.gateway);

  for (const { finding, insight } of observation.bad) {
    const key = serverKey(finding);
    const mark = previous[key];
    if (mark && heldByConfirmation(mark, observation.now)) {
      // A fix was confirmed moments ago: this reading may be the gateway's lag (confirmationHoldInMs).
      // Recorded, no episode; if the server is still bad after the mark's `until`, the episode opens then.
      const confirmed = mark.confirmed as NonNullable<ServerRecord['confirmed']>;
      next[key] = {
        ...mark,
        health: finding.health,
        probeLog: finding.probeLog,
        cause: finding.cause,
        severity: finding.severity,
        confirmed: { ...confirmed, badReadings: (confirmed.badReadings ?? 0) + 1, lastBadAt: now },
      };
      continue;
    }
    // A mark past its time is no episode: the server's episode starts with this reading.
    const before = mark && isEpisode(mark) ? mark : undefined;
    const countedAlready = before !== undefined && countedIn(before, observation);
    const record: ServerRecord = {
      gateway: withKnownTags(finding.gateway, mark?.gateway ?? knownTags.get(gatewayKey(finding.gateway.id))),
      backendPool: finding.backendPool,
      backendSettings: finding.backendSettings,
      address: finding.address,
      badRuns: countedAlready ? before.badRuns : (before?.badRuns ?? 0) + 1,
      degradedSince: before?.degradedSince ?? now,
      health: finding.health,
      probeLog: finding.probeLog,
      cause: finding.cause,
      severity: finding.severity,
      // Bad again: any count of good runs toward `recoverAfter` starts over (goodRuns is left out).
      ...countedNow(observation),
      ...(before?.notified ? { notified: before.notified } : {}),
      ...(before?.silenced ? { silenced: before.silenced } : {}),
    };
    const type = noticeTypeFor(record, observation.now, policy);
    if (!type) {
      next[key] = record;
      continue;
    }
    const own = silencesFor(silences, silenceSubjectOf(record), observation.now);
    const together = own.length > 0 ? undefined : observation.silencedTogether?.get(key);
    const silenceIds = together?.silenceIds ?? own;
    if (silenceIds.length > 0) {
      // Held back: `notified` stays as it was, so the same transition is due again on the first run
      // after the silence ends (if the server is still bad then).
      next[key] = {
        ...record,
        silenced: { since: record.silenced?.since ?? now, at: now, silenceIds, type },
      };
      silenced.push({
        ...silencedTransition(record, type, 'held', silenceIds),
        ...raisedOf(record, type),
        until: together ? together.until : silencedUntil(silences, silenceIds, observation.now),
      });
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
    // A `degraded` again because the severity rose (noticeTypeFor) says from what, so it is not
    // read as a duplicate; a changed cause at a raised severity is both, and says so too.
    const { raisedFrom } = raisedOf(record, type);
    // The steps with the gateway's own values (notice-cause.ts); the record keeps the cause as classified.
    const notice = buildNotice(type, told, now, repeats, insight, undefined, raisedFrom);
    // Likewise a `degraded` again because the cause changed (noticeTypeFor) names the cause told before.
    const causeChangedFrom =
      type === 'degraded' && record.notified && record.notified.causeId !== record.cause.id
        ? record.notified.causeId
        : undefined;
    notices.push({
      ...notice,
      cause: noticeCause(finding),
      ...(causeChangedFrom ? { causeChangedFrom } : {}),
    });
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
    const inPoolNotRead = observation.poolsNotRead?.get(gateway)?.has(record.backendPool.toLowerCase());
    if (
      listed &&
      !listed.has(key) &&
      confirmed === undefined &&
      (observation.keptOpen?.has(key) || inPoolNotRead === true)
    ) {
      next[key] = record; // a reading short of its pool and settings: nothing known of it (keptOpen)
      continue;
    }
    if (!gone && confirmed === undefined && countedIn(record, observation)) {
      next[key] = record; // this run's reading was counted already (Observation.reading)
      continue;
    }
    if (!gone && confirmed === undefined && isEpisode(record) && drainingNow(listed, key)) {
      // Now Draining (not reported): out of rotation, not recovered. An episode not yet told is held
      // too, its count of bad runs toward notify.for neither counted nor broken: ended there, Down,
      // Draining, Down was told a run later than Down, Down (with for 2). A Down server with
      // connection draining shows Draining for the drain timeout, then Down again: a `recovered` then
      // was false, and a second `degraded` followed (a break trial). Held as it is until it is healthy
      // or gone from the listing (a drain ends within its timeout, at most an hour). It breaks a count of
      // healthy runs (notify.recoverAfter) as a bad run does: Healthy then Draining is a server going Down
      // again through its drain, and "1 of 2 healthy runs" was said of it while it drained (a break trial).
      const { goodRuns: _broken, ...held } = record;
      next[key] = held;
      continue;
    }
    if (!isEpisode(record)) {
      // The mark of a confirmed fix, and the server not bad now: confirmed again (a new mark), kept until
      // its time is up, dropped with its gateway or after.
      if (confirmed) next[key] = confirmedMark(record, confirmed, observation.now);
      else if (!gone && heldByConfirmation(record, observation.now)) next[key] = record;
      continue;
    }
    if (!record.notified) {
      // Damped episode ended before anyone was told; or its `degraded` was held by a silence: then
      // neither is sent (recorded in the report, so the held transition is not lost without a word).
      if (record.silenced)
        silenced.push(silencedTransition(record, 'recovered', 'ended-silenced', record.silenced.silenceIds));
      if (confirmed) next[key] = confirmedMark(record, confirmed, observation.now);
      continue;
    }
    const health = confirmed?.health ?? listed?.get(key);
    const goodRuns = (record.goodRuns ?? 0) + 1;
    if (!gone && confirmed === undefined && goodRuns < recoverAfterOf(policy)) {
      // Hysteresis: not bad this run, but not yet for `recoverAfter` runs in a row. The record keeps the
      // episode's bad health and cause (what `recovered` will report); only the count moves.
      next[key] = {
        ...record,
        goodRuns,
        ...countedNow(observation),
      };
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
    // The notice says the server as it is now (no current reading: a placeholder that says why, never the
    // episode's bad health); the failure it recovered from is `server.was`.
    const recovered = buildNotice('recovered', { ...ended, severity }, now, 0, undefined, reason);
    notices.push({
      ...recovered,
      server: {
        address: record.address,
        health: health ?? (gone ? RECOVERED_HEALTH.gatewayGone : RECOVERED_HEALTH.notListed),
        probeLog: confirmed?.probeLog ?? '',
        was: { health: record.health, probeLog: record.probeLog },
      },
    });
    if (confirmed) next[key] = confirmedMark(record, confirmed, observation.now);
  }
  // Servers confirmed healthy that had no record at all (bad in ARM since our last run, fixed before the
  // next): the gateway's reading may still show the failure, so they get the mark too.
  for (const [key, confirmed] of observation.confirmedHealthy ?? []) {
    if (!previous[key] && !next[key]) next[key] = confirmedMark(confirmed, confirmed, observation.now);
  }
  return { notices, silenced, servers: next };
}

/** The record's mark of the run this observation reads (ServerRecord.countedReading), when it has one. */
function countedNow(observation: Observation): Pick<ServerRecord, 'countedReading'> {
  return observation.reading !== undefined ? { countedReading: observation.reading } : {};
}

/** Whether `record` already counts the run `observation` reads (Observation.reading). */
function countedIn(record: ServerRecord, observation: Observation): boolean {
  return observation.reading !== undefined && record.countedReading === observation.reading;
}

/**
 * The mark of a fix confirmed at `now` (ServerRecord.confirmed), no episode: the server's names from
 * `base`, its health and probe log as the on-demand probe found them; the cause and `degradedSince` of
 * the episode it ended (a record needs them; `other` and `now` for a server that had none), which the
 * first bad reading replaces. A mark confirmed again (a second recheck) keeps them: the episode it
 * closed is not changed by a later confirmation, only the hold is renewed.
 */
function confirmedMark(
  base: Pick<ServerRecord, 'gateway' | 'backendPool' | 'backendSettings' | 'address'> & {
    readonly cause?: ServerRecord['cause'];
    readonly degradedSince?: string;
  },
  confirmed: ConfirmedServer,
  now: Date,
): ServerRecord {
  const at = now.toISOString();
  return {
    gateway: base.gateway,
    backendPool: base.backendPool,
    backendSettings: base.backendSettings,
    address: base.address,
    badRuns: 0,
    degradedSince: base.degradedSince ?? at,
    health: confirmed.health,
    probeLog: confirmed.probeLog,
    cause: base.cause ?? causeFor('other', { probeLog: confirmed.probeLog }),
    confirmed: { at, until: new Date(now.getTime() + Math.max(0, confirmed.holdInMs)).toISOString() },
  };
}

/**
 * `gateway` as a finding gave it, with the tags `before` (the server's record) kept when this reading
 * has none (its configuration GET failed): tags unknown this run are not tags removed, and a silence or
 * route by tag keeps matching the episode it matched.
 */
function withKnownTags(gateway: ServerRecord['gateway'], before: ServerRecord['gateway'] | undefined) {
  return gateway.tags === undefined && before?.tags !== undefined
    ? { ...gateway, tags: before.tags }
    : gateway;
}

/** What silences are matched against, of a server's record (SilenceSubject): as its transition is decided. */
export function silenceSubjectOf(record: ServerRecord): SilenceSubject {
  return {
    gateway: record.gateway,
    backendPool: record.backendPool,
    causeId: record.cause.id,
    severity: recordSeverity(record),
  };
}

/** `{ raisedFrom }` when a due `degraded` of `record` is due because its severity rose; else `{}`. */
function raisedOf(record: ServerRecord, type: NoticeType): { raisedFrom?: Severity } {
  const told = record.notified?.severity;
  return type === 'degraded' &&
    told !== undefined &&
    severityRank(recordSeverity(record)) > severityRank(told)
    ? { raisedFrom: told }
    : {};
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
    severity: recordSeverity(record),
  };
}

/** `policy.recoverAfter` as a whole number >= 1 (absent: 1, recovered at the first run not bad). */
export function recoverAfterOf(policy: NotifyPolicy): number {
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
  raisedFrom?: Severity,
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
      ...(record.gateway.tags !== undefined ? { tags: record.gateway.tags } : {}),
    },
    backendPool: record.backendPool,
    backendSettings: record.backendSettings,
    server: { address: record.address, health: record.health, probeLog: record.probeLog },
    // Its commands name the gateway and its resource group (a recovered's too); the record keeps the
    // cause as classified, not the server's configuration, so a `recovered` leaves out the steps that
    // would need it (a `degraded` and `still-degraded` get noticeCause's, from the finding).
    cause:
      type === 'recovered'
        ? withoutServerPlaceholders(exactCause({ gateway: record.gateway, cause: record.cause }))
        : exactCause({ gateway: record.gateway, cause: record.cause }),
    severity: recordSeverity(record),
    ...(raisedFrom ? { raisedFrom } : {}),
    ...(reason ? { reason } : {}),
    // Its four parts only: the run hands the whole rendered insight (its HTML twice, its finding), and
    // each was stored in every receiver's outbox, about 31 KB a notice where these are about 7 (a break
    // trial: 1 000 servers going bad made a 66 MB notify state document).
    ...(insight
      ? {
          insight: {
            title: insight.title,
            summary: insight.summary,
            markdown: insight.markdown,
            path: insight.path,
          },
        }
      : {}),
  };
}

/** Whether `key` is listed this run in state Draining (not reported, or it would be a finding). */
function drainingNow(listed: ReadonlyMap<string, string> | undefined, key: string): boolean {
  const health = listed?.get(key);
  return health !== undefined && isDraining(health);
}
