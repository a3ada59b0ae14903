import type { CauseId } from '../../core/causes';
import type { GatewayRef, HealthState } from '../../core/model';
import {
  historyUntil,
  VALUE_ALPHABET,
  type HistoryDocument,
  type HistoryValue,
  type UndeliveredSink,
} from '../../core/status/history';
import { statusInsightPath } from '../insight-path';
import { ERROR_CODES } from '../../core/error-codes';

/** Slots of every server's timeline: the retained window cut into this many equal parts. */
export const TIMELINE_SLOTS = 48;

/**
 * What a timeline slot shows: the worst state read in it (a slot with no reading holds the reading
 * before it), `none` when the gateway could not be read or the server was not listed.
 */
export type SlotState = 'up' | 'warn' | 'down' | 'none';

/** Everything the status page shows, computed from the gateways' histories; no HTML yet. */
export interface StatusView {
  /** The page's time: the run's end. */
  readonly now: Date;
  /** The run was cut short (a signal, its deadline): why, in a person's words. */
  readonly interrupted?: string;
  /** Targets whose gateways could not be listed, said once at the page's top (their gateways' notes refer to it). */
  readonly failedTargets?: readonly FailedTarget[];
  /** The timeline's left edge: the oldest reading kept, at most the retention before `now`. */
  readonly windowStart: Date;
  readonly gateways: readonly GatewayStatus[];
  /** Histories that could not be read or written this run, said at the page's top. */
  readonly historyProblems: HistoryProblems;
}

/**
 * What the page cannot show from history, so it never reads as "all fine" when the store failed:
 * - `withoutHistory`: gateways this run read whose history could not be read or written (an
 *   unreachable store, an invalid document): shown from this run's reading alone, no history.
 * - `unreadable`: history documents of gateways this run did not read that could not be read: those
 *   gateways cannot be shown.
 * - `unlisted`: the history store could not be listed (its name): no gateway this run did not read is shown.
 */
export interface HistoryProblems {
  readonly withoutHistory: readonly string[];
  readonly unreadable: readonly string[];
  readonly unlisted?: string;
}

export interface GatewayStatus {
  readonly gateway: GatewayRef;
  /** The last successful read (ISO), if any is retained. */
  readonly lastReadAt?: string;
  /**
   * Why what is shown is not this run's: `failed` (this run's read failed: the last known state is
   * shown), `not-read` (this run did not read the gateway: a target that could not be listed, a gateway
   * no longer in the targets). Absent when the gateway was read by this run.
   */
  readonly stale?: 'failed' | 'not-read';
  readonly lastError?: { readonly at: string; readonly code: string; readonly message: string };
  /**
   * `stale: 'not-read'`: why this run did not read the gateway, when the run knows: `interrupted` (the
   * run was cut short before it), or the targets that could not be listed (one naming the gateway's
   * subscription or resource group, else every one: a management group's gateways are not known).
   * Or `listing`: a target listed whole names its subscription or resource group, and the listing did
   * not have it (deleted or moved since, or out of the identity's reach): not one the run meant to read,
   * counted as a gateway out of the targets is. Absent: not in this run's targets.
   */
  readonly notRead?:
    | { readonly by: 'interrupted' }
    | { readonly by: 'targets'; readonly targets: readonly FailedTarget[] }
    | { readonly by: 'listing'; readonly target: string };
  /**
   * The backend pools its last successful reading lacked though its configuration routes to them
   * (HistoryDocument.lastReadIncomplete): their servers were not read then. Absent: none.
   */
  readonly poolsNotRead?: readonly string[];
  /**
   * The sinks its last successful reading's insights and result did not reach
   * (HistoryDocument.undelivered): the cause links may open nothing there, or an earlier reading's
   * page. Absent: delivered to every sink, or not known.
   */
  readonly undelivered?: readonly UndeliveredSink[];
  readonly pools: readonly PoolStatus[];
}

