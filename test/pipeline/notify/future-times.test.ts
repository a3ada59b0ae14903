import type { ServerRecord } from '../../../src/core/notice/server-record';
import type { QueuedNotice } from '../../../src/core/notice/outbox';
import { MAX_LEASE_AHEAD_IN_MS, withPastTimes } from '../../../src/pipeline/notify/future-times';
import { EMPTY_STATE, type NotifyStateDocument } from '../../../src/pipeline/notify/state-document';
import { notifyWorld, observe, told, GW, HOUR, MINUTE, T0, type Servers } from './support/notify-world';
import { createMemoryNotifier } from '../../helpers/memory-notifier';

const NOW = new Date(T0);
const DAY = 24 * HOUR;
const ahead = (ms: number) => new Date(T0 + ms).toISOString();

/** A told episode's record, its times at `at`. */
async function toldRecord(): Promise<{ doc: NotifyStateDocument; key: string; record: ServerRecord }> {
  const world = notifyWorld({ notifiers: [createMemoryNotifier({ name: 'webhook[ops]' })] });
  await world.run('r1', observe(T0 - HOUR, GW, { bad: ['10.0.0.4'] }));
  const doc = world.document() as NotifyStateDocument;
  const [key, record] = Object.entries(doc.servers)[0] as [string, ServerRecord];
  return { doc, key, record };
}

describe('withPastTimes: times no run could have written yet are taken as now', () => {
  it('a document with no time ahead is given back as it is', async () => {
    const { doc } = await toldRecord();
    expect(withPastTimes(doc, NOW)).toEqual({ document: doc, taken: 0 });
    expect(withPastTimes(EMPTY_STATE, NOW).taken).toBe(0);
  });

  it.each<[string, (r: ServerRecord) => ServerRecord, (r: ServerRecord) => unknown, unknown]>([
    [
      'told 30 days ahead (its reminders would wait for it)',
      (r) => ({ ...r, notified: { ...r.notified!, at: ahead(30 * DAY) } }),
      (r) => r.notified?.at,
      NOW.toISOString(),
    ],
    // A break trial: a run whose own clock was a day behind rewrote every episode's start a day back.
    [
      'bad since 30 days ahead: history, kept as written (this run’s clock may be the one behind)',
      (r) => ({ ...r, degradedSince: ahead(30 * DAY) }),
      (r) => r.degradedSince,
      ahead(30 * DAY),
    ],
    [
      'a confirmed fix 30 days ahead (no episode would open until then): its 90 s hold counts from now',
      (r) => ({ ...r, badRuns: 0, confirmed: { at: ahead(30 * DAY), until: ahead(30 * DAY + 90_000) } }),
      (r) => r.confirmed,
      { at: NOW.toISOString(), until: ahead(90_000) },
    ],
    [
      'within the clocks’ allowed skew (a few seconds): kept',
      (r) => ({ ...r, degradedSince: ahead(3_000) }),
      (r) => r.degradedSince,
      ahead(3_000),
    ],
  ])('a server record %s', async (_, edit, pick, expected) => {
    const { doc, key, record } = await toldRecord();
    const past = withPastTimes({ ...doc, servers: { [key]: edit(record) } }, NOW);
    expect(pick(past.document.servers[key] as ServerRecord)).toEqual(expected);
  });

  it.each<[string, Partial<QueuedNotice>, Partial<QueuedNotice> | 'no lease']>([
    ['queued 30 days ahead', { queuedAt: ahead(30 * DAY) }, { queuedAt: NOW.toISOString() }],
    [
      'leased 30 days ahead (held by "another run" till then)',
      { lease: { runId: 'r0~abc', until: ahead(30 * DAY) } },
      'no lease',
    ],
    [
      'leased as a run leases (minutes)',
      { lease: { runId: 'r0~abc', until: ahead(2 * MINUTE) } },
      { lease: { runId: 'r0~abc', until: ahead(2 * MINUTE) } },
    ],
    [
      'leased just within the longest lease',
      { lease: { runId: 'r0~abc', until: ahead(MAX_LEASE_AHEAD_IN_MS) } },
      { lease: { runId: 'r0~abc', until: ahead(MAX_LEASE_AHEAD_IN_MS) } },
    ],
  ])('a waiting notice %s', async (_, edit, expected) => {
    const { doc } = await toldRecord();
    const notice = { id: 'appgw-1' } as QueuedNotice['notice'];
    const waiting: QueuedNotice = { notice, queuedAt: NOW.toISOString(), failedRuns: 0, ...edit };
    const past = withPastTimes({ ...doc, outbox: { 'webhook[ops]': [waiting] } }, NOW);
    const [after] = past.document.outbox['webhook[ops]'] ?? [];
    if (expected === 'no lease') expect(after?.lease).toBeUndefined();
    else expect(after).toMatchObject(expected);
  });

  it('a group started and sent 30 days ahead: both taken as now, counted, the latest said', () => {
    const past = withPastTimes(
      { ...EMPTY_STATE, groups: { 'webhook[ops]': { openedAt: ahead(DAY), flushedAt: ahead(30 * DAY) } } },
      NOW,
    );
    expect(past.document.groups).toEqual({
      'webhook[ops]': { openedAt: NOW.toISOString(), flushedAt: NOW.toISOString() },
    });
    expect([past.taken, past.latest]).toEqual([2, ahead(30 * DAY)]);
  });
});

