import { gatewayKey } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';
import type { RunReport } from '../../../src/core/run-report';
import { addReading, type HistoryDocument } from '../../../src/core/status/history';
import type { PageSchedule } from '../../../src/core/status/page-schedule';
import { StateConflictError } from '../../../src/errors';
import { makeDiscoveryPage, refreshStatusPage } from '../../../src/pipeline/status/fan-out-page';
import type { StatusServices } from '../../../src/pipeline/status/status-services';
import type { StateStore } from '../../../src/ports';
import {
  failingSink,
  fakeClock,
  gatewayNamed,
  memoryLogger,
  memorySink,
  memoryStateForRuns,
  type MemoryStateForRuns,
} from '../../helpers/memory';

const T0 = Date.parse('2026-11-30T06:00:00.000Z');
const MINUTE = 60_000;
const WEEK = 7 * 86_400_000;
const gwA = gatewayNamed('gw-a', 'rg-web');
const gwB = gatewayNamed('gw-b', 'rg-web');
const SCHEDULE = 'status-page';
const STALE = '<span class="stale-tag">';

function world() {
  const history = memoryStateForRuns<HistoryDocument>('memory history');
  const schedules = memoryStateForRuns<PageSchedule>('memory schedule');
  const logger = memoryLogger();
  const status: StatusServices = {
    history,
    schedule: schedules.forKey(SCHEDULE),
    retentionInMs: WEEK,
    logger,
  };
  const clock = fakeClock(T0);
  const sink = memorySink('web');
  return { history, schedules, status, clock, sink, logger };
}
type World = ReturnType<typeof world>;

/** A gateway read (healthy, one server) at each of `minutes` after T0. */
async function store(history: MemoryStateForRuns<HistoryDocument>, gateway: GatewayRef, minutes: number[]) {
  const doc = minutes.reduce<HistoryDocument | undefined>(
    (d, m) =>
      addReading(
        d,
        gateway,
        {
          at: new Date(T0 + m * MINUTE),
          ok: true,
          servers: [
            {
              key: `${gateway.id}|pool|settings|10.0.0.4`,
              backendPool: 'pool',
              backendSettings: 'settings',
              address: '10.0.0.4',
              health: 'Healthy',
              state: 'healthy',
              cause: null,
            },
          ],
        },
        WEEK,
      ),
    undefined,
  );
  const stored = history.forKey(gatewayKey(gateway.id));
  await stored.write(doc as HistoryDocument, (await stored.read())?.etag);
}
const schedule = async (w: World) => (await w.status.schedule?.read())?.value;
const report = { runId: 'run-x' } as RunReport;
const refresh = (w: World, sinks = [w.sink]) =>
  refreshStatusPage({ status: w.status, sinks, clock: w.clock, logger: w.logger }, report, new Map());
const section = (html: string, name: string) =>
  html.slice(html.indexOf(`<h2>${name} `)).split('<h2>')[1] ?? '';

describe('the fan-out timer: a page of every history at each discovery', () => {
  it('records the discovery and judges staleness by the one before it', async () => {
    const w = world();
    await makeDiscoveryPage(w.status, w.clock, new Date(T0)); // run 1
    await store(w.history, gwA, [0]); // read by run 1
    await store(w.history, gwB, [-5]); // read only by a run before it
    w.clock.set(T0 + 5 * MINUTE);
    const page = await makeDiscoveryPage(w.status, w.clock, new Date(T0 + 5 * MINUTE)); // run 2
    expect(page?.errors).toEqual([]);
    expect(section(page?.html ?? '', 'gw-a')).not.toContain(STALE);
    expect(section(page?.html ?? '', 'gw-b')).toContain(STALE);
    expect(await schedule(w)).toEqual({
      version: 1,
      discoveries: [new Date(T0 + 5 * MINUTE).toISOString(), new Date(T0).toISOString()],
      madeAt: new Date(T0 + 5 * MINUTE).toISOString(),
      tookInMs: 0,
    });
  });

  it('keeps its discovery when a queue invocation wrote the schedule meanwhile', async () => {
    const w = world();
    await makeDiscoveryPage(w.status, w.clock, new Date(T0));
    const inner = w.status.schedule as StateStore<PageSchedule>;
    let raced = false;
    const racing: StateStore<PageSchedule> = {
      name: inner.name,
      read: () => inner.read(),
      async write(value, etag) {
        if (!raced) {
          raced = true; // a queue invocation claims a page between the timer's read and write
          const claimed = await inner.read();
          await inner.write(
            { ...(claimed?.value as PageSchedule), madeAt: '2026-11-30T06:01:00.000Z' },
            claimed?.etag,
          );
        }
        return inner.write(value, etag);
      },
    };
    w.clock.set(T0 + 5 * MINUTE);
    const page = await makeDiscoveryPage(
      { ...w.status, schedule: racing },
      w.clock,
      new Date(T0 + 5 * MINUTE),
    );
    expect(page?.errors).toEqual([]);
    expect((await schedule(w))?.discoveries).toEqual([
      new Date(T0 + 5 * MINUTE).toISOString(),
      new Date(T0).toISOString(),
    ]);
  });

  it('a schedule it cannot read: the page is still made, the error named, the document left as found', async () => {
    const w = world();
    await store(w.history, gwA, [-5]);
    w.schedules.documents.set(SCHEDULE, { text: '{"version":9}', etag: '"x"' });
    const page = await makeDiscoveryPage(w.status, w.clock, new Date(T0));
    expect(page?.errors).toEqual([
      expect.objectContaining({
        code: 'StatusHistoryInvalid',
        sink: 'status page',
        document: `memory schedule ${SCHEDULE}`,
      }),
    ]);
    // No previous discovery to judge by: not stale for not being read.
    expect(section(page?.html ?? '', 'gw-a')).not.toContain(STALE);
    expect(w.schedules.documents.get(SCHEDULE)?.text).toBe('{"version":9}');
    expect(w.logger.at('warn').join('\n')).toMatch(/status page: .*memory schedule status-page/);
  });

  // A run whose state does not answer must not replace the published page with an empty one.
  it('the histories cannot be listed: the page shows no gateway, so it goes only where none is published', async () => {
    const w = world();
    await store(w.history, gwA, [-5]);
    w.history.failures.list = new Error('no answer');
    const page = await makeDiscoveryPage(w.status, w.clock, new Date(T0));
    expect(page?.html).toContain('No gateway read by this run');
    expect(page?.keepPublished).toBe(true);
    // Listed, it shows the stored gateway and replaces the page.
    w.history.failures.list = undefined;
    w.clock.set(T0 + 5 * MINUTE);
    const next = await makeDiscoveryPage(w.status, w.clock, new Date(T0 + 5 * MINUTE));
    expect(next?.html).toContain('<h2>gw-a ');
    expect(next?.keepPublished).toBeUndefined();
  });

  it('none without a page schedule (the direct run keeps its own page)', async () => {
    const w = world();
    const { schedule: _none, ...direct } = w.status;
    expect(await makeDiscoveryPage(direct, w.clock, new Date(T0))).toBeUndefined();
  });
});