/** What a run knows of the gateways it did not read (src/core/run-report.ts: interrupted, targets). */
export interface StatusRunContext {
  /** The run was cut short: why (a person's words), and the ARM ids of the gateways it did not do. */
  readonly interrupted?: { readonly message: string; readonly notDone: readonly string[] };
  /** Targets whose gateways could not be listed. */
  readonly failedTargets?: readonly FailedTarget[];
  /**
   * ARM ids of the targets listed whole: a gateway in one's scope that it did not list is said to be
   * missing from it, not "not in the run's targets" (a break trial). Absent: not known.
   */
  readonly listedTargets?: readonly string[];
}

export interface FailedTarget {
  /** The target's ARM id (a subscription, a resource group, a gateway or a management group). */
  readonly id: string;
  readonly error: { readonly code: string; readonly message: string };
}

export interface PoolStatus {
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly servers: readonly ServerStatus[];
}

export interface ServerStatus {
  readonly address: string;
  /** As reported at the last successful read. */
  readonly health: string;
  readonly state: HealthState;
  readonly cause: CauseId | null;
  /**
   * Relative to the page (`s/…html`, statusInsightPath): the copy of the insight the run that read it
   * wrote, which the sinks keep beside the page.
   */
  readonly insightHref?: string;
  readonly timeline: readonly SlotState[];
  /**
   * ISO: the reading its health is from, when not the last successful one: its pool was not in that
   * reading (GatewayStatus.poolsNotRead), so it is shown as read then. Absent: from the last reading.
   */
  readonly asReadAt?: string;
  /** Readings in the window by normalised state, for the timeline's text: `[state, count]`, most first. */
  readonly counts: ReadonlyArray<readonly [HealthState | 'not read', number]>;
}

/**
 * The page's view of `histories` at `now`. A gateway is `stale` when its last successful read is
 * before `runStartedAt` (this run did not read it, or its read failed); its servers are those of its
 * last successful read. Gateways and servers are sorted by name, so two runs' pages compare.
 * Gateways with no reading within the retention before `now` are left out (their history has expired).
 */
export function statusView(options: {
  readonly now: Date;
  readonly runStartedAt: Date;
  readonly retentionInMs: number;
  readonly histories: readonly HistoryDocument[];
  /** What the run knows of the gateways it did not read; none: a gateway not read is one not in its targets. */
  readonly run?: StatusRunContext;
  /** Histories that failed this run (src/pipeline/status/build-status-page.ts); none by default. */
  readonly historyProblems?: HistoryProblems;
}): StatusView {
  const nowMs = options.now.getTime();
  // Two passes over the documents (each cut to the page's time once per pass and dropped: a run of
  // 20 000 gateways would hold them all beside the run's own): the window, then each gateway.
  let oldestKept = nowMs;
  for (const doc of options.histories) oldestKept = Math.min(oldestKept, firstReadingMs(doc, nowMs) ?? nowMs);
  const at = statusAt(options, oldestKept);
  const gateways = options.histories
    .flatMap((stored) => {
      const status = gatewayStatusAt(stored, at);
      return status ? [status] : [];
    })
    .sort((a, b) => compareNames(a.gateway, b.gateway));
  return { ...statusFrame(options.now, at, options.run, options.historyProblems), gateways };
}

/** A StatusView without its gateways: what the page says above them (src/insight/status/status-page.ts). */
export type StatusFrame = Omit<StatusView, 'gateways'>;

/** The frame of the page at `at` (its time, why the run stopped, the window, the histories' problems). */
export function statusFrame(
  now: Date,
  at: Pick<StatusAt, 'startMs'>,
  run?: StatusRunContext,
  historyProblems?: HistoryProblems,
): StatusFrame {
  const failedTargets = listingFailures(run);
  return {
    now,
    ...(run?.interrupted ? { interrupted: run.interrupted.message } : {}),
    ...(failedTargets.length ? { failedTargets } : {}),
    windowStart: new Date(at.startMs),
    historyProblems: historyProblems ?? { withoutHistory: [], unreadable: [] },
  };
}

/**
 * When the page's view is taken, for one gateway at a time (gatewayStatusAt): the page's time, the
 * run's start, the retention, the timeline's left edge (windowStartMs) and what the run knows, all in
 * ms since the epoch.
 */
