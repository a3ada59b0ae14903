import { hash64 } from '../hash';
import type { Notice } from './notice';
import { episodeId } from './episode';
import { isLeasedElsewhere, type DeadLetter, type QueuedNotice } from './outbox';
import { noticeServerKey } from './server-record';

/**
 * Grouping: one message per gateway incident per receiver, with Alertmanager's aggregation-group
 * timers (prometheus/alertmanager dispatch/dispatch.go, aggrGroup; the `route` settings in
 * https://prometheus.io/docs/alerting/latest/configuration/#route):
 * - `group_wait`: how long a new group waits before its first message, to collect the servers that go
 *   bad together (an inhibiting notice has time to arrive too);
 * - `group_interval`: after a group's message, how long before the next one about changes in the group
 *   (servers added, changed cause, reminders, recovered);
 * - `repeat_interval` is `notify.repeatInterval`: the per-server `still-degraded` reminders (decide.ts).
 * Here the group is (gateway, receiver): the notify state is one document per gateway
 * (src/pipeline/notify/state-document.ts), so a group's timers live beside its notices, survive across
 * runs and across the Functions fan-out's invocations. The timers are checked when a run notifies the
 * gateway, so a wait ends at the first run after it (runs are minutes apart).
 * What is sent stays per notice: a group message carries its notices, each keeping its id, and the
 * message's outcome is each notice's outcome in the outbox (core/notice/outbox.ts): delivered, kept
 * for a retry, or parked. No notice is dropped or sent twice by grouping.
 */

/**
 * `gateway`: a receiver gets one message per gateway with the servers of this flush (grouped by pool
 * and settings inside), paced by `groupWait`/`groupInterval`. `server`: one message per notice, sent as
 * soon as it is decided (the behaviour before grouping).
 */
export type GroupingMode = 'gateway' | 'server';

export const GROUPING_MODES: readonly GroupingMode[] = ['gateway', 'server'];

export interface GroupTiming {
  /** Least time from a group's start to its first message, in ms (`notify.groupWait`). */
  readonly groupWaitInMs: number;
  /** Least time between two messages of one group, in ms (`notify.groupInterval`). */
  readonly groupIntervalInMs: number;
}

/**
 * Alertmanager's defaults are 30s and 5m; ours are tuned to runs minutes apart (README "Notify
 * settings"): a run sees every server of a gateway at once, so the servers that go bad together are
 * already one message without a wait (a wait > 0 would delay every first message to the next run);
 * 4 minutes is under the default 5-minute schedule, so a run that starts a little early is not held
 * for a whole extra run, while an evaluation between scheduled runs (recheck, an alert) is held.
 */
export const DEFAULT_GROUP_TIMING: GroupTiming = { groupWaitInMs: 0, groupIntervalInMs: 4 * 60_000 };

/** One receiver's group of one gateway, in the notify state (`groups[receiver]`). */
export interface GroupState {
  /** ISO: when the group started (its first notice joined the outbox). */
  readonly openedAt: string;
  /** ISO: when a message of the group was last delivered; absent until the first one. */
  readonly flushedAt?: string;
}

/**
 * Most notices in one group message of a format that carries each notice whole (json, CloudEvents: 50
 * notices are about 600 KB with their insights); a larger flush is sent as several messages, in order.
 */
export const MAX_NOTICES_PER_GROUP_MESSAGE = 50;

/**
 * Most notices in one group message of a chat (Teams, Slack): its card lists the first servers and
 * counts the rest, so its size does not grow with them. A break trial's 300 servers of one pool down
 * made 6 cards in a channel, 50 each, where one says it: "Backend servers: 300 degraded".
 */
export const CHAT_NOTICES_PER_GROUP_MESSAGE = 1_000;

/**
 * One grouped message: the notices of one gateway that one flush sends to one receiver, in outbox
 * order (oldest first). `id` is stable for the same notices (a retry of the same message keeps it).
 */
export interface NoticeGroup {
  /** `appgw-grp-` + 16 hex digits, from the notice ids. */
  readonly id: string;
  /** ISO: the newest notice's `occurredAt`. */
  readonly occurredAt: string;
  readonly gateway: Notice['gateway'];
  /** At least one; all of `gateway`. */
  readonly notices: readonly Notice[];
}

/**
 * Whether a receiver's group is due to be sent at `now` (ISO): there is something waiting, and
 * - a waiting notice was tried before (a retry, or re-sent by hand): its message was due already;
 * - else, after a message: `groupInterval` since it;
 * - else (a new group): `groupWait` since the group started.
 * Pure.
 */
