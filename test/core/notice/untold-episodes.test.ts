import { episodeIsOver } from '../../../src/core/notice/episode';
import { dropEndedEpisodes, type GroupingMode } from '../../../src/core/notice/grouping';
import type { NoticeType } from '../../../src/core/notice/notice';
import {
  claimOutbox,
  requeueDeadLetters,
  settleOutbox,
  type DeadLetter,
  type QueuedNotice,
  type SendOutcome,
} from '../../../src/core/notice/outbox';
import { noticeServerKey } from '../../../src/core/notice/server-record';
import { sampleNotice } from '../../adapters/webhooks/support/notices';

/**
 * The rule "a receiver never told of an episode gets no recovered for it" (grouping.ts,
 * dropEndedEpisodes; outbox.ts, settleOutbox and requeueDeadLetters): told once any notice of the
 * episode may have reached the receiver (delivered, sent without an HTTP answer, or leased by a run
 * that died with it); a refusal it answered (the 400 that made a dead letter, a 503) told it nothing.
 */

const NOW = '2030-01-01T00:10:00.000Z';
const LATER = '2030-01-01T00:11:00.000Z';
const RUN = 'run-now';
const SINCE = '2030-01-01T00:00:00.000Z';

/** A notice of server `address`, episode `since`. */
function noticeOf(type: NoticeType, address: string, since = SINCE) {
  const notice = sampleNotice({ id: `appgw-${type}-${address}-${since}`, type, degradedSince: since });
  return { ...notice, server: { ...notice.server, address } };
}

function queued(type: NoticeType, address: string, extra: Partial<QueuedNotice> = {}): QueuedNotice {
  return { notice: noticeOf(type, address), queuedAt: SINCE, failedRuns: 0, ...extra };
}

function letter(type: NoticeType, address: string, extra: Partial<DeadLetter> = {}): DeadLetter {
  return {
    notice: noticeOf(type, address),
    queuedAt: SINCE,
    failedRuns: 1,
    parkedAt: SINCE,
    reason: 'HTTP 400 Bad Request: unknown field',
    ...extra,
  };
}

const label = (q: { notice: { type: string; server: { address: string } } }) =>
  `${q.notice.type} ${q.notice.server.address}`;

interface Case {
  readonly waiting: QueuedNotice[];
  readonly parked?: DeadLetter[];
  /** What stays waiting / parked, and what is dropped (ended, endedLetters), per mode. */
  readonly gateway: { waiting: string[]; ended: string[]; parked: string[]; endedLetters: string[] };
  readonly server?: { waiting: string[]; ended: string[]; parked: string[]; endedLetters: string[] };
}