describe('withPastTimes: the newest counted reading’s time', () => {
  it('a newest reading dated ahead (a clock days fast) is taken as now, as it would leave every reading until then uncounted; one in the past stays', () => {
    const past = withPastTimes({ ...EMPTY_STATE, newestReadingAt: ahead(30 * DAY) }, NOW);
    expect(past.document.newestReadingAt).toBe(NOW.toISOString());
    expect(past.taken).toBe(1);
    const doc = { ...EMPTY_STATE, newestReadingAt: ahead(-MINUTE) };
    expect(withPastTimes(doc, NOW)).toEqual({ document: doc, taken: 0 });
  });
});

// A break trial: the clock stepped back an hour (NTP, a VM restored); the first run after it read a
// server bad and sent nothing ("older than the one counted"), as its reading began before the "now" the
// newest counted reading, dated ahead, was taken back to. A `recovered` came a run late the same way.
describe('withPastTimes: a newest reading dated ahead is taken back to when this reading began', () => {
  it('to readAt, so the reading that found the clock stepped back counts', () => {
    const readAt = new Date(NOW.getTime() - 30_000);
    const past = withPastTimes({ ...EMPTY_STATE, newestReadingAt: ahead(60 * MINUTE) }, NOW, readAt);
    expect(past.document.newestReadingAt).toBe(readAt.toISOString());
    // Never later than now (a reading dated ahead of the decision is no reading of this run).
    const later = withPastTimes(
      { ...EMPTY_STATE, newestReadingAt: ahead(60 * MINUTE) },
      NOW,
      new Date(NOW.getTime() + MINUTE),
    );
    expect(later.document.newestReadingAt).toBe(NOW.toISOString());
  });

  it.each<[string, Servers, Servers, string[][]]>([
    [
      'healthy, then bad: its degraded goes at once',
      { healthy: ['10.0.0.4'] },
      { bad: ['10.0.0.4'] },
      [['degraded', '10.0.0.4']],
    ],
    [
      'bad, then healthy: its recovered goes at once',
      { bad: ['10.0.0.4'] },
      { healthy: ['10.0.0.4'] },
      [['recovered', '10.0.0.4']],
    ],
  ])('end to end, the clock an hour back between two runs, %s', async (_, before, after, sent) => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]' });
    const world = notifyWorld({ notifiers: [ops], policy: { for: 1, repeatIntervalInMs: 4 * HOUR } });
    const ahead = T0 + 60 * MINUTE;
    world.clock.set(ahead);
    await world.run('run-fast', { ...observe(ahead, GW, before), readAt: new Date(ahead - 20_000) });
    const firstSent = ops.accepted.length;
    // The clock right again, an hour back: this run's reading began 20 s before its decision.
    world.clock.set(T0 + 5 * MINUTE);
    const outcome = await world.run('run-right', {
      ...observe(T0 + 5 * MINUTE, GW, after),
      readAt: new Date(T0 + 5 * MINUTE - 20_000),
    });
    expect(outcome.olderReadings ?? []).toEqual([]);
    expect(told(ops.accepted.slice(firstSent))).toEqual(sent);
  });
});
