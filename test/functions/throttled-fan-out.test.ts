/**
 * The Functions app at a subscription's write limit (issue 14.5): the real timer and queue handlers,
 * called with the library's InvocationContext, against Azurite and an emulator whose writes bucket is
 * far smaller than ARM's (the app assumes ARM's and learns the bucket from the answers). Starts with no
 * place in the quota go back on the queue, hidden; every gateway still ends with one result, nothing
 * poisoned, one accepted POST each.
 */
import { InvocationContext, type Timer } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import type { GatewayReport } from '../../src/core/run-report';
import { ARM_REQUEST_LIMITS } from '../../src/core/pacing/request-limits';
import type { RunningEmulator } from '../../src/emulator';
import type { Azurite } from '../helpers/azurite';
import { startFunctionsApp, type FunctionsAppWorld } from '../helpers/functions-app';
import { loadFunctionHandlers } from '../helpers/function-handlers';
import { runQueueHost } from '../helpers/functions-host';
import { drainTriggerMessages } from '../helpers/queue-messages';
import { gateway } from '../helpers/scenario-builder';

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
const NAMES = Array.from({ length: 8 }, (_, i) => `gw-${i}`);
const servers = [{ address: '10.1.0.5', health: 'Healthy', healthProbeLog: 'Success' }];

describe('Functions app: a subscription at its write limit', () => {
  let app: FunctionsAppWorld | undefined;
  let azurite: Azurite;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    app = await startFunctionsApp({
      queue: true,
      scenario: {
        gateways: NAMES.map((n) => gateway(n, servers, { lro: { polls: 1, retryAfterSeconds: 1 } })),
        // 1 a second: the host below runs one invocation at a time, and however slow the machine,
        // 8 starts come faster than 2 + 1 a second.
        limits: { reads: ARM_REQUEST_LIMITS.reads, writes: { burst: 2, perSecond: 1 } },
      },
      settings: { APPGW_ARM_MAX_RETRIES: '3' },
    });
    ({ azurite, emulator } = app);
  }, 60_000);
  afterAll(() => app?.close());

  it('starts with no place in the quota wait in the queue; every gateway ends with one result, none poisoned', async () => {
    const { discoverGateways, evaluateGateway } = loadFunctionHandlers();
    const queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');
    const poison = new QueueClient(azurite.connectionString, 'appgw-evaluate-poison');
    await poison.createIfNotExists();
    const logs: string[] = [];
    await discoverGateways(timer, new InvocationContext({ logHandler: () => {}, invocationId: 'run-w' }));
    await runQueueHost(queue, evaluateGateway, poison, {
      context: (dequeueCount) =>
        new InvocationContext({
          logHandler: (_level, ...args) => void logs.push(args.map(String).join(' ')),
          triggerMetadata: { dequeueCount },
        }),
    });
    expect(await drainTriggerMessages(poison)).toEqual([]);

    const insights = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'insights',
    );
    const reports: GatewayReport[] = [];
    for await (const blob of insights.listBlobsFlat({ prefix: 'runs/run-w/gateways/' })) {
      const text = (await insights.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
      reports.push(JSON.parse(text).gateways[0]);
    }
    expect(reports.map((r) => r.name).sort()).toEqual(NAMES);
    for (const report of reports) {
      expect(report).toMatchObject({ ok: true });
      const { invocations, polls, deferrals = 0 } = report.fanOut ?? { invocations: 0, polls: 0 };
      expect(invocations).toBe(1 + polls + deferrals);
      // One accepted POST per gateway: a deferred start was never sent twice.
      const accepted = emulator.requests.filter(
        (r) =>
          r.method === 'POST' && r.status !== 429 && r.path.includes(`/applicationGateways/${report.name}/`),
      );
      expect(accepted).toHaveLength(1);
    }
    // Past the bucket's 2, starts were put back on the queue (the log says when they come back).
    expect(reports.reduce((n, r) => n + (r.fanOut?.deferrals ?? 0), 0)).toBeGreaterThanOrEqual(1);
    expect(logs.join('\n')).toMatch(/queued again on queue\[appgw-evaluate\] in \d+ ms \(deferral 1\)/);
  }, 120_000);
});
