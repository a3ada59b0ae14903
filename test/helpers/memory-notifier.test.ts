import { sampleNotice } from '../adapters/webhooks/support/notices';
import { rejection } from './failures';
import { createMemoryNotifier } from './memory-notifier';

const drain = () => new Promise((resolve) => setImmediate(resolve));
const notice = (id: string) => sampleNotice({ id });

describe('memory notifier: the receiver fake’s own promises', () => {
  it('accepts by default, records every call and every accepted notice in order', async () => {
    const ops = createMemoryNotifier();
    expect([ops.name, ops.sendBudgetInMs]).toEqual(['webhook[ops]', 1000]);
    await expect(ops.send(notice('a'))).resolves.toMatchObject({ ok: true, attempts: [{ attempt: 1 }] });
    await ops.send(notice('b'));
    expect(ops.acceptedIds()).toEqual(['a', 'b']);
    expect(ops.calls.map((c) => [c.notice.id, c.answer])).toEqual([
      ['a', 'accept'],
      ['b', 'accept'],
    ]);
  });

  it.each([
    [{ fail: 'retryable' } as const, true, 503, 'Delivery to webhook[ops] failed: HTTP 503.'],
    [{ fail: 'permanent' } as const, false, 400, 'Delivery to webhook[ops] failed: HTTP 400.'],
    [
      { fail: 'permanent', status: 410, message: 'HTTP 410 Gone' } as const,
      false,
      410,
      'Delivery to webhook[ops] failed: HTTP 410 Gone.',
    ],
  ])(
    'answers %o as a failed SendResult (retryable %s), never a throw',
    async (answer, retryable, status, message) => {
      const ops = createMemoryNotifier({ answer });
      const result = await ops.send(notice('a'));
      expect(result).toEqual({
        ok: false,
        attempts: [{ attempt: 1, status, error: message, durationInMs: 1 }],
        error: { code: 'DeliveryFailed', message, retryable },
      });
      expect(ops.accepted).toEqual([]);
    },
  );

  it('scripted answers come first, in order; then the default; a function answers per call', async () => {
    const ops = createMemoryNotifier({
      answer: (_n, call) => (call % 2 === 0 ? 'accept' : { fail: 'permanent' }),
    });
    ops.script({ fail: 'retryable' });
    const outcomes = [];
    for (const id of ['a', 'b', 'c']) outcomes.push((await ops.send(notice(id))).ok);
    expect(outcomes).toEqual([false, false, true]); // scripted; call 1 (odd); call 2 (even)
    ops.answerWith('accept');
    expect((await ops.send(notice('d'))).ok).toBe(true);
  });

  it('a hanging call answers when released, or as a time-out when its abort signal fires', async () => {
    const ops = createMemoryNotifier({ answer: 'hang' });
    let settled = false;
    const first = ops.send(notice('a')).finally(() => (settled = true));
    await drain();
    expect(settled).toBe(false);
    ops.releaseHanging('accept');
    await expect(first).resolves.toMatchObject({ ok: true });
    const controller = new AbortController();
    const second = ops.send(notice('b'), { abortSignal: controller.signal });
    await drain();
    controller.abort();
    await expect(second).resolves.toMatchObject({ ok: false, error: { retryable: true } });
    expect(ops.calls[1]?.options?.abortSignal).toBe(controller.signal);
  });

  it('runs `during` inside each send, before it answers; can be scripted to break the port’s promise', async () => {
    const seen: string[] = [];
    const ops = createMemoryNotifier({ during: (n) => void seen.push(n.id) });
    ops.script({ throws: new Error('boom') });
    expect(await rejection(ops.send(notice('a')))).toEqual(new Error('boom'));
    expect(seen).toEqual(['a']);
  });
});