export interface StatusAt {
  readonly nowMs: number;
  readonly runStartedMs: number;
  readonly retentionInMs: number;
  readonly startMs: number;
  readonly run?: StatusRunContext;
}

/**
 * The page's StatusAt: its time, the run's start and what the run knows from `page`, the timeline's
 * left edge from `oldestKeptMs` (the least firstReadingMs over the page's documents, else `page.now`).
 */
export function statusAt(
  page: {
    readonly now: Date;
    readonly runStartedAt: Date;
    readonly retentionInMs: number;
    readonly run?: StatusRunContext;
  },
  oldestKeptMs: number,
): StatusAt {
  const nowMs = page.now.getTime();
  return {
    nowMs,
    runStartedMs: page.runStartedAt.getTime(),
    retentionInMs: page.retentionInMs,
    startMs: windowStartMs(nowMs, page.retentionInMs, oldestKeptMs),
    ...(page.run ? { run: page.run } : {}),
  };
}

/**
 * The time (ms) of the document's first reading not after `nowMs` (a reading dated after the page's
 * time is not real yet: a hand edit, a clock ahead, and is ignored), if any: the window starts at the
 * oldest over every gateway on the page (windowStartMs).
 */
export function firstReadingMs(doc: HistoryDocument, nowMs: number): number | undefined {
  const first = historyUntil(doc, nowMs).readings[0];
  return first ? Date.parse(first) : undefined;
}

/**
 * The timeline's left edge: from the oldest reading kept (`oldestKeptMs`, the least firstReadingMs; the
 * demo's runs seconds apart fill the timeline as a week's would), at most the retention before `nowMs`,
 * at least a second before it, so one reading alone still gets a whole timeline.
 */
export function windowStartMs(nowMs: number, retentionInMs: number, oldestKeptMs: number): number {
  return Math.min(Math.max(oldestKeptMs, nowMs - retentionInMs), nowMs - 1_000);
}

/**
 * One gateway's line of the page's view at `at`, from its history document; undefined when it has no
 * reading within the retention before the page's time (its history has expired).
 */
export function gatewayStatusAt(stored: HistoryDocument, at: StatusAt): GatewayStatus | undefined {
  const doc = historyUntil(stored, at.nowMs);
  if (!(Date.parse(doc.readings.at(-1) ?? '') >= at.nowMs - at.retentionInMs)) return undefined;
  const status = gatewayStatus(doc, at.runStartedMs, at.startMs, at.nowMs);
  return status.stale === 'not-read' ? withNotRead(status, at.run) : status;
}

/**
 * Why the run did not read a gateway it has a history of: it was interrupted before it (the gateway is
 * among those not done), or a target that could not be listed holds it (its id is the gateway's or a
 * prefix of it: subscription, resource group), else a management group that could not be listed (its
 * gateways are only known by listing it): then any of those. ARM ids compare case-insensitively.
 */
function withNotRead(status: GatewayStatus, run: StatusRunContext | undefined): GatewayStatus {
  const id = status.gateway.id.toLowerCase();
  if (run?.interrupted?.notDone.some((notDone) => notDone.toLowerCase() === id)) {
    return { ...status, notRead: { by: 'interrupted' } };
  }
  const holds = (t: FailedTarget) => {
    const scope = t.id.toLowerCase().replace(/\/+$/, '');
    return id === scope || id.startsWith(`${scope}/`);
  };
  // A target the interruption left unlisted: the gateway was not read because the run stopped, when
  // that target holds it, or may (a management group's gateways are only known by listing it). Not any
  // gateway with a history: one deleted or taken out of the targets days ago was counted in the title
  // as one the run meant to read (a trial).
  const cut = (run?.failedTargets ?? []).filter(
    (t) => t.error.code === ERROR_CODES.runInterrupted && (holds(t) || isManagementGroup(t.id)),
  );
  const failed = listingFailures(run);
  const holding = failed.filter(holds);
  if (holding.length === 0 && cut.length > 0) return { ...status, notRead: { by: 'interrupted' } };
  // None holds it: only a management group may (the others' scopes are in their ids).
  const targets = holding.length > 0 ? holding : failed.filter((t) => isManagementGroup(t.id));
  if (targets.length > 0) return { ...status, notRead: { by: 'targets', targets } };
  const listing = (run?.listedTargets ?? []).find((target) => holds({ id: target, error: NO_ERROR }));
  return listing !== undefined ? { ...status, notRead: { by: 'listing', target: listing } } : status;
}

