import { resolveWebhookConfig } from '../../../src/adapters/webhooks/resolve-config';
import { createWebhookNotifier, sendBudgetInMs } from '../../../src/adapters/webhooks/webhook-notifier';
import type { SendOutcome } from '../../../src/core/notice/outbox';
import {
  breakerVerdict,
  deliverGrouped,
  deliverOutbox,
  recordOutcome,
  sendOutcome,
  type DeliveryRecord,
} from '../../../src/pipeline/notify/deliver-outbox';
import { serverOf } from '../../../src/pipeline/notify/notice-entries';
import { CLOCK_SKEW_IN_MS, leaseInMs, LEASE_SLACK_IN_MS } from '../../../src/pipeline/notify/lease';
import { createReceiverBreakers, type SendVerdict } from '../../../src/pipeline/notify/receiver-breaker';
import type { Clock, SendResult } from '../../../src/ports';
import { sampleNotice } from '../../adapters/webhooks/support/notices';
import { createMemoryNotifier } from '../../helpers/memory-notifier';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const notices = ['a', 'b', 'c'].map((id) => sampleNotice({ id: `appgw-${id}` }));

/** A clock that reads the given times in turn, then stays at the last. */
function clockReading(...times: number[]): Clock {
  let i = 0;
  return { now: () => new Date(times[Math.min(i++, times.length - 1)] ?? T0) };
}