export function groupDue(
  waiting: readonly QueuedNotice[],
  group: GroupState | undefined,
  now: string,
  timing: GroupTiming,
): boolean {
  if (waiting.length === 0) return false;
  if (waiting.some((q) => q.failedRuns > 0 || q.lastError !== undefined)) return true;
  const at = Date.parse(now);
  if (group?.flushedAt !== undefined) return at - Date.parse(group.flushedAt) >= timing.groupIntervalInMs;
  const opened = group?.openedAt ?? earliest(waiting) ?? now;
  return at - Date.parse(opened) >= timing.groupWaitInMs;
}

/** Which setting a group's next message waits for: its first (`groupWait`) or a later one (`groupInterval`). */
export type GroupDueSetting = 'notify.groupWait' | 'notify.groupInterval';

/** When a group's next message may go (`at`, ISO), and the setting that says so (`by`). */
export interface GroupDue {
  readonly at: string;
  readonly by: GroupDueSetting;
}

/**
 * When a group that is not due yet will be: `groupInterval` after its last message, else `groupWait`
 * after it started; with the setting that holds it. Pure.
 */
export function groupDueAt(group: GroupState, timing: GroupTiming): GroupDue {
  return group.flushedAt !== undefined
    ? {
        at: new Date(Date.parse(group.flushedAt) + timing.groupIntervalInMs).toISOString(),
        by: 'notify.groupInterval',
      }
    : {
        at: new Date(Date.parse(group.openedAt) + timing.groupWaitInMs).toISOString(),
        by: 'notify.groupWait',
      };
}

/**
 * Why a notice waits for its group (`notify list`): `held for the group's next message until <ISO>
 * (notify.groupInterval, from the group's last message)`, in the words of the run's summary. Pure.
 */
export function groupHeldReason(due: GroupDue): string {
  const from = due.by === 'notify.groupWait' ? "the group's first notice" : "the group's last message";
  return `held for the group's next message until ${due.at} (${due.by}, from ${from})`;
}

/**
 * The group after a claim: started at `now` when something waits and none was open. Pure.
 */
export function openGroup(
  group: GroupState | undefined,
  waiting: readonly QueuedNotice[],
  now: string,
): GroupState | undefined {
  if (group || waiting.length === 0) return group;
  return { openedAt: earliest(waiting) ?? now };
}

/**
 * The group after a run's sends: `flushedAt` is `now` when a message was delivered; the group ends
 * (undefined) once nothing waits for the receiver and the gateway has no told episode left (every
 * server recovered), so the next incident waits `groupWait` again. Pure.
 */
export function settleGroup(
  group: GroupState | undefined,
  options: {
    readonly delivered: boolean;
    readonly waiting: number;
    readonly openEpisodes: boolean;
    readonly now: string;
  },
): GroupState | undefined {
  if (options.waiting === 0 && !options.openEpisodes) return undefined;
  if (!group) return options.waiting > 0 ? { openedAt: options.now } : undefined;
  return options.delivered ? { ...group, flushedAt: options.now } : group;
}

/** What dropEndedEpisodes left waiting and parked, and what it took out (each oldest first). */
export interface EndedEpisodesStep {
  readonly waiting: readonly QueuedNotice[];
  /** Not sent, ever: their episode ended while they waited (for the group, or for a receiver that never took it). */
  readonly ended: readonly QueuedNotice[];
  readonly parked: readonly DeadLetter[];
  /**
   * Dead letters of an episode that ended untold to the receiver: never re-sent (that would open an
   * alert that is over, and nothing would close it).
   */
  readonly endedLetters: readonly DeadLetter[];
  /** Per episode id of `ended` and `endedLetters`, when it was untold: the letter that left it so. */
  readonly untoldBy: ReadonlyMap<string, DeadLetter | QueuedNotice>;
}

/**
 * The rule "an episode that ended before the receiver was told of it gets nothing" (Alertmanager's: an
 * alert resolved before its group's first notification is not notified; this product's own rule for
 * silences and inhibition: "recovered meanwhile gets nothing"), applied to one receiver's waiting
 * notices and dead letters (`parked`) when a `recovered` waits. The receiver is told of an episode once
 * a notice of it may have reached it: delivered (settleOutbox then clears `opensEpisode` on the
 * episode's other notices), sent without an HTTP answer (or with a gateway's 502/504 in front of it,
 * which cannot say either), or leased by a run that died with it (`mayHaveReached`, or a lease left on
 * it). A refusal it answered (a 503, or the 400 that made a dead letter) told it nothing. So an episode is untold when its first notice to this receiver
 * (`opensEpisode`) is still waiting or a dead letter, and nothing of the episode may have reached it.
 * For each episode with a `recovered` waiting:
 * - untold, in both modes: the `recovered` is dropped (nothing to resolve: no PagerDuty resolve
 *   without a trigger, no green card from nowhere), with the episode's notices waiting before it and
 *   its dead letters (re-sent, they would open an alert that is over);
 * - told, in `gateway` mode: its `degraded` and `still-degraded` notices waiting before the
 *   `recovered` are dropped (they would announce, as news, a failure that is already over) and the
 *   `recovered` goes, closing what was opened; in `server` mode everything goes, in order.
 * Per receiver: another receiver that was sent the `degraded` already still gets its `recovered`.
 * Letters of earlier releases (no `opensEpisode`) never make an episode untold. An episode with a
 * notice another live run holds (`runId`'s lease check at `now`, ISO) is left as it is: that run may
 * be delivering it. Order is kept. Pure.
 */
