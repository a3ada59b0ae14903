/**
 * Storage queues deliver a message at least once, and the host retries an invocation that failed: one
 * run's continuation may be handled twice, one after the other or at once. A fan-out trial found each
 * handling counted as a run of its own, so `notify.for: 2` sent `degraded` after one run. Against
 * Azurite and the emulator, handlers called with the library's real InvocationContext.
 */
import { InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Azurite } from '../helpers/azurite';
import { loadFunctionHandlers } from '../helpers/function-handlers';
import { drainTriggerMessages, nextTriggerMessages } from '../helpers/queue-messages';
import { gateway, gatewayId } from '../helpers/scenario-builder';
import type { WebhookReceiver } from '../helpers/webhook-receiver';
import { startFunctionsApp, type FunctionsAppWorld } from '../helpers/functions-app';

const quiet = () => new InvocationContext({ logHandler: () => {} });
// The operation is done before its Retry-After: the continuation's one poll has the body.
const LRO = { lro: { runsForMs: 200, retryAfterSeconds: 1 } };
const down = (address: string) => [{ address, health: 'Unhealthy', healthProbeLog: 'TCP connect error' }];
// A gateway the app's identity can read in a subscription APPGW_TARGETS does not name.
const OTHER_SUB = '22222222-2222-2222-2222-222222222222';
const SCENARIO = {
  gateways: [
    gateway('gw-one', down('10.1.0.4'), LRO),
    gateway('gw-two', down('10.2.0.4'), LRO),
    gateway('gw-other', down('10.9.0.4'), { lro: { polls: 0 } }, 'rg-other', OTHER_SUB),
  ],
};

describe('Functions app: a run handled twice counts once toward notify.for', () => {
  let azurite: Azurite;
  let receiver: WebhookReceiver;

  let app: FunctionsAppWorld | undefined;
  beforeAll(async () => {
    app = await startFunctionsApp({
      scenario: SCENARIO,
      queue: true,
      receivers: 1,
      settings: ([hook]) => ({
        APPGW_NOTIFY_FOR: '2',
        APPGW_NOTIFY_GROUPING: 'server', // one message a notice, at once
        APPGW_WEBHOOKS: JSON.stringify([{ name: 'ops', url: hook!.url('/hook'), format: 'json' }]),
      }),
    });
    ({ azurite } = app);
    receiver = app.receivers[0]!;
  }, 60_000);
  afterAll(() => app?.close());

  const queue = () => new QueueClient(azurite.connectionString, 'appgw-evaluate');
  const notices = (name: string) =>
    receiver.requests
      .map((r) => JSON.parse(r.body) as { type: string; gateway?: { name?: string } })
      .filter((n) => n.gateway?.name === name)
      .map((n) => n.type);

  /** Starts `name`'s operation for `runId`; its continuation, once the operation is done. */
  async function continuationOf(name: string, runId: string): Promise<unknown> {
    const { evaluateGateway } = loadFunctionHandlers();
    await queue().createIfNotExists();
    await drainTriggerMessages(queue());
    await evaluateGateway({ version: 1, runId, gatewayId: gatewayId(name) }, quiet());
    const [continuation] = await nextTriggerMessages(queue());
    await sleep(300); // the operation has its body
    return continuation;
  }

  it.each([
    ['one after the other', 'gw-one', 'sequential'],
    ['at once', 'gw-two', 'concurrent'],
  ])(
    'a continuation handled three times %s is one run: degraded only with the second run',
    async (_, name, how) => {
      const { evaluateGateway } = loadFunctionHandlers();
      const first = await continuationOf(name, `run-1-${how}`);
      if (how === 'sequential') {
        for (let i = 0; i < 3; i += 1) await evaluateGateway(first, quiet());
      } else {
        await Promise.all([1, 2, 3].map(() => evaluateGateway(first, quiet())));
      }
      expect(notices(name)).toEqual([]);
      const second = await continuationOf(name, `run-2-${how}`);
      await evaluateGateway(second, quiet());
      await evaluateGateway(second, quiet());
      expect(notices(name)).toEqual(['degraded']);
    },
    60_000,
  );

  it('a message for a gateway outside APPGW_TARGETS (narrowed while it waited) is said and dropped: nothing notified, not retried (a break trial)', async () => {
    const { evaluateGateway } = loadFunctionHandlers();
    const logged: string[] = [];
    const context = new InvocationContext({
      logHandler: (level, ...args) => logged.push(`${level}: ${args.join(' ')}`),
    });
    const id = gatewayId('gw-other', 'rg-other', OTHER_SUB);
    await expect(
      evaluateGateway({ version: 1, runId: 'run-old', gatewayId: id }, context),
    ).resolves.toBeUndefined();
    await evaluateGateway({ version: 1, runId: 'run-old-2', gatewayId: id }, quiet());
    expect(notices('gw-other')).toEqual([]);
    expect(logged).toContainEqual(
      `warning: ${id} is not among the gateways this app watches (APPGW_TARGETS): add it there, or check the gateway id. Its queue message (run run-old) is dropped: nothing was asked of ARM, nothing read or written.`,
    );
  }, 60_000);
});