describe('deliverOutbox: one receiver’s leased notices, in order', () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(() => receiver.close());

  // A send time-out a busy machine cannot reach (the leases are on fake clocks, whatever the budget): at
  // 500 ms a CI run's first try timed out on arrival, and its retry made a second request.
  const notifier = (name = 'ops', extra: Record<string, unknown> = {}) =>
    createWebhookNotifier(
      resolveWebhookConfig(
        { name, url: receiver.url('/hook'), format: 'json', maxAttempts: 2, timeoutInMs: 30_000, ...extra },
        {},
      ),
      { sleep: async () => {} },
    );
  const options = (breakers = createReceiverBreakers(), clock = clockReading(T0)) => ({
    breaker: breakers.forRun('run-1'),
    clock,
    leaseUntilInMs: T0 + leaseInMs(notifier().sendBudgetInMs),
  });

  it('a permanent refusal (400) parks that notice and the next ones are still sent', async () => {
    receiver.script({ status: 400, body: 'schema violation' });
    const records = await deliverOutbox(notifier(), notices, options());
    expect(records.map((r) => r.outcome)).toEqual(['parked', 'delivered', 'delivered']);
    expect(records[0]?.reason).toMatch(
      /^Delivery to webhook\[ops\] failed: HTTP 400 Bad Request: schema violation/,
    );
    expect(receiver.requests).toHaveLength(3);
  });

  it('a retryable failure (503 after its retries) keeps it queued; the rest are not tried this run', async () => {
    receiver.setDefault({ status: 503 });
    const records = await deliverOutbox(notifier(), notices, options());
    expect(records.map((r) => r.outcome)).toEqual(['queued', 'not-tried', 'not-tried']);
    expect(records[1]?.reason).toMatch(/^not tried: webhook\[ops\] failed earlier in this run \(.*HTTP 503/);
    expect(receiver.requests).toHaveLength(2); // the first notice's two attempts, nothing more
  });

  it('the run stopped during a send: that try is answered, no retry and no further send; each waits for the next run', async () => {
    const stop = new AbortController();
    // The first try hangs until the stop, then the receiver answers 503 (a try under way goes on).
    receiver.script({ status: 503, delayMs: 200 });
    const sending = deliverOutbox(notifier('ops', { maxAttempts: 5 }), notices, {
      ...options(),
      stop: stop.signal,
    });
    while (receiver.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    const records = await sending;
    expect(receiver.requests).toHaveLength(1);
    expect(records.map((r) => r.outcome)).toEqual(['queued', 'not-tried', 'not-tried']);
    expect(records[0]?.reason).toMatch(/HTTP 503 Service Unavailable; not tried again: the run was stopped/);
    // Said as the stop, never as the receiver failing (the breaker learnt that from the cut send).
    expect(records.slice(1).map((r) => r.reason)).toEqual([
      'not tried: the run was stopped; the next run sends it',
      'not tried: the run was stopped; the next run sends it',
    ]);
  });

  it('the run stopped while a send is answered: it is delivered; the notices after it are not sent, and wait', async () => {
    const stop = new AbortController();
    receiver.script({ status: 200, delayMs: 200 });
    const sending = deliverOutbox(notifier(), notices, { ...options(), stop: stop.signal });
    while (receiver.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    const records = await sending;
    expect(records.map((r) => [r.outcome, r.reason])).toEqual([
      ['delivered', undefined],
      ['not-tried', 'not tried: the run was stopped; the next run sends it'],
      ['not-tried', 'not tried: the run was stopped; the next run sends it'],
    ]);
    expect(receiver.requests).toHaveLength(1);
  });

  it.each([
    ['teams', 1],
    ['slack', 1],
    ['json', 6],
    ['cloudevents', 6],
  ])(
    '300 notices of one gateway to a %s receiver in gateway grouping: %i message(s), every notice delivered',
    async (format, posts) => {
      const many = Array.from({ length: 300 }, (_, i) =>
        sampleNotice({
          id: `appgw-${String(i).padStart(16, '0')}`,
          server: { address: `10.9.${i >> 8}.${i & 255}`, health: 'Unhealthy', probeLog: 'x' },
        }),
      );
      const records = await deliverGrouped(notifier('ops', { format }), many, options());
      expect(receiver.requests).toHaveLength(posts);
      expect(records.filter((r) => r.outcome === 'delivered')).toHaveLength(300);
    },
  );

  it('the run’s breaker is shared: a receiver that failed for one gateway is not tried for the next', async () => {
    receiver.setDefault({ hang: true });
    const breakers = createReceiverBreakers();
    const hanging = notifier('ops', { maxAttempts: 1, timeoutInMs: 200 });
    const first = await deliverOutbox(hanging, [notices[0]!], options(breakers));
    // On a busy machine the 200 ms can run out before the request reaches the receiver (a CI run saw
    // none): what counts is that the second gateway's send adds none.
    const afterFirst = receiver.requests.length;
    const second = await deliverOutbox(hanging, [notices[1]!], options(breakers));
    expect(first.map((r) => r.outcome)).toEqual(['queued']);
    expect(first[0]?.reason).toMatch(/no answer within 200 ms/);
    expect(second.map((r) => r.outcome)).toEqual(['not-tried']);
    expect(afterFirst).toBeLessThanOrEqual(1);
    expect(receiver.requests).toHaveLength(afterFirst);
    // Another receiver, and another run, are not affected.
    expect(breakers.forRun('run-1').openReason('webhook[pager]')).toBeUndefined();
    expect(breakers.forRun('run-2').openReason('webhook[ops]')).toBeUndefined();
  });

  it('a send that could outlive the run’s lease is not started: it waits for the next run', async () => {
    const ops = notifier();
    const until = T0 + leaseInMs(ops.sendBudgetInMs);
    // The first check is at the claim; by the second, the time left is less than one send budget.
    const clock = clockReading(T0, until - ops.sendBudgetInMs - CLOCK_SKEW_IN_MS + 1);
    const records = await deliverOutbox(ops, notices.slice(0, 2), {
      ...options(),
      clock,
      leaseUntilInMs: until,
    });
    expect(records.map((r) => r.outcome)).toEqual(['delivered', 'not-tried']);
    expect(records[1]?.reason).toMatch(/lease on it would end before a send could finish/);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('the lease is derived from the send budget, not fixed', () => {
  it.each([
    [{ timeoutInMs: 10_000, maxAttempts: 5 }, 58_500], // 5 × 10 s + 0.5 + 1 + 2 + 4 s of back-off + 1 s
    [{ timeoutInMs: 2_000, maxAttempts: 3 }, 8_500],
    [{ timeoutInMs: 120_000, maxAttempts: 10 }, 60_000], // capped by the total budget
    [{ timeoutInMs: 300, maxAttempts: 1 }, 1_300],
  ])('%o: one send takes at most %i ms; the lease is two of those plus slack', (config, budget) => {
    expect(sendBudgetInMs(config)).toBe(budget);
    expect(leaseInMs(budget)).toBe(2 * budget + LEASE_SLACK_IN_MS);
    expect(leaseInMs(sendBudgetInMs({ timeoutInMs: 10_000, maxAttempts: 5 }))).toBeLessThan(3 * 60_000);
  });
});

describe('deliverOutbox on the receiver fake', () => {
  const leaseUntilInMs = T0 + leaseInMs(1_000);
  const optionsFor = (breakers = createReceiverBreakers()) => ({
    breaker: breakers.forRun('run-1'),
    clock: clockReading(T0),
    leaseUntilInMs,
  });

  it('nothing leased: nothing sent', async () => {
    const ops = createMemoryNotifier();
    expect(await deliverOutbox(ops, [], optionsFor())).toEqual([]);
    expect(ops.calls).toEqual([]);
  });

  it('sends in the order given; each record names the receiver, the notice and the server', async () => {
    const ops = createMemoryNotifier();
    const records = await deliverOutbox(ops, notices, optionsFor());
    expect(ops.calls.map((c) => c.notice.id)).toEqual(['appgw-a', 'appgw-b', 'appgw-c']);
    expect(records[0]).toEqual({
      receiver: 'webhook[ops]',
      noticeId: 'appgw-a',
      type: 'degraded',
      severity: 'critical',
      server: 'agw-prod/pool-api/settings-https/10.0.1.4',
      outcome: 'delivered',
      result: { ok: true, attempts: [expect.objectContaining({ attempt: 1, status: 202 })] },
    });
  });

  it('one receiver failing never stops another sharing the run’s breaker', async () => {
    const breakers = createReceiverBreakers();
    const ops = createMemoryNotifier({ name: 'webhook[ops]', answer: { fail: 'retryable' } });
    const pager = createMemoryNotifier({ name: 'webhook[pager]' });
    const [down, up] = await Promise.all([
      deliverOutbox(ops, notices, optionsFor(breakers)),
      deliverOutbox(pager, notices, optionsFor(breakers)),
    ]);
    expect(down.map((r) => r.outcome)).toEqual(['queued', 'not-tried', 'not-tried']);
    expect(up.map((r) => r.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('passes the run’s abort signal to each send', async () => {
    const ops = createMemoryNotifier();
    const controller = new AbortController();
    await deliverOutbox(ops, notices.slice(0, 1), { ...optionsFor(), abortSignal: controller.signal });
    expect(ops.calls[0]?.options?.abortSignal).toBe(controller.signal);
  });

  it('a notifier that breaks its promise and throws: the error surfaces, and the gate passes to the next send', async () => {
    const breakers = createReceiverBreakers();
    const ops = createMemoryNotifier();
    ops.script({ throws: new Error('a bug in a payload builder') });
    await expect(deliverOutbox(ops, notices.slice(0, 1), optionsFor(breakers))).rejects.toThrow(
      'a bug in a payload builder',
    );
    // Nothing was learnt about the receiver: the next send is let through to find out.
    const next = await deliverOutbox(ops, notices.slice(1, 2), optionsFor(breakers));
    expect(next.map((r) => r.outcome)).toEqual(['delivered']);
  });
});

describe('a send’s result as the outbox rule and the breaker read it', () => {
  const failed = (retryable?: boolean, message = 'HTTP 503'): SendResult => ({
    ok: false,
    attempts: [],
    ...(retryable === undefined ? {} : { error: { code: 'DeliveryFailed', message, retryable } }),
  });
  it.each<[string, SendResult, SendOutcome, SendVerdict]>([
    ['accepted', { ok: true, attempts: [] }, { kind: 'delivered' }, { kind: 'answered' }],
    [
      'failed retryably',
      failed(true),
      { kind: 'failed', retryable: true, reason: 'HTTP 503' },
      { kind: 'failed', reason: 'HTTP 503' },
    ],
    [
      'refused for good: the receiver answered',
      failed(false, 'HTTP 400'),
      { kind: 'failed', retryable: false, reason: 'HTTP 400' },
      { kind: 'answered' },
    ],
    [
      'failed without saying why: retryable, "refused"',
      failed(undefined),
      { kind: 'failed', retryable: true, reason: 'refused' },
      { kind: 'failed', reason: 'refused' },
    ],
    // A break trial: a Slack webhook (one a second) refused one send five times with 429, Retry-After
    // 1 s; that opened the breaker, and 20 notices of the run were not tried.
    [
      'refused with 429 on every try, Retry-After 1 s: up, only asking for fewer at once',
      {
        ...failed(true, 'HTTP 429'),
        attempts: [1, 2, 3].map((attempt) => ({
          attempt,
          status: 429,
          durationInMs: 1,
          retryAfterInMs: 1_000,
        })),
      },
      { kind: 'failed', retryable: true, reason: 'HTTP 429' },
      { kind: 'answered', throttledForInMs: 1_000, refusedByRateLimit: 'HTTP 429' },
    ],
    [
      'refused with 429 asking 30 s: the run cannot wait that per notice, the breaker opens',
      {
        ...failed(true, 'HTTP 429'),
        attempts: [{ attempt: 1, status: 429, durationInMs: 1, retryAfterInMs: 30_000 }],
      },
      { kind: 'failed', retryable: true, reason: 'HTTP 429' },
      { kind: 'failed', reason: 'HTTP 429' },
    ],
    [
      'a 429, then a 503: failed',
      {
        ...failed(true),
        attempts: [
          { attempt: 1, status: 429, durationInMs: 1, retryAfterInMs: 1_000 },
          { attempt: 2, status: 503, durationInMs: 1 },
        ],
      },
      { kind: 'failed', retryable: true, reason: 'HTTP 503' },
      { kind: 'failed', reason: 'HTTP 503' },
    ],
    // A break trial: the other sends waited a second Retry-After after this one had waited it out.
    [
      'accepted after a 429: up, throttled, no pause left (its retry waited the Retry-After out)',
      {
        ok: true,
        attempts: [
          { attempt: 1, status: 429, durationInMs: 1 },
          { attempt: 2, status: 200, durationInMs: 1 },
        ],
      },
      { kind: 'delivered' },
      { kind: 'answered', throttledForInMs: 0 },
    ],
  ])('%s', (_label, result, outcome, verdict) => {
    expect(sendOutcome(result)).toEqual(outcome);
    expect(breakerVerdict(result)).toEqual(verdict);
  });

  it.each<[string, Partial<DeliveryRecord>, SendOutcome]>([
    ['not tried', { outcome: 'not-tried' }, { kind: 'not-tried' }],
    ['delivered', { outcome: 'delivered', result: { ok: true, attempts: [] } }, { kind: 'delivered' }],
    ['a record without a result', { outcome: 'queued' }, { kind: 'not-tried' }],
  ])('a record %s', (_label, record, outcome) => {
    expect(
      recordOutcome({
        receiver: 'webhook[ops]',
        noticeId: 'a',
        type: 'degraded',
        server: 's',
        outcome: 'queued',
        ...record,
      }),
    ).toEqual(outcome);
  });

  it('names a server gateway/pool/settings/address', () => {
    expect(serverOf(sampleNotice())).toBe('agw-prod/pool-api/settings-https/10.0.1.4');
  });
});