export function dropEndedEpisodes(
  waiting: readonly QueuedNotice[],
  runId: string,
  now: string,
  parked: readonly DeadLetter[] = [],
  mode: GroupingMode = 'gateway',
): EndedEpisodesStep {
  const recoveredAt = new Map<string, number>();
  waiting.forEach((q, index) => {
    if (q.notice.type === 'recovered') recoveredAt.set(episodeId(q.notice), index);
  });
  if (recoveredAt.size === 0) return { waiting, ended: [], parked, endedLetters: [], untoldBy: new Map() };
  const busy = new Set(
    waiting.filter((q) => isLeasedElsewhere(q, runId, now)).map((q) => episodeId(q.notice)),
  );
  const ending = (episode: string) => recoveredAt.has(episode) && !busy.has(episode);
  // Untold: a first notice still waiting or parked; told: anything of the episode that may have reached.
  const untoldBy = new Map<string, DeadLetter | QueuedNotice>();
  const told = new Set<string>();
  const before = (q: QueuedNotice, index: number) =>
    index < (recoveredAt.get(episodeId(q.notice)) ?? -1) && q.notice.type !== 'recovered';
  for (const letter of parked) {
    const episode = episodeId(letter.notice);
    if (!ending(episode)) continue;
    if (letter.mayHaveReached === true) told.add(episode);
    else if (letter.opensEpisode === true && !untoldBy.has(episode)) untoldBy.set(episode, letter);
  }
  waiting.forEach((q, index) => {
    const episode = episodeId(q.notice);
    if (!ending(episode) || !before(q, index)) return;
    // A send that may have reached (no answer read, a gateway's 502/504, or a run that died mid-send)
    // counts as told: the `recovered` still goes, as a stuck alert costs more than a stray resolve.
    if (mayHaveReached(q)) told.add(episode);
    else if (q.opensEpisode === true && !untoldBy.has(episode)) untoldBy.set(episode, q);
  });
  for (const episode of told) untoldBy.delete(episode);
  const kept: QueuedNotice[] = [];
  const ended: QueuedNotice[] = [];
  waiting.forEach((q, index) => {
    const episode = episodeId(q.notice);
    const drop = untoldBy.has(episode)
      ? before(q, index) || q.notice.type === 'recovered'
      : mode === 'gateway' && ending(episode) && before(q, index);
    (drop ? ended : kept).push(q);
  });
  const keptLetters = parked.filter((letter) => !untoldBy.has(episodeId(letter.notice)));
  const endedLetters = parked.filter((letter) => untoldBy.has(episodeId(letter.notice)));
  return { waiting: kept, ended, parked: keptLetters, endedLetters, untoldBy };
}

/**
 * The rule "a notice does not outlive its episode", for what dropEndedEpisodes cannot see: that rule
 * starts from a `recovered` waiting in the receiver's outbox, and some receivers are never sent one
 * (`sendResolved: false`, a pager that does not resolve), so their `degraded` or `still-degraded`
 * would wait for the group (or for a retry) and go out after the server is healthy again: a trigger
 * nothing resolves. So, per receiver, in both modes: a waiting notice other than a `recovered` whose
 * episode is over (`isOver`, from the server records this run wrote: core/notice/episode.ts,
 * episodeIsOver) and with no `recovered` of its episode waiting beside it is dropped (returned in
 * `ended`). An episode still open is left as it is, whatever its severity now (its notice goes with the
 * severity it was decided with). An episode with a notice another live run holds (`runId`'s lease
 * check at `now`, ISO) is left to that run; a test notice (its own `episodeId`) is never dropped.
 * Order is kept. Pure.
 */
