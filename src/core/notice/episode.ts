import { hash64 } from '../hash';
import type { Notice } from './notice';
import { isEpisode, noticeServerKey, type ServerRecord } from './server-record';

/**
 * The stable id of the episode a notice belongs to: one server (gateway, pool, settings, address) from
 * its first bad run (`degradedSince`) to its `recovered`. Every notice of one episode (`degraded`, each
 * `still-degraded`, a `degraded` for a changed cause, the `recovered`) has the same episode id, and
 * the next episode of the same server another (its `degradedSince` differs). With `notify.recoverAfter`
 * a flap inside the count is one episode (decide.ts). Derived from fields every notice carries, so
 * notices queued by earlier releases have one too. Receivers that pair an alert with its resolution
 * use it (PagerDuty's `dedup_key`); `appgw-ep-` + 16 hex digits. A test notice's is its own
 * `episodeId` (`appgw-test-ep-…`, test-notice.ts).
 */
export function episodeId(
  notice: Pick<Notice, 'gateway' | 'backendPool' | 'backendSettings' | 'server' | 'degradedSince'> &
    Pick<Partial<Notice>, 'episodeId'>,
): string {
  // A test notice carries its own (test-notice.ts): every test names the same server.
  if (notice.episodeId) return notice.episodeId;
  return `appgw-ep-${hash64(`${noticeServerKey(notice)}|${notice.degradedSince}`)}`;
}

/**
 * Whether the episode of `notice` is over, by the notify state's server records (`servers`, keyed by
 * serverKey): its server has no open episode now, or another one (a later `degradedSince`). A notice
 * of an episode that is over is old news: re-sent, a `degraded` or reminder would reopen an alert
 * that was closed, or announce one for a server that is healthy. Pure.
 */
export function episodeIsOver(
  notice: Pick<Notice, 'gateway' | 'backendPool' | 'backendSettings' | 'server' | 'degradedSince'>,
  servers: Readonly<Record<string, Pick<ServerRecord, 'badRuns' | 'notified' | 'degradedSince'>>>,
): boolean {
  const record = servers[noticeServerKey(notice)];
  return record === undefined || !isEpisode(record) || record.degradedSince !== notice.degradedSince;
}
