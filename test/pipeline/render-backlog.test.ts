import { renderBacklog } from '../../src/pipeline/render-backlog';
import { runChecks, RUN_RENDERING_GATEWAYS } from '../../src/pipeline/run-checks';
import { gatewayNamed, holdingSink, memoryRun, memorySubscriptionPacer } from '../helpers/memory';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('renderBacklog', () => {
  it('is ready while at most `most` wait; a waiter is let go as one leaves, or when its signal fires', async () => {
    const backlog = renderBacklog(2);
    backlog.entered();
    backlog.entered();
    await expect(backlog.ready()).resolves.toBeUndefined();
    backlog.entered();
    let ready = false;
    const waiting = backlog.ready().then(() => (ready = true));
    await settle();
    expect(ready).toBe(false);
    backlog.left();
    await waiting;
    expect(backlog.waiting()).toBe(2);
    backlog.entered();
    const stop = new AbortController();
    const cut = backlog.ready({ abortSignal: stop.signal });
    stop.abort();
    await expect(cut).resolves.toBeUndefined();
  });
});

describe('runChecks with "auto": no new gateway while the run cannot render those it has', () => {
  it('gateways waiting to render past RUN_RENDERING_GATEWAYS hold admission; none is lost', async () => {
    const count = 400;
    const refs = Array.from({ length: count }, (_, i) => gatewayNamed(`gw-${i}`));
    const r = memoryRun({ gateways: refs.map((ref) => ({ ref, servers: [] })) });
    const holding = holdingSink();
    const outcome = runChecks(
      { ...r.deps, sinks: [holding], pacer: memorySubscriptionPacer() },
      { ...r.options, concurrency: 'auto' },
    );
    for (let i = 0; i < 20; i++) await settle();
    // 64 rendering (held by the sink), about as many waiting; without the backlog's gate, all 400 read.
    const read = r.reader.calls.length;
    expect(read).toBeGreaterThanOrEqual(2 * RUN_RENDERING_GATEWAYS);
    expect(read).toBeLessThanOrEqual(3 * RUN_RENDERING_GATEWAYS);
    holding.release();
    const { report } = await outcome;
    expect(report.summary).toMatchObject({ gateways: count, failedGateways: 0 });
  });
});