export function dropOutlivedNotices(
  waiting: readonly QueuedNotice[],
  runId: string,
  now: string,
  isOver: (notice: Notice) => boolean,
): { readonly waiting: readonly QueuedNotice[]; readonly ended: readonly QueuedNotice[] } {
  const spared = new Set(
    waiting
      .filter((q) => q.notice.type === 'recovered' || isLeasedElsewhere(q, runId, now))
      .map((q) => episodeId(q.notice)),
  );
  const kept: QueuedNotice[] = [];
  const ended: QueuedNotice[] = [];
  for (const q of waiting) {
    const outlived =
      q.notice.type !== 'recovered' &&
      q.notice.episodeId === undefined &&
      !spared.has(episodeId(q.notice)) &&
      isOver(q.notice);
    (outlived ? ended : kept).push(q);
  }
  return ended.length === 0 ? { waiting, ended } : { waiting: kept, ended };
}

/**
 * Whether the receiver may hold `q`: a send got no HTTP answer (or a gateway's 502/504), or a run
 * leased it and never settled it (the lease outlived the run; a live run's lease makes the episode busy
 * before this is asked).
 */
function mayHaveReached(q: QueuedNotice): boolean {
  return q.mayHaveReached === true || q.lease !== undefined;
}

/**
 * The messages one flush sends: the notices in order, cut into messages of at most
 * MAX_NOTICES_PER_GROUP_MESSAGE notices of one gateway each. Pure.
 */
export function groupMessages(
  notices: readonly Notice[],
  max: number = MAX_NOTICES_PER_GROUP_MESSAGE,
): NoticeGroup[] {
  const size = Math.max(1, Math.floor(max));
  const byGateway = new Map<string, Notice[]>();
  for (const notice of notices) {
    const key = notice.gateway.id.toLowerCase();
    byGateway.set(key, [...(byGateway.get(key) ?? []), notice]);
  }
  const groups: NoticeGroup[] = [];
  for (const members of byGateway.values()) {
    for (let start = 0; start < members.length; start += size)
      groups.push(noticeGroup(members.slice(start, start + size)));
  }
  return groups;
}

/** A group of `notices` (at least one, one gateway), with its stable id. */
export function noticeGroup(notices: readonly Notice[]): NoticeGroup {
  const first = notices[0];
  if (!first) throw new RangeError('a notice group holds at least one notice');
  const occurredAt = notices
    .map((n) => n.occurredAt)
    .reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
  return {
    id: `appgw-grp-${hash64(notices.map((n) => n.id).join('|'))}`,
    occurredAt,
    gateway: first.gateway,
    notices,
  };
}

/**
 * One server's row in a chat message: the last of its notices in the group (its state as the message
 * goes out), and the ones before it that the row folds in, in order. A group can hold several notices
 * of one server: a `recovered` a recheck confirmed and the `degraded` of its next episode, a reminder
 * queued behind a `degraded` the receiver had not taken, a changed cause (issues 16 and 17's fifth
 * trials: one card listed a server two and three times). Each notice keeps its id in the json formats.
 */
export interface ServerRow {
  readonly notice: Notice;
  readonly earlier: readonly Notice[];
}

/** `notices` as one row per server (a gateway-level notice is its own), in the order each first appears. Pure. */
export function serverRows(notices: readonly Notice[]): ServerRow[] {
  const rows = new Map<string, Notice[]>();
  for (const notice of notices) {
    const key = `${notice.scope ?? 'server'}|${noticeServerKey(notice)}`;
    rows.set(key, [...(rows.get(key) ?? []), notice]);
  }
  return [...rows.values()].map((all) => ({
    notice: all[all.length - 1] as Notice,
    earlier: all.slice(0, -1),
  }));
}

/** One pool and settings of a group as rows (serverRows), in the order each first appears. */
export interface PoolRows {
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly rows: readonly ServerRow[];
}

/** A group's server rows by pool, then settings: what a chat message lists. Pure. */
export function poolRows(notices: readonly Notice[]): PoolRows[] {
  const sections = new Map<string, { backendPool: string; backendSettings: string; rows: ServerRow[] }>();
  for (const row of serverRows(notices)) {
    const key = JSON.stringify([row.notice.backendPool, row.notice.backendSettings]);
    const section = sections.get(key) ?? {
      backendPool: row.notice.backendPool,
      backendSettings: row.notice.backendSettings,
      rows: [],
    };
    section.rows.push(row);
    sections.set(key, section);
  }
  return [...sections.values()];
}

/** How many of a group's notices are of each type: the chat formats' headline. */
export function groupCounts(group: Pick<NoticeGroup, 'notices'>): Readonly<Record<Notice['type'], number>> {
  const counts = { degraded: 0, 'still-degraded': 0, recovered: 0 };
  for (const notice of group.notices) counts[notice.type]++;
  return counts;
}

function earliest(waiting: readonly QueuedNotice[]): string | undefined {
  return waiting
    .map((q) => q.queuedAt)
    .reduce<string | undefined>(
      (a, b) => (a === undefined || Date.parse(b) < Date.parse(a) ? b : a),
      undefined,
    );
}
