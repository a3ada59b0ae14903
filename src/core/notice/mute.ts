/**
 * Silences checked again when notices are sent, not only when they are decided (Alertmanager's
 * MuteStage, at each flush of a group): a `degraded` decided before a silence was added, waiting for
 * its group's next message (or for a receiver that failed), went out during the silence (a new-user
 * trial: `silence add` for a maintenance, then two `degraded` 4 minutes later, with the default
 * `notify.groupInterval`). Pure.
 */
import { gatewayKey } from '../arm-id';
import { silenceSubjectOf, type SilencedTransition } from './decide';
import { isGatewayScope } from './inhibit';
import { episodeId } from './episode';
import type { Notice } from './notice';
import type { QueuedNotice } from './outbox';
import { isEpisode, noticeServerKey, type ServerRecord } from './server-record';
import {
  silencedTogether,
  silencedUntil,
  silencesFor,
  type Silence,
  type SilencedTogether,
  type SilenceSubject,
} from './silence';

/**
 * Why a waiting notice is held at its send: the silences in force that hold it, and until when
 * (silencedUntil; absent when that cannot be said). The shape silencedTogether gives.
 */
export type MutedNotice = SilencedTogether;

/**
 * The notices of `waiting` (one receiver's, oldest first) that silences in force at `now` hold back at
 * their send, by notice id: every `degraded` and `still-degraded` of an episode whose newest such notice
 * a silence matches (its gateway, pool, cause and severity, as at its decision: the episode as it is
 * now). By episode, not notice by notice: a break trial's silence of one cause held an episode's first
 * `degraded` and let its "cause changed" one go, so the receiver got a change of a cause it was never
 * told, then the first one after the silence; an episode whose newest notice no silence matches goes
 * whole, in order. Never a `recovered`: it closes what a receiver was told, and goes during a silence
 * too (decide.ts). A held notice keeps its place, and goes on the first run after its silences end; if
 * its episode ends first, it is dropped with its `recovered` (grouping.ts: nothing the receiver was not
 * told).
 * `records`: the gateway's servers in its notify state (after this run's decision): a gateway-level
 * notice no silence matches is held when silences hold each of its servers' open episodes
 * (silencedTogether), as at its decision (inhibit.ts).
 */
export function mutedAtSend(
  waiting: readonly Pick<QueuedNotice, 'notice'>[],
  silences: readonly Silence[],
  now: Date,
  records: Readonly<Record<string, ServerRecord>> = {},
): ReadonlyMap<string, MutedNotice> {
  const muted = new Map<string, MutedNotice>();
  if (silences.length === 0) return muted;
  const byEpisode = new Map<string, Notice[]>();
  for (const { notice } of waiting) {
    if (notice.type === 'recovered') continue;
    const episode = episodeId(notice);
    const notices = byEpisode.get(episode);
    if (notices) notices.push(notice);
    else byEpisode.set(episode, [notice]);
  }
  for (const notices of byEpisode.values()) {
    const newest = notices[notices.length - 1] as Notice;
    const own = silencesFor(silences, subjectOfNotice(newest), now);
    const until = own.length > 0 ? silencedUntil(silences, own, now) : undefined;
    const held: MutedNotice | undefined =
      own.length > 0
        ? { silenceIds: own, ...(until !== undefined ? { until } : {}) }
        : newest.scope === 'gateway'
          ? silencedTogether(silences, serversOf(records, newest.gateway.id), now)
          : undefined;
    if (held) for (const notice of notices) muted.set(notice.id, held);
  }
  return muted;
}

/**
 * The subjects of the open episodes of `gateway`'s servers in `records` (its notify state), not its
 * gateway-level episode: what a gateway-level notice speaks for, each matched as its server's own
 * transition would be (decide.ts silenceSubjectOf).
 */
function serversOf(records: Readonly<Record<string, ServerRecord>>, gateway: string): SilenceSubject[] {
  const key = gatewayKey(gateway);
  return Object.values(records)
    .filter((r) => gatewayKey(r.gateway.id) === key && isEpisode(r) && !isGatewayScope(r))
    .map(silenceSubjectOf);
}

/** A held notice as the run report's `notifications.silenced` says a held transition. */
export function mutedTransition(notice: Notice, muted: MutedNotice): SilencedTransition {
  return {
    serverKey: noticeServerKey(notice),
    gateway: notice.gateway.id,
    server: [notice.gateway.name, notice.backendPool, notice.backendSettings, notice.server.address].join(
      '/',
    ),
    type: notice.type,
    outcome: 'held',
    silenceIds: muted.silenceIds,
    causeId: notice.cause.id,
    severity: notice.severity,
    ...(notice.raisedFrom !== undefined ? { raisedFrom: notice.raisedFrom } : {}),
    ...(muted.until !== undefined ? { until: muted.until } : {}),
  };
}

/** What silences are matched against, of a notice: as decide.ts matches its server's record. */
function subjectOfNotice(notice: Notice) {
  return {
    gateway: notice.gateway,
    backendPool: notice.backendPool,
    causeId: notice.cause.id,
    severity: notice.severity,
  };
}