const CASES: Record<string, Case> = {
  'untold by refusal: the opening degraded is a dead letter (HTTP 400), then recovered: the recovered and the letter dropped':
    {
      waiting: [queued('recovered', 'a')],
      parked: [letter('degraded', 'a', { opensEpisode: true })],
      gateway: { waiting: [], ended: ['recovered a'], parked: [], endedLetters: ['degraded a'] },
    },
  'untold, with a reminder refused too: every letter of the episode dropped with the recovered': {
    waiting: [queued('recovered', 'a')],
    parked: [letter('degraded', 'a', { opensEpisode: true }), letter('still-degraded', 'a')],
    gateway: {
      waiting: [],
      ended: ['recovered a'],
      parked: [],
      endedLetters: ['degraded a', 'still-degraded a'],
    },
  },
  'told by no answer: the opening letter may have reached (a time-out, then a refusal): the recovered goes, the letter stays':
    {
      waiting: [queued('recovered', 'a')],
      parked: [letter('degraded', 'a', { opensEpisode: true, mayHaveReached: true })],
      gateway: { waiting: ['recovered a'], ended: [], parked: ['degraded a'], endedLetters: [] },
    },
  'told by delivery: a later notice was delivered (settleOutbox cleared opensEpisode): the recovered goes': {
    waiting: [queued('recovered', 'a')],
    parked: [letter('degraded', 'a')],
    gateway: { waiting: ['recovered a'], ended: [], parked: ['degraded a'], endedLetters: [] },
  },
  'told by no answer on another notice: the reminder waiting got no answer, the opening letter refused: the recovered goes':
    {
      waiting: [
        queued('still-degraded', 'a', { failedRuns: 1, lastError: 'timed out', mayHaveReached: true }),
        queued('recovered', 'a'),
      ],
      parked: [letter('degraded', 'a', { opensEpisode: true })],
      gateway: {
        waiting: ['recovered a'],
        ended: ['still-degraded a'],
        parked: ['degraded a'],
        endedLetters: [],
      },
      server: {
        waiting: ['still-degraded a', 'recovered a'],
        ended: [],
        parked: ['degraded a'],
        endedLetters: [],
      },
    },
  'told by an expired lease: the run that held the opening degraded died with it: the recovered goes': {
    waiting: [
      queued('degraded', 'a', {
        opensEpisode: true,
        lease: { runId: 'dead', until: '2030-01-01T00:09:00.000Z' },
      }),
      queued('recovered', 'a'),
    ],
    gateway: { waiting: ['recovered a'], ended: ['degraded a'], parked: [], endedLetters: [] },
    server: { waiting: ['degraded a', 'recovered a'], ended: [], parked: [], endedLetters: [] },
  },
  'requeued by hand: the re-sent opening degraded waits, then recovered: both dropped': {
    waiting: [
      queued('degraded', 'a', {
        opensEpisode: true,
        failedRuns: 1,
        lastError: 're-sent by hand after: HTTP 400 Bad Request',
      }),
      queued('recovered', 'a'),
    ],
    gateway: { waiting: [], ended: ['degraded a', 'recovered a'], parked: [], endedLetters: [] },
  },
  'untold by a refusal answered (HTTP 503, kept for a retry), then recovered: both dropped': {
    waiting: [
      queued('degraded', 'a', { opensEpisode: true, failedRuns: 2, lastError: 'HTTP 503' }),
      queued('recovered', 'a'),
    ],
    gateway: { waiting: [], ended: ['degraded a', 'recovered a'], parked: [], endedLetters: [] },
  },
  'told before (a reminder waits for a retry), then recovered: per-server sends both; gateway drops the reminder':
    {
      waiting: [
        queued('still-degraded', 'a', { failedRuns: 1, lastError: 'HTTP 503' }),
        queued('recovered', 'a'),
      ],
      gateway: { waiting: ['recovered a'], ended: ['still-degraded a'], parked: [], endedLetters: [] },
      server: { waiting: ['still-degraded a', 'recovered a'], ended: [], parked: [], endedLetters: [] },
    },
  'a letter of an earlier release (no opensEpisode): the recovered goes, as before': {
    waiting: [queued('recovered', 'a')],
    parked: [letter('degraded', 'a')],
    gateway: { waiting: ['recovered a'], ended: [], parked: ['degraded a'], endedLetters: [] },
  },
  'another server’s untold letter: only its own episode is touched': {
    waiting: [queued('recovered', 'a')],
    parked: [letter('degraded', 'b', { opensEpisode: true })],
    gateway: { waiting: ['recovered a'], ended: [], parked: ['degraded b'], endedLetters: [] },
  },
  'an untold letter, and no recovered yet: nothing changes': {
    waiting: [queued('still-degraded', 'a')],
    parked: [letter('degraded', 'a', { opensEpisode: true })],
    gateway: { waiting: ['still-degraded a'], ended: [], parked: ['degraded a'], endedLetters: [] },
  },
  'another live run holds the recovered: the episode is left as it is': {
    waiting: [queued('recovered', 'a', { lease: { runId: 'other', until: LATER } })],
    parked: [letter('degraded', 'a', { opensEpisode: true })],
    gateway: { waiting: ['recovered a'], ended: [], parked: ['degraded a'], endedLetters: [] },
  },
};

