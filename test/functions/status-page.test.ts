import { InvocationContext, type Timer } from '@azure/functions';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import type { HistoryDocument } from '../../src/core/status/history';
import type { PageSchedule } from '../../src/core/status/page-schedule';
import { loadDefaultScenario, type RunningEmulator } from '../../src/emulator';
import type { Scenario } from '../../src/emulator';
import type { Azurite } from '../helpers/azurite';
import { startFunctionsApp, type FunctionsAppWorld } from '../helpers/functions-app';
import { runQueueHost } from '../helpers/functions-host';
import { drainTriggerMessages } from '../helpers/queue-messages';
import { loadFunctionHandlers, type FunctionHandlers } from '../helpers/function-handlers';

/**
 * The status page of the Functions app's fan-out: handlers called with the library's real
 * InvocationContext, the queue in Azurite, the default scenario in the emulator, the host's
 * retry-then-poison convention played by runQueueHost. Each test goes on from the one before (runs 1, 2
 * and 3 of one deployment).
 */
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
const SUB = '00000000-0000-0000-0000-000000000000';
const GATEWAYS = [
  ['rg-prod-weu', 'appgw-shop'],
  ['rg-prod-weu', 'appgw-api'],
  ['rg-edge', 'appgw-edge'],
  ['rg-edge', 'appgw-static'],
] as const;
const STALE = '<span class="stale-tag">';
const historyBlob = (name: string) =>
  `history/${SUB}/${GATEWAYS.find(([, n]) => n === name)?.[0]}/${name}.json`;

/** The default scenario with `faults` on the named gateway's backend-health call. */
function withFaults(scenario: Scenario, name: string, faults: unknown[]): Scenario {
  return {
    ...scenario,
    gateways: scenario.gateways.map((g) => (g.id.endsWith(`/${name}`) ? { ...g, faults } : g)),
  } as Scenario;
}

