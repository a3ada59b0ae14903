import { dropOutlivedNotices } from '../../../src/core/notice/grouping';
import type { Notice, NoticeType } from '../../../src/core/notice/notice';
import type { QueuedNotice } from '../../../src/core/notice/outbox';
import { sampleNotice } from '../../adapters/webhooks/support/notices';

/**
 * dropOutlivedNotices (core/notice/grouping.ts): a waiting notice of an episode that is over, with no
 * `recovered` of it waiting beside it (a receiver with `sendResolved: false`, or one its routing sends
 * none), is dropped; anything of an open episode, a `recovered`, a test notice, or an episode another
 * live run holds is kept.
 */

const NOW = '2030-01-01T00:10:00.000Z';
const RUN = 'run-now';

function queued(
  type: NoticeType,
  address: string,
  options: { since?: string; lease?: QueuedNotice['lease']; episodeId?: string } = {},
): QueuedNotice {
  const notice = sampleNotice({
    id: `appgw-${type}-${address}-${options.since ?? 'a'}`,
    type,
    degradedSince: options.since ?? '2030-01-01T00:00:00.000Z',
  });
  return {
    notice: {
      ...notice,
      server: { ...notice.server, address },
      ...(options.episodeId ? { episodeId: options.episodeId } : {}),
    },
    queuedAt: '2030-01-01T00:00:00.000Z',
    failedRuns: 0,
    ...(options.lease ? { lease: options.lease } : {}),
  };
}

const label = (q: QueuedNotice) => `${q.notice.type} ${q.notice.server.address}`;
/** Episodes over: every server in `over` (by address), for the episode that started `since` (default: any). */
const overFor =
  (over: readonly string[], since?: string) =>
  (notice: Notice): boolean =>
    over.includes(notice.server.address) && (since === undefined || notice.degradedSince === since);

describe('dropOutlivedNotices', () => {
  it.each<[string, QueuedNotice[], readonly string[], string[], string[]]>([
    [
      'a degraded of an ended episode, no recovered waiting: dropped',
      [queued('degraded', 'a')],
      ['a'],
      [],
      ['degraded a'],
    ],
    [
      'a still-degraded of an ended episode: dropped',
      [queued('still-degraded', 'a')],
      ['a'],
      [],
      ['still-degraded a'],
    ],
    ['a degraded of an open episode: kept', [queued('degraded', 'a')], [], ['degraded a'], []],
    [
      'a recovered waits beside it (dropEndedEpisodes decides): kept',
      [queued('degraded', 'a'), queued('recovered', 'a')],
      ['a'],
      ['degraded a', 'recovered a'],
      [],
    ],
    [
      'only the ended episode drops; order kept',
      [queued('degraded', 'b'), queued('degraded', 'a'), queued('still-degraded', 'c')],
      ['a'],
      ['degraded b', 'still-degraded c'],
      ['degraded a'],
    ],
    [
      'another live run holds the episode: kept',
      [queued('degraded', 'a', { lease: { runId: 'other', until: '2030-01-01T00:11:00.000Z' } })],
      ['a'],
      ['degraded a'],
      [],
    ],
    [
      'a lease of a run that is over does not keep it',
      [queued('degraded', 'a', { lease: { runId: 'other', until: '2030-01-01T00:09:00.000Z' } })],
      ['a'],
      [],
      ['degraded a'],
    ],
    [
      'a test notice (its own episode id) is never dropped',
      [queued('degraded', 'a', { episodeId: 'appgw-test-ep-1' })],
      ['a'],
      ['degraded a'],
      [],
    ],
  ])('%s', (_name, waiting, over, kept, ended) => {
    const step = dropOutlivedNotices(waiting, RUN, NOW, overFor(over));
    expect([step.waiting.map(label), step.ended.map(label)]).toEqual([kept, ended]);
  });

  it('an old episode of a server now in a new one: the old notice drops, the new one stays', () => {
    const old = queued('degraded', 'a', { since: '2030-01-01T00:00:00.000Z' });
    const fresh = queued('degraded', 'a', { since: '2030-01-01T00:08:00.000Z' });
    const step = dropOutlivedNotices([old, fresh], RUN, NOW, overFor(['a'], '2030-01-01T00:00:00.000Z'));
    expect([step.waiting, step.ended]).toEqual([[fresh], [old]]);
  });

  it('nothing over: the same list back', () => {
    const waiting = [queued('degraded', 'a')];
    expect(dropOutlivedNotices(waiting, RUN, NOW, () => false).waiting).toBe(waiting);
  });
});
