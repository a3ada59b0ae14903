import fc from 'fast-check';
import {
  groupDue,
  groupMessages,
  openGroup,
  settleGroup,
  type GroupState,
} from '../../../src/core/notice/grouping';
import {
  claimOutbox,
  leaseWaiting,
  settleOutbox,
  type ReceiverOutbox,
  type SendOutcome,
} from '../../../src/core/notice/outbox';
import { sampleNotice } from '../../adapters/webhooks/support/notices';

/**
 * The pure grouping decision over many runs (claim → due? → messages → settle), with any timings and
 * any answers: no notice is lost or delivered twice, and a group is never sent again within its
 * interval unless a notice in it is a retry.
 */

const MINUTE = 60_000;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
type Answer = 'accept' | 'retryable' | 'permanent';

const step = fc.record({
  advanceInMs: fc.integer({ min: 0, max: 15 * MINUTE }),
  fresh: fc.nat(4),
  answers: fc.array(fc.constantFrom<Answer>('accept', 'retryable', 'permanent'), { maxLength: 4 }),
  openEpisodes: fc.boolean(),
});

describe('grouping decision (property)', () => {
  it('no notice lost or delivered twice; the interval holds between messages but for retries', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 0, max: 10 * MINUTE }),
        fc.integer({ min: 0, max: 10 * MINUTE }),
        fc.integer({ min: 1, max: 4 }),
        (steps, groupWaitInMs, groupIntervalInMs, perMessage) => {
          const timing = { groupWaitInMs, groupIntervalInMs };
          let outbox: ReceiverOutbox = { waiting: [], parked: [] };
          let group: GroupState | undefined;
          let now = T0;
          let next = 0;
          const created: string[] = [];
          const delivered: string[] = [];
          let lastDeliveryAt: number | undefined;
          const all = [
            ...steps,
            { advanceInMs: 24 * 60 * MINUTE, fresh: 0, answers: [], openEpisodes: false },
          ];
          for (const [runIndex, s] of all.entries()) {
            now += s.advanceInMs;
            const iso = new Date(now).toISOString();
            const runId = `run-${runIndex}`;
            const fresh = Array.from({ length: s.fresh }, () => {
              const id = `n-${next++}`;
              created.push(id);
              return { notice: sampleNotice({ id, occurredAt: iso }), queuedAt: iso, failedRuns: 0 };
            });
            const claimed = claimOutbox(outbox, fresh, { now: iso, runId, limit: 1_000 });
            group = openGroup(group, claimed.outbox.waiting, iso);
            const due = groupDue(claimed.outbox.waiting, group, iso, timing);
            const retry = claimed.outbox.waiting.some((q) => q.failedRuns > 0);
            const waiting = due
              ? leaseWaiting(claimed.outbox.waiting, runId, iso, new Date(now + MINUTE).toISOString())
              : claimed.outbox.waiting;
            const outcomes = new Map<string, SendOutcome>();
            let stopped = false;
            let deliveredNow = false;
            const leased = waiting.filter((q) => q.lease?.runId === runId).map((q) => q.notice);
            for (const [i, message] of groupMessages(leased, perMessage).entries()) {
              // The last run accepts everything: what is still waiting must be delivered then.
              const answer: Answer = runIndex === all.length - 1 ? 'accept' : (s.answers[i] ?? 'accept');
              for (const notice of message.notices) {
                if (stopped) outcomes.set(notice.id, { kind: 'not-tried' });
                else if (answer === 'accept') outcomes.set(notice.id, { kind: 'delivered' });
                else
                  outcomes.set(notice.id, {
                    kind: 'failed',
                    retryable: answer === 'retryable',
                    reason: answer,
                  });
              }
              if (!stopped && answer === 'accept') {
                delivered.push(...message.notices.map((n) => n.id));
                deliveredNow = true;
              }
              if (answer === 'retryable') stopped = true; // the run's breaker: the rest wait
            }
            if (deliveredNow) {
              if (lastDeliveryAt !== undefined && !retry)
                expect(now - lastDeliveryAt).toBeGreaterThanOrEqual(groupIntervalInMs);
              lastDeliveryAt = now;
            }
            const settled = settleOutbox({ waiting, parked: claimed.outbox.parked }, outcomes, {
              now: iso,
              runId,
              limit: 1_000,
            });
            outbox = settled.outbox;
            group = settleGroup(group, {
              delivered: deliveredNow,
              waiting: outbox.waiting.length,
              openEpisodes: s.openEpisodes,
              now: iso,
            });
            if (!group) lastDeliveryAt = undefined; // a new group starts with groupWait
          }
          expect(new Set(delivered).size).toBe(delivered.length);
          expect(outbox.waiting).toEqual([]);
          const parked = outbox.parked.map((l) => l.notice.id);
          expect([...delivered, ...parked].sort()).toEqual([...created].sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('groupDue: nothing waiting is never due; a retry is always due', () => {
    fc.assert(
      fc.property(fc.nat(10 * MINUTE), fc.nat(10 * MINUTE), fc.nat(20 * MINUTE), (wait, interval, after) => {
        const opened = new Date(T0).toISOString();
        const now = new Date(T0 + after).toISOString();
        const timing = { groupWaitInMs: wait, groupIntervalInMs: interval };
        expect(groupDue([], { openedAt: opened }, now, timing)).toBe(false);
        const retry = { notice: sampleNotice(), queuedAt: opened, failedRuns: 1 };
        expect(groupDue([retry], { openedAt: opened, flushedAt: now }, now, timing)).toBe(true);
        const fresh = { ...retry, failedRuns: 0 };
        expect(groupDue([fresh], { openedAt: opened }, now, timing)).toBe(after >= wait);
        expect(groupDue([fresh], { openedAt: opened, flushedAt: opened }, now, timing)).toBe(
          after >= interval,
        );
      }),
    );
  });
});