describe('Functions app: the status page of a fan-out run (histories, index.html in $web)', () => {
  let app: FunctionsAppWorld | undefined;
  let azurite: Azurite;
  let emulator: RunningEmulator;
  let scenario: Scenario;
  let handlers: FunctionHandlers;
  let queue: QueueClient;
  let poison: QueueClient;
  let state: ContainerClient;
  let web: ContainerClient;

  beforeAll(async () => {
    scenario = await loadDefaultScenario();
    app = await startFunctionsApp({
      queue: true,
      scenario,
      settings: { APPGW_TARGETS: `/subscriptions/${SUB}` },
    });
    ({ azurite, emulator } = app);
    handlers = loadFunctionHandlers();
    queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');
    poison = new QueueClient(azurite.connectionString, 'appgw-evaluate-poison');
    await poison.createIfNotExists();
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    state = blobs.getContainerClient('appgw-state');
    web = blobs.getContainerClient('$web');
  }, 60_000);
  afterAll(() => app?.close());

  const text = async (container: ContainerClient, name: string) =>
    (await container.getBlobClient(name).downloadToBuffer()).toString('utf8');
  const history = async (name: string) => JSON.parse(await text(state, historyBlob(name))) as HistoryDocument;
  const page = () => text(web, 'index.html');
  /** The timer's invocation: its messages, as the host would hand them over. */
  const discover = async (runId: string) => {
    await handlers.discoverGateways(
      timer,
      new InvocationContext({ invocationId: runId, logHandler: () => {} }),
    );
    return (await drainTriggerMessages(queue)) as Array<{ gatewayId: string; discoveredAt: string }>;
  };
  /** The host takes `messages` (and the continuations they queue), retries, then the poison queue. */
  const evaluate = async (messages: readonly unknown[]) => {
    for (const message of messages)
      await queue.sendMessage(Buffer.from(JSON.stringify(message)).toString('base64'));
    await runQueueHost(queue, handlers.evaluateGateway, poison);
    for (const message of await drainTriggerMessages(poison))
      await handlers.recordPoisonedGatewayMessage(message, new InvocationContext({ logHandler: () => {} }));
  };
  /** As if the page were made long ago: the next queue invocation finds it due. */
  const pageMadeLongAgo = async () => {
    const schedule = JSON.parse(await text(state, 'history/status-page.json')) as PageSchedule;
    const body = JSON.stringify({ ...schedule, madeAt: '2026-01-01T00:00:00.000Z' });
    await state.getBlockBlobClient('history/status-page.json').upload(body, Buffer.byteLength(body));
  };
  const gatewaySection = (html: string, name: string) => {
    const start = html.indexOf(`<h2>${name} `);
    const next = html.indexOf('<h2>', start + 1);
    return start < 0 ? '' : html.slice(start, next < 0 ? undefined : next);
  };

  it("run 1 records one reading per gateway; the next discovery's page in $web shows every gateway's servers", async () => {
    const run1 = await discover('run-1');
    expect(run1).toHaveLength(4);
    await evaluate(run1);
    for (const [, name] of GATEWAYS) {
      const doc = await history(name);
      // Dated by the discovery, whatever try or continuation finished it.
      expect(doc).toMatchObject({ readings: [run1[0]?.discoveredAt], outcomes: '+' });
      expect(doc.lastReadAt).toBe(run1[0]?.discoveredAt);
    }

    const run2 = await discover('run-2');
    const html = await page();
    for (const gateway of scenario.gateways) {
      const name = gateway.id.split('/').at(-1) as string;
      const section = gatewaySection(html, name);
      expect(section).not.toBe('');
      expect(section).not.toContain(STALE);
      for (const pool of gateway.backendHealth.backendAddressPools ?? [])
        for (const settings of pool.backendHttpSettingsCollection ?? [])
          for (const server of settings.servers ?? []) expect(section).toContain(`>${server.address}<`);
    }
    // Every insight it links to is beside it in $web.
    const links = [...html.matchAll(/href="?(s\/[^"\s>]+\.html)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) await expect(web.getBlobClient(decodeURI(link)).exists()).resolves.toBe(true);
    const schedule = JSON.parse(await text(state, 'history/status-page.json')) as PageSchedule;
    expect(schedule.discoveries).toEqual([run2[0]?.discoveredAt, run1[0]?.discoveredAt]);

    // Run 2, one gateway's first try refused (ARM 500: the host tries the message again).
    emulator.serve(withFaults(scenario, 'appgw-api', [{ on: 'backendHealth', status: 500, times: 1 }]));
    await evaluate(run2);
    for (const [, name] of GATEWAYS) {
      const doc = await history(name);
      expect(doc.readings).toEqual([run1[0]?.discoveredAt, run2[0]?.discoveredAt]);
      // The retry's reading replaced the failed try's: no second reading of run 2, no error left.
      expect(doc.outcomes).toBe('++');
      expect(doc.lastError).toBeUndefined();
    }
  }, 60_000);

  it('run 3: a gateway not reached yet is not stale; one whose read failed is, with its error; a poisoned one keeps its try’s error', async () => {
    // appgw-edge: ARM refuses for good (403, not retried); appgw-static: 500 each try, then poisoned.
    emulator.serve(
      withFaults(
        withFaults(scenario, 'appgw-edge', [
          { on: 'backendHealth', status: 403, code: 'AuthorizationFailed', times: 99 },
        ]),
        'appgw-static',
        [{ on: 'backendHealth', status: 500, times: 99 }],
      ),
    );
    const run3 = await discover('run-3');
    const atDiscovery = await page();
    expect(atDiscovery).not.toContain(STALE); // run 2 read them all

    await pageMadeLongAgo();
    const byName = (name: string) => run3.filter((m) => m.gatewayId.endsWith(`/${name}`));
    await evaluate(byName('appgw-edge'));
    const during = await page();
    // Made again by the queue invocation: appgw-edge stale with ARM's refusal; the others, not reached
    // by run 3 yet, stand on run 2's reading.
    expect(gatewaySection(during, 'appgw-edge')).toMatch(
      new RegExp(`${STALE}[\\s\\S]*this run's read failed at [^;]*\\(AuthorizationFailed: `),
    );
    for (const name of ['appgw-shop', 'appgw-api', 'appgw-static'])
      expect(gatewaySection(during, name)).not.toContain(STALE);
    expect((await history('appgw-edge')).outcomes).toBe('++!');
    expect((await history('appgw-edge')).lastError?.at).toBe(run3[0]?.discoveredAt);

    await evaluate(byName('appgw-static'));
    const statik = await history('appgw-static');
    // Five failed tries and the poison queue's record: one reading of run 3, the tries' own error.
    expect(statik.outcomes).toBe('++!');
    expect(statik.lastError?.code).toBe('BackendHealthUnavailable');

    await evaluate([...byName('appgw-shop'), ...byName('appgw-api')]);
    for (const name of ['appgw-shop', 'appgw-api']) expect((await history(name)).outcomes).toBe('+++');
    // The next discovery judges run 3 whole: the two failed gateways stale, the others not.
    emulator.serve(scenario);
    await discover('run-4');
    const next = await page();
    for (const name of ['appgw-edge', 'appgw-static']) expect(gatewaySection(next, name)).toContain(STALE);
    for (const name of ['appgw-shop', 'appgw-api']) expect(gatewaySection(next, name)).not.toContain(STALE);
  }, 90_000);

  it("a history it cannot read fails neither the gateway's message nor its notices: the result names it", async () => {
    const [message] = (await discover('run-5')).filter((m) => m.gatewayId.endsWith('/appgw-shop'));
    // Cut off mid-write (by hand, or a version this one cannot read) after the discovery read it.
    const blobName = historyBlob('appgw-shop');
    await state.getBlockBlobClient(blobName).upload('{ "version": 1, "readings": [', 28);
    const thrown: unknown[] = [];
    await queue.sendMessage(Buffer.from(JSON.stringify(message)).toString('base64'));
    await runQueueHost(
      queue,
      (m, context) =>
        handlers.evaluateGateway(m, context).catch((error: unknown) => {
          thrown.push(error);
          throw error;
        }),
      poison,
    );
    // Never thrown back to the host for the history: no retry.
    expect(thrown).toEqual([]);
    expect(await drainTriggerMessages(poison)).toEqual([]);
    const insights = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'insights',
    );
    const result = JSON.parse(await text(insights, `runs/run-5/gateways/${SUB}/rg-prod-weu/appgw-shop.json`));
    expect(result.gateways[0]).toMatchObject({ ok: true });
    expect(result.deliveryErrors).toEqual([
      expect.objectContaining({
        code: 'StatusHistoryInvalid',
        sink: 'status page',
        document: `blob appgw-state/${blobName}`,
      }),
    ]);
    // Left as found, for a person to move aside.
    expect(await text(state, blobName)).toBe('{ "version": 1, "readings": [');
    await state.deleteBlob(blobName);
  }, 60_000);
});