const NO_ERROR = { code: '', message: '' };

/** Whether a target's ARM id is a management group's (its gateways are not known from the id). */
function isManagementGroup(id: string): boolean {
  return /^\/providers\/Microsoft\.Management\/managementGroups\//i.test(id);
}

/**
 * The targets whose listing failed, not those the run's interruption left unlisted (issue 15's trial:
 * the page said "1 target could not be listed (RunInterrupted: …)"; the interruption is said itself).
 */
function listingFailures(run: StatusRunContext | undefined): readonly FailedTarget[] {
  return (run?.failedTargets ?? []).filter((t) => t.error.code !== ERROR_CODES.runInterrupted);
}

function gatewayStatus(
  doc: HistoryDocument,
  runStartedMs: number,
  startMs: number,
  nowMs: number,
): GatewayStatus {
  const times = doc.readings.map((t) => Date.parse(t));
  const lastRead = doc.lastReadAt ? doc.readings.lastIndexOf(doc.lastReadAt) : -1;
  // The history keeps `lastError` only while it is later than `lastReadAt`: the latest reading
  // failed. Checked first, as a run's failed read may follow a successful one since `runStartedAt`
  // (the Functions app judges staleness against the previous discovery: src/core/status/page-schedule.ts).
  const stale =
    doc.lastError && Date.parse(doc.lastError.at) >= runStartedMs
      ? ('failed' as const)
      : doc.lastReadAt !== undefined && Date.parse(doc.lastReadAt) >= runStartedMs
        ? undefined
        : ('not-read' as const);
  const pools = new Map<string, { backendPool: string; backendSettings: string; servers: ServerStatus[] }>();
  // Pools the last successful reading lacked though the gateway routes to them: their servers are shown
  // as last read before it, said so (a break trial: a server known down vanished from the page).
  // `doc` is cut by historyUntil, which keeps lastReadIncomplete only with its reading (lastReadAt).
  const notReadPools = new Set((doc.lastReadIncomplete?.pools ?? []).map((p) => p.toLowerCase()));
  // A gateway ARM confirmed deleted has no current insights (the sinks remove them with it): its servers
  // are shown as last read, their causes without a link that would open nothing.
  const deleted = stale !== undefined && doc.lastError?.code === ERROR_CODES.gatewayDeleted;
  for (const server of Object.values(doc.servers)) {
    const inLast = lastRead >= 0 ? valueAt(server.values, server.samples, lastRead) : undefined;
    const before =
      inLast || !notReadPools.has(server.backendPool.toLowerCase())
        ? undefined
        : lastValueBefore(server.values, server.samples, lastRead);
    const current = inLast ?? before?.value;
    if (!current) continue; // not in the last successful read: removed from its pool
    const [health, state, cause] = current;
    const poolKey = `${server.backendPool}\u0000${server.backendSettings}`;
    let pool = pools.get(poolKey);
    if (!pool) {
      pool = { backendPool: server.backendPool, backendSettings: server.backendSettings, servers: [] };
      pools.set(poolKey, pool);
    }
    pool.servers.push({
      address: server.address,
      health,
      state,
      cause,
      ...(cause && !deleted ? { insightHref: statusInsightPath({ gateway: doc.gateway, ...server }) } : {}),
      ...(before ? { asReadAt: doc.readings[before.index] ?? '' } : {}),
      timeline: timeline(server.values, server.samples, doc.outcomes, times, startMs, nowMs),
      counts: counts(server.values, server.samples, startMs, times),
    });
  }
  const sortedPools = [...pools.values()]
    .sort((a, b) => byValue(a.backendPool, b.backendPool) || byValue(a.backendSettings, b.backendSettings))
    .map((pool) => ({
      ...pool,
      servers: pool.servers.sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true })),
    }));
  return {
    gateway: doc.gateway,
    ...(doc.lastReadAt ? { lastReadAt: doc.lastReadAt } : {}),
    ...(stale ? { stale } : {}),
    ...(doc.lastError ? { lastError: doc.lastError } : {}),
    ...(doc.lastReadIncomplete ? { poolsNotRead: doc.lastReadIncomplete.pools } : {}),
    // `doc` is cut by historyUntil, which keeps `undelivered` only with its reading (lastReadAt).
    ...(doc.undelivered ? { undelivered: doc.undelivered.sinks } : {}),
    pools: sortedPools,
  };
}