describe('dropEndedEpisodes: a receiver never told of an episode gets no recovered (both grouping modes)', () => {
  const rows = Object.entries(CASES).flatMap(([name, c]) =>
    (['gateway', 'server'] as GroupingMode[]).map((mode) => [`${name} (${mode})`, mode, c] as const),
  );
  it.each(rows)('%s', (_name, mode, c) => {
    const step = dropEndedEpisodes(c.waiting, RUN, NOW, c.parked ?? [], mode);
    const expected = (mode === 'server' ? c.server : undefined) ?? c.gateway;
    expect({
      waiting: step.waiting.map(label),
      ended: step.ended.map(label),
      parked: step.parked.map(label),
      endedLetters: step.endedLetters.map(label),
    }).toEqual(expected);
  });

  it('says which notice left the episode untold (for the report): the dead letter and its reason', () => {
    const opening = letter('degraded', 'a', { opensEpisode: true });
    const step = dropEndedEpisodes([queued('recovered', 'a')], RUN, NOW, [opening], 'server');
    expect([...step.untoldBy.values()]).toEqual([opening]);
  });
});

describe('settleOutbox: an episode becomes told when a later notice of it may have reached the receiver', () => {
  const mine = (q: QueuedNotice): QueuedNotice => ({ ...q, lease: { runId: RUN, until: LATER } });
  const reminder = mine(queued('still-degraded', 'a'));
  const parked = letter('degraded', 'a', { opensEpisode: true });
  it.each<[string, SendOutcome, boolean]>([
    ['the reminder delivered: told', { kind: 'delivered' }, false],
    [
      'the reminder sent without an answer (a time-out), kept for a retry: told',
      { kind: 'failed', retryable: true, reason: 'timed out', mayHaveReached: true },
      false,
    ],
    [
      'the reminder refused with an answer (HTTP 503): still untold',
      { kind: 'failed', retryable: true, reason: 'HTTP 503' },
      true,
    ],
    [
      'the reminder refused for good (HTTP 400): still untold',
      { kind: 'failed', retryable: false, reason: 'HTTP 400' },
      true,
    ],
    ['the reminder not tried: still untold', { kind: 'not-tried' }, true],
  ])('%s', (_name, outcome, untold) => {
    const step = settleOutbox(
      { waiting: [reminder, queued('recovered', 'a')], parked: [parked] },
      new Map([[reminder.notice.id, outcome]]),
      { now: NOW, runId: RUN, limit: 100 },
    );
    const opening = step.outbox.parked.find((l) => l.notice.type === 'degraded');
    expect(opening?.opensEpisode === true).toBe(untold);
    // Then, the recovered claimed: it goes to a told receiver, not to an untold one.
    const next = dropEndedEpisodes(step.outbox.waiting, RUN, NOW, step.outbox.parked, 'server');
    expect(next.waiting.some((q) => q.notice.type === 'recovered')).toBe(!untold);
  });

  it('a delivered notice of another episode tells nothing of this one (in the same run, refused for good)', () => {
    const opening = mine(queued('degraded', 'b', { opensEpisode: true }));
    const other = mine(queued('still-degraded', 'a'));
    const step = settleOutbox(
      { waiting: [opening, other], parked: [] },
      new Map<string, SendOutcome>([
        [opening.notice.id, { kind: 'failed', retryable: false, reason: 'HTTP 400' }],
        [other.notice.id, { kind: 'delivered' }],
      ]),
      { now: NOW, runId: RUN, limit: 100 },
    );
    expect(step.outbox.parked.map((l) => [label(l), l.opensEpisode])).toEqual([['degraded b', true]]);
  });

  it('a refused opening degraded becomes a dead letter that keeps opensEpisode; with no answer in an attempt, mayHaveReached too', () => {
    const opening = mine(queued('degraded', 'a', { opensEpisode: true }));
    const refusedWith = (mayHaveReached: boolean) =>
      settleOutbox(
        { waiting: [opening], parked: [] },
        new Map([
          [
            opening.notice.id,
            {
              kind: 'failed',
              retryable: false,
              reason: 'HTTP 400',
              ...(mayHaveReached ? { mayHaveReached } : {}),
            },
          ],
        ]),
        { now: NOW, runId: RUN, limit: 100 },
      ).outbox.parked[0];
    expect(refusedWith(false)).toMatchObject({ opensEpisode: true });
    expect(refusedWith(false)?.mayHaveReached).toBeUndefined();
    // An attempt without an answer may have reached: the episode is told, so the flag is cleared too.
    expect(refusedWith(true)).toMatchObject({ mayHaveReached: true });
  });

  it('a notice parked by the bound with a lease its run let run out keeps mayHaveReached (that run may have sent it)', () => {
    const expired = queued('degraded', 'a', {
      opensEpisode: true,
      lease: { runId: 'dead', until: '2030-01-01T00:09:00.000Z' },
    });
    // Three notices of one server: past two a server (the bound's least), the oldest is parked.
    const later = [queued('still-degraded', 'a'), queued('still-degraded', 'a')];
    const step = claimOutbox({ waiting: [expired, ...later], parked: [] }, [], {
      now: NOW,
      runId: RUN,
      limit: 1,
    });
    expect(step.outbox.parked).toEqual([
      expect.objectContaining({ opensEpisode: true, mayHaveReached: true }),
    ]);
  });
});

