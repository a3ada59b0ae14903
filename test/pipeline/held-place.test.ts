import { keptAtMost } from '../../src/pipeline/held-place';
import { PLACE_KEPT_THROUGH_A_WAIT_IN_MS } from '../../src/core/place-kept';
import type { AnswerPlace } from '../../src/ports';
import { deferred, gatewayNamed, memoryRun } from '../helpers/memory';
import { runChecks, RUN_RENDERING_GATEWAYS } from '../../src/pipeline/run-checks';

function place() {
  const events: string[] = [];
  const p: AnswerPlace = {
    take: async () => void events.push('take'),
    giveBack: () => void events.push('give back'),
  };
  return { p, events };
}

describe('keptAtMost: a place kept through a wait a while only', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a wait shorter than PLACE_KEPT_THROUGH_A_WAIT_IN_MS keeps the place: nothing given back or taken', async () => {
    const { p, events } = place();
    const wait = deferred<string>();
    const kept = keptAtMost(p, wait.promise, () => p.take());
    await jest.advanceTimersByTimeAsync(PLACE_KEPT_THROUGH_A_WAIT_IN_MS - 1);
    wait.resolve('answer');
    await expect(kept).resolves.toBe('answer');
    expect(events).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a longer one gives it back then, and takes it again before its result (or its error) comes back', async () => {
    const { p, events } = place();
    const wait = deferred<string>();
    const kept = keptAtMost(p, wait.promise, () => p.take());
    await jest.advanceTimersByTimeAsync(PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
    expect(events).toEqual(['give back']);
    wait.reject(new Error('no answer'));
    await expect(kept).rejects.toThrow('no answer');
    expect(events).toEqual(['give back', 'take']);
  });

  it('a retake that throws (the run stopped) wins over the result', async () => {
    const { p } = place();
    const wait = deferred<string>();
    const stopped = new Error('stopped');
    const kept = keptAtMost(p, wait.promise, () => Promise.reject(stopped));
    await jest.advanceTimersByTimeAsync(PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
    wait.resolve('answer');
    await expect(kept).rejects.toBe(stopped);
  });

  it('without a place, the wait as it is', async () => {
    await expect(keptAtMost(undefined, Promise.resolve(1), () => Promise.resolve())).resolves.toBe(1);
  });
});

describe('a direct run: notify’s sends keep the gateway’s render place', () => {
  it('behind a receiver that hangs, no more than RUN_RENDERING_GATEWAYS gateways hold rendered insights: the rest wait unrendered', async () => {
    const bad = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
    const good = {
      address: '10.0.0.5',
      health: 'Healthy',
      healthProbeLog: 'Success. Received 200 status code',
    };
    const sick = Array.from({ length: RUN_RENDERING_GATEWAYS }, (_, i) => gatewayNamed(`sick-${i}`));
    const well = Array.from({ length: 10 }, (_, i) => gatewayNamed(`well-${i}`));
    const r = memoryRun({
      gateways: [
        ...sick.map((ref) => ({ ref, servers: [bad] })),
        ...well.map((ref) => ({ ref, servers: [good] })),
      ],
      withNotify: true,
      options: { concurrency: sick.length + well.length },
    });
    const receiver = r.notify!.notifiers[0]!;
    let release: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const send = receiver.send.bind(receiver);
    let sends = 0;
    receiver.send = async (notice, options) => {
      sends += 1;
      await hung;
      return send(notice, options);
    };
    const outcome = runChecks(r.deps, r.options);
    // Past PLACE_KEPT_THROUGH_A_WAIT_IN_MS: the sick gateways still hold every place, so the well ones
    // are not rendered or delivered (given back, each sick one would wait with its insights, unbounded).
    await new Promise((resolve) => setTimeout(resolve, PLACE_KEPT_THROUGH_A_WAIT_IN_MS + 500));
    expect(sends).toBeGreaterThan(0);
    const delivered = () =>
      r.sinks[0]!.deliveries.filter((d) => d.scope === 'gateway').map(
        (d) => d.report.gateways[0]?.name ?? '',
      );
    expect(delivered().filter((name) => name.startsWith('well-'))).toEqual([]);
    release();
    const { report } = await outcome;
    expect(report.summary).toMatchObject({ gateways: sick.length + well.length, failedGateways: 0 });
  }, 15_000);
});