/** The latest value of a server read before reading `index`, with that reading's index; undefined when none. */
function lastValueBefore(
  values: readonly HistoryValue[],
  samples: string,
  index: number,
): { value: HistoryValue; index: number } | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const value = valueAt(values, samples, i);
    if (value) return { value, index: i };
  }
  return undefined;
}

function valueAt(values: readonly HistoryValue[], samples: string, index: number): HistoryValue | undefined {
  const char = samples.charAt(index);
  return char === '.' || char === '' ? undefined : values[VALUE_ALPHABET.indexOf(char)];
}

/** The timeline's slot for each state: what an operator acts on, by severity. */
const SLOT_OF: Readonly<Record<HealthState, SlotState>> = {
  healthy: 'up',
  partial: 'warn',
  draining: 'warn',
  unknown: 'warn',
  unhealthy: 'down',
  unrecognised: 'down',
};
const SEVERITY: Readonly<Record<SlotState, number>> = { none: 0, up: 1, warn: 2, down: 3 };

/**
 * TIMELINE_SLOTS slots over [startMs, nowMs]: each the worst state read in it; a slot without a reading
 * holds the one before it (the state stood until the next reading), `none` before the first reading,
 * after a failed read or while the server was not listed.
 */
function timeline(
  values: readonly HistoryValue[],
  samples: string,
  outcomes: string,
  times: readonly number[],
  startMs: number,
  nowMs: number,
): SlotState[] {
  const width = (nowMs - startMs) / TIMELINE_SLOTS;
  const slots: SlotState[] = [];
  let i = 0;
  let held: SlotState = 'none';
  const stateOf = (index: number): SlotState => {
    if (outcomes.charAt(index) !== '+') return 'none';
    const value = valueAt(values, samples, index);
    return value ? SLOT_OF[value[1]] : 'none';
  };
  while (i < times.length && (times[i] as number) < startMs) held = stateOf(i++);
  for (let slot = 0; slot < TIMELINE_SLOTS; slot++) {
    const end = slot === TIMELINE_SLOTS - 1 ? Number.POSITIVE_INFINITY : startMs + width * (slot + 1);
    let worst: SlotState | undefined;
    while (i < times.length && (times[i] as number) < end) {
      const state = stateOf(i++);
      if (worst === undefined || SEVERITY[state] > SEVERITY[worst]) worst = state;
      held = state;
    }
    slots.push(worst ?? held);
  }
  return slots;
}

function counts(
  values: readonly HistoryValue[],
  samples: string,
  startMs: number,
  times: readonly number[],
): Array<readonly [HealthState | 'not read', number]> {
  const tally = new Map<HealthState | 'not read', number>();
  for (let i = 0; i < samples.length; i++) {
    if ((times[i] as number) < startMs) continue;
    const value = valueAt(values, samples, i);
    const key = value ? value[1] : 'not read';
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * The page's order of gateways: by name, then resource group, subscription and id, numbers in names by
 * their value (`appgw-2` before `appgw-10`: a new-user trial read the text order as unsorted).
 */
export function compareNames(a: GatewayRef, b: GatewayRef): number {
  return (
    byValue(a.name, b.name) ||
    byValue(a.resourceGroup, b.resourceGroup) ||
    a.subscriptionId.localeCompare(b.subscriptionId, 'en') ||
    a.id.localeCompare(b.id, 'en')
  );
}

/** Names in the order a person sorts them: case and accents after the letters, numbers by value. */
function byValue(a: string, b: string): number {
  return NAMES.compare(a, b);
}

const NAMES = new Intl.Collator('en', { numeric: true });