describe('requeueDeadLetters: re-sent by hand keeps what the episode was told', () => {
  it('copies opensEpisode and mayHaveReached back; a letter without them queues without them', () => {
    const step = requeueDeadLetters(
      {
        waiting: [],
        parked: [
          letter('degraded', 'a', { opensEpisode: true }),
          letter('degraded', 'b', { opensEpisode: true, mayHaveReached: true }),
          letter('degraded', 'c'),
        ],
      },
      () => true,
    );
    expect(step.outbox.waiting.map((q) => [label(q), q.opensEpisode, q.mayHaveReached])).toEqual([
      ['degraded a', true, undefined],
      ['degraded b', true, true],
      ['degraded c', undefined, undefined],
    ]);
  });

  it('a letter isOver picks is not re-queued but taken out and returned in `over`', () => {
    const step = requeueDeadLetters(
      { waiting: [], parked: [letter('degraded', 'a'), letter('degraded', 'b'), letter('degraded', 'c')] },
      (l) => l.notice.server.address !== 'c',
      (l) => l.notice.server.address === 'a',
    );
    expect(step.requeued.map(label)).toEqual(['degraded b']);
    expect(step.over.map(label)).toEqual(['degraded a']);
    expect(step.outbox.waiting.map(label)).toEqual(['degraded b']);
    expect(step.outbox.parked.map(label)).toEqual(['degraded c']);
  });
});

describe('episodeIsOver: by the server records of the notify state', () => {
  const notice = noticeOf('degraded', 'a');
  const record = { badRuns: 3, degradedSince: SINCE, notified: undefined };
  it.each<
    [string, Record<string, { badRuns: number; degradedSince: string; notified?: undefined }>, boolean]
  >([
    ['the episode is open (same degradedSince)', { [noticeServerKey(notice)]: record }, false],
    ['no record: the server recovered', {}, true],
    [
      'another episode of the server (a later degradedSince)',
      { [noticeServerKey(notice)]: { ...record, degradedSince: '2030-01-01T00:08:00.000Z' } },
      true,
    ],
    [
      'only the mark of a confirmed fix (badRuns 0, not told)',
      { [noticeServerKey(notice)]: { ...record, badRuns: 0 } },
      true,
    ],
  ])('%s', (_name, servers, over) => {
    expect(episodeIsOver(notice, servers)).toBe(over);
  });
});
