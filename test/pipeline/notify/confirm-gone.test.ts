import type { GatewayConfigReader } from '../../../src/ports';
import {
  confirmGoneWith,
  goneCheckFor,
  GONE_CHECK_TIMEOUT_IN_MS,
  type GoneAnswer,
} from '../../../src/pipeline/notify/confirm-gone';
import { RunInterruptedError } from '../../../src/errors';
import { GW } from './support/notify-world';

/** A reader whose GET never answers (it only counts the calls, and whether it was told to stop). */
function silentReader() {
  const calls: AbortSignal[] = [];
  const reader: GatewayConfigReader = {
    getGatewayConfig: (_gateway, options) => {
      if (options?.abortSignal) calls.push(options.abortSignal);
      return new Promise(() => undefined);
    },
  };
  return { reader, calls };
}

describe('goneCheckFor: how long ARM is asked whether a gateway is gone', () => {
  afterEach(() => jest.useRealTimers());

  // A trial: with gatewayTimeoutInMs 300 000 (the default), a GET that never answered held the run's
  // report for 5 minutes per gateway.
  it.each([
    [300_000, GONE_CHECK_TIMEOUT_IN_MS],
    [10_000, 10_000],
  ])(
    'with gatewayTimeoutInMs %s, a GET that never answers is given up after %s ms: not gone, saying so',
    async (gatewayTimeoutInMs, boundInMs) => {
      jest.useFakeTimers();
      const { reader, calls } = silentReader();
      const check = goneCheckFor({ configReader: reader }, gatewayTimeoutInMs);
      let answer: GoneAnswer | undefined;
      void check!(GW).then((a) => (answer = a));
      await jest.advanceTimersByTimeAsync(boundInMs - 1);
      expect(answer).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(answer).toEqual({
        gone: false,
        reason: `ARM could not say whether it still exists (no answer within ${boundInMs} ms); it is asked again on the next run`,
      });
      expect(calls.map((signal) => signal.aborted)).toEqual([true]);
    },
  );

  it("the run's stop (its deadline or a signal) ends the wait at once: not gone, with the stop's reason", async () => {
    const { reader, calls } = silentReader();
    const stop = new AbortController();
    const answer = confirmGoneWith(reader, 60_000, stop.signal)(GW);
    stop.abort(new RunInterruptedError({ by: 'deadline', deadlineInMs: 1_000 }));
    await expect(answer).resolves.toEqual({
      gone: false,
      reason: expect.stringMatching(/^ARM could not say whether it still exists \(.*runDeadlineInMs/),
    });
    expect(calls[0]?.aborted).toBe(true);
  });

  it('a stop already given asks ARM nothing', async () => {
    const { reader, calls } = silentReader();
    const stop = new AbortController();
    stop.abort(new RunInterruptedError({ by: 'signal', signal: 'SIGTERM' }));
    await expect(confirmGoneWith(reader, 60_000, stop.signal)(GW)).resolves.toMatchObject({ gone: false });
    expect(calls).toEqual([]);
  });

  it('without a configuration reader there is no check: the listing’s word stands', () => {
    expect(goneCheckFor({}, 60_000)).toBeUndefined();
  });
});

describe("confirmGoneWith: ARM's answer to the gateway's GET", () => {
  const answering = (
    reading: Awaited<ReturnType<GatewayConfigReader['getGatewayConfig']>>,
  ): GatewayConfigReader => ({ getGatewayConfig: () => Promise.resolve(reading) });

  it.each<[string, boolean, string | undefined]>([
    ['ResourceNotFound (the gateway)', true, 'ResourceNotFound'],
    ['ResourceGroupNotFound (its resource group)', true, 'ResourceGroupNotFound'],
    // A break trial: a host that is not ARM (a wrong arm.endpoint) answered 404 to everything.
    ["without a code (not ARM's error body)", false, undefined],
    ['InvalidResourceType (not the resource)', false, 'InvalidResourceType'],
    // A credential signed in to another tenant, or a subscription just moved, reads so too.
    ['SubscriptionNotFound (its subscription)', false, 'SubscriptionNotFound'],
  ])('a 404 %s: gone is %s', async (_, gone, armCode) => {
    const reader = answering({
      ok: false,
      notFound: true,
      kind: 'not-found',
      detail: `ARM answered 404${armCode ? ` ${armCode}` : ''}`,
      ...(armCode ? { armCode } : {}),
    });
    const answer = await confirmGoneWith(reader, 1_000)(GW);
    expect(answer.gone).toBe(gone);
    if (!answer.gone)
      expect(answer.reason).toMatch(
        armCode === 'SubscriptionNotFound'
          ? /^ARM does not know its subscription \(404 SubscriptionNotFound\): .*tenant/
          : /^ARM answered 404.*, not ARM's ResourceNotFound or ResourceGroupNotFound: check that arm\.endpoint \(APPGW_ARM_ENDPOINT\) is Azure Resource Manager/,
      );
  });
});
