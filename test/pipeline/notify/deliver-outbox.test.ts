import { resolveWebhookConfig } from '../../../src/adapters/webhooks/resolve-config';
import { createWebhookNotifier, sendBudgetInMs } from '../../../src/adapters/webhooks/webhook-notifier';
import { deliverOutbox } from '../../../src/pipeline/notify/deliver-outbox';
import { CLOCK_SKEW_IN_MS, leaseInMs, LEASE_SLACK_IN_MS } from '../../../src/pipeline/notify/lease';
import { createReceiverBreakers } from '../../../src/pipeline/notify/receiver-breaker';
import type { Clock } from '../../../src/ports';
import { sampleNotice } from '../../adapters/webhooks/support/notices';
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

  const notifier = (name = 'ops', extra: Record<string, unknown> = {}) =>
    createWebhookNotifier(
      resolveWebhookConfig(
        { name, url: receiver.url('/hook'), format: 'json', maxAttempts: 2, timeoutInMs: 500, ...extra },
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

  it('the run’s breaker is shared: a receiver that failed for one gateway is not tried for the next', async () => {
    receiver.setDefault({ hang: true });
    const breakers = createReceiverBreakers();
    const hanging = notifier('ops', { maxAttempts: 1, timeoutInMs: 200 });
    const first = await deliverOutbox(hanging, [notices[0]!], options(breakers));
    const second = await deliverOutbox(hanging, [notices[1]!], options(breakers));
    expect(first.map((r) => r.outcome)).toEqual(['queued']);
    expect(first[0]?.reason).toMatch(/no answer within 200 ms/);
    expect(second.map((r) => r.outcome)).toEqual(['not-tried']);
    expect(receiver.requests).toHaveLength(1);
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
