import fc from 'fast-check';
import { dropEndedEpisodes } from '../../../src/core/notice/grouping';
import type { NoticeType } from '../../../src/core/notice/notice';
import type { QueuedNotice } from '../../../src/core/notice/outbox';
import { sampleNotice } from '../../adapters/webhooks/support/notices';

/**
 * dropEndedEpisodes (core/notice/grouping.ts): an episode that ended while its notices waited for the
 * group sends nothing the receiver was not told; a told episode's `recovered` still goes.
 */

const NOW = '2030-01-01T00:10:00.000Z';
const RUN = 'run-now';

/** A waiting notice of the server `address` (one episode each), `first` when it opens the episode. */
function queued(
  type: NoticeType,
  address: string,
  options: { first?: boolean; since?: string; lease?: QueuedNotice['lease'] } = {},
): QueuedNotice {
  const notice = sampleNotice({
    id: `appgw-${type}-${address}-${options.since ?? 'a'}`,
    type,
    degradedSince: options.since ?? '2030-01-01T00:00:00.000Z',
  });
  return {
    notice: { ...notice, server: { ...notice.server, address } },
    queuedAt: '2030-01-01T00:00:00.000Z',
    failedRuns: 0,
    ...(options.first ? { opensEpisode: true } : {}),
    ...(options.lease ? { lease: options.lease } : {}),
  };
}

const label = (q: QueuedNotice) => `${q.notice.type} ${q.notice.server.address}`;

describe('dropEndedEpisodes', () => {
  it.each<[string, QueuedNotice[], string[], string[]]>([
    [
      'never told (degraded waiting), then recovered: both dropped',
      [queued('degraded', 'a', { first: true }), queued('recovered', 'a')],
      [],
      ['degraded a', 'recovered a'],
    ],
    [
      'told before; a reminder waits, then recovered: the reminder dropped, the recovered kept',
      [queued('still-degraded', 'a'), queued('recovered', 'a')],
      ['recovered a'],
      ['still-degraded a'],
    ],
    [
      'told before; a raised-severity degraded waits, then recovered: the raised one dropped',
      [
        { ...queued('degraded', 'a'), notice: { ...queued('degraded', 'a').notice, raisedFrom: 'warning' } },
        queued('recovered', 'a'),
      ],
      ['recovered a'],
      ['degraded a'],
    ],
    [
      'never told, with a reminder too: all three dropped',
      [queued('degraded', 'a', { first: true }), queued('still-degraded', 'a'), queued('recovered', 'a')],
      [],
      ['degraded a', 'still-degraded a', 'recovered a'],
    ],
    [
      'another server still bad: kept',
      [
        queued('degraded', 'a', { first: true }),
        queued('degraded', 'b', { first: true }),
        queued('recovered', 'a'),
      ],
      ['degraded b'],
      ['degraded a', 'recovered a'],
    ],
    ['a recovered alone (told before): kept', [queued('recovered', 'a')], ['recovered a'], []],
    [
      'the next episode of the same server after the recovered: kept',
      [
        queued('degraded', 'a', { first: true }),
        queued('recovered', 'a'),
        queued('degraded', 'a', { first: true, since: '2030-01-01T00:09:00.000Z' }),
      ],
      ['degraded a'],
      ['degraded a', 'recovered a'],
    ],
    [
      'a notice of the episode held by another live run: the episode is left as it is',
      [
        queued('degraded', 'a', {
          first: true,
          lease: { runId: 'other', until: '2030-01-01T00:11:00.000Z' },
        }),
        queued('recovered', 'a'),
      ],
      ['degraded a', 'recovered a'],
      [],
    ],
    [
      'a lease that has ended does not hold it, but its run may have sent the degraded: the recovered goes',
      [
        queued('degraded', 'a', {
          first: true,
          lease: { runId: 'other', until: '2030-01-01T00:09:00.000Z' },
        }),
        queued('recovered', 'a'),
      ],
      ['recovered a'],
      ['degraded a'],
    ],
    [
      'the opening degraded got no answer once (a time-out: the receiver may have it): the recovered goes',
      [
        {
          ...queued('degraded', 'a', { first: true }),
          failedRuns: 1,
          lastError: 'timed out',
          mayHaveReached: true,
        },
        queued('recovered', 'a'),
      ],
      ['recovered a'],
      ['degraded a'],
    ],
    [
      'the opening degraded was refused with an answer (HTTP 503: not taken): both dropped',
      [
        { ...queued('degraded', 'a', { first: true }), failedRuns: 1, lastError: 'HTTP 503' },
        queued('recovered', 'a'),
      ],
      [],
      ['degraded a', 'recovered a'],
    ],
  ])('%s', (_name, waiting, kept, ended) => {
    const step = dropEndedEpisodes(waiting, RUN, NOW);
    expect(step.waiting.map(label)).toEqual(kept);
    expect(step.ended.map(label)).toEqual(ended);
  });

  it('property: nothing lost (kept + ended = waiting, order kept); no recovered is sent for an episode whose opening notice was dropped; no bad notice is sent for an episode whose recovered waits', () => {
    const entry = fc.record({
      type: fc.constantFrom<NoticeType>('degraded', 'still-degraded', 'recovered'),
      address: fc.constantFrom('a', 'b', 'c'),
      first: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
        const waiting = entries.map((e, i) => ({
          ...queued(e.type, e.address, { first: e.first && e.type === 'degraded' }),
          queuedAt: new Date(Date.parse('2030-01-01T00:00:00.000Z') + i).toISOString(),
        }));
        const step = dropEndedEpisodes(waiting, RUN, NOW);
        const merged = [...step.waiting, ...step.ended].sort((x, y) => x.queuedAt.localeCompare(y.queuedAt));
        expect(merged).toEqual(waiting);
        for (const q of step.waiting) {
          const later = waiting.slice(waiting.indexOf(q) + 1);
          if (q.notice.type !== 'recovered')
            expect(
              later.some(
                (l) => l.notice.type === 'recovered' && l.notice.server.address === q.notice.server.address,
              ),
            ).toBe(false);
        }
        for (const q of step.waiting.filter((w) => w.notice.type === 'recovered')) {
          const before = waiting.slice(0, waiting.indexOf(q));
          expect(
            before.some((b) => b.opensEpisode && b.notice.server.address === q.notice.server.address),
          ).toBe(false);
        }
      }),
    );
  });
});