describe('a queue invocation: the page again between discoveries, when due', () => {
  it('of five invocations at once, one makes it and delivers it alone (scope page)', async () => {
    const w = world();
    await makeDiscoveryPage(w.status, w.clock, new Date(T0));
    await store(w.history, gwA, [0]);
    w.clock.set(T0 + 2 * MINUTE);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => refresh(w)));
    expect(results.filter((r) => r.made)).toHaveLength(1);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(w.sink.deliveries.map((d) => [d.scope, d.insights.length])).toEqual([['page', 0]]);
    expect(w.sink.deliveries[0]?.statusPage).toContain('<h2>gw-a ');
    expect((await schedule(w))?.madeAt).toBe(new Date(T0 + 2 * MINUTE).toISOString());
  });

  it('the histories cannot be listed and the invocation wrote none: delivered only where no page is (keepPublishedPage)', async () => {
    const w = world();
    await makeDiscoveryPage(w.status, w.clock, new Date(T0));
    w.history.failures.list = new Error('no answer');
    w.clock.set(T0 + 2 * MINUTE);
    expect(await refresh(w)).toMatchObject({ made: true });
    expect(w.sink.deliveries.map((d) => [d.scope, d.keepPublishedPage])).toEqual([['page', true]]);
  });

  it('not due: nothing is read or made', async () => {
    const w = world();
    await makeDiscoveryPage(w.status, w.clock, new Date(T0));
    w.history.failures.list = new Error('must not be listed');
    w.clock.set(T0 + MINUTE - 1);
    expect(await refresh(w)).toEqual({ made: false, errors: [] });
    expect(w.sink.offered).toEqual([]);
  });

  it('a gateway this run has not reached is not stale; staleness is judged by the previous discovery', async () => {
    const w = world();
    await makeDiscoveryPage(w.status, w.clock, new Date(T0)); // run 1
    await store(w.history, gwA, [0]);
    await store(w.history, gwB, [0]);
    w.clock.set(T0 + 5 * MINUTE);
    await makeDiscoveryPage(w.status, w.clock, new Date(T0 + 5 * MINUTE)); // run 2
    await store(w.history, gwA, [0, 5]); // run 2 reached gw-a only
    w.clock.set(T0 + 7 * MINUTE);
    await refresh(w);
    const html = w.sink.deliveries[0]?.statusPage ?? '';
    expect(html).toContain('<h2>gw-b ');
    expect(html).not.toContain(STALE);
  });

  it("the sinks' and the schedule's failures are returned, never thrown", async () => {
    const w = world();
    const failing = failingSink('web');
    expect(await refresh(w, [failing])).toEqual({
      made: true,
      errors: [expect.objectContaining({ code: 'DeliveryFailed', sink: 'web' })],
    });
    const v = world();
    v.schedules.failures.read.set(SCHEDULE, new StateConflictError('x'));
    const unreadable = await refresh(v);
    expect(unreadable).toEqual({
      made: false,
      errors: [expect.objectContaining({ code: 'StatusHistoryUnavailable', sink: 'status page' })],
    });
  });
});
