/**
 * The pacing policy (src/adapters/arm/pacing-policy.ts) over the real ARM client and the emulator: it
 * tells the pacer of every request and answer, and holds back one kind of request only, the retry of
 * one ARM answered 429, until the pacer admits it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createArmBackendHealthReader } from '../../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../../src/adapters/arm/client';
import { createSubscriptionPacer } from '../../../src/adapters/arm/subscription-pacer';
import { parseGatewayId } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { SUB, gateway, gatewayId } from '../../helpers/scenario-builder';

const down = { address: '10.0.0.5', health: 'Down', healthProbeLog: 'TCP connect error' };
const ref = (name: string): GatewayRef => parseGatewayId(gatewayId(name)) as GatewayRef;

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** The run's pacer, whose admissions are recorded and each held `holdInMs` before it is asked. */
function heldPacer(holdInMs: number) {
  const pacer = createSubscriptionPacer();
  const asked: string[] = [];
  const observer = {
    requestSent: pacer.requestSent.bind(pacer),
    answerReceived: pacer.answerReceived.bind(pacer),
    admit: async (
      subscriptionId: string,
      kind: 'reads' | 'writes',
      options?: { abortSignal?: AbortSignal },
    ) => {
      asked.push(`${subscriptionId} ${kind}`);
      await sleep(holdInMs, undefined, options?.abortSignal ? { signal: options.abortSignal } : {});
      await pacer.admit(subscriptionId, kind, options);
    },
  };
  return { observer, asked };
}

/**
 * A gateway whose first poll ARM answers 429 (Retry-After 0), read through the real client with
 * heldPacer(holdInMs) as its observer. The reader asks the pacer for nothing itself: every admission
 * asked is the policy's.
 */
async function pollThrottledOnce(holdInMs: number) {
  const started = await startEmulator({
    scenario: {
      gateways: [
        gateway('gw', [down], {
          lro: { polls: 1, retryAfterSeconds: 0, style: 'location' },
          faults: [{ on: 'poll', status: 429, times: 1, retryAfterSeconds: 0 }],
        }),
      ],
    } as never,
  });
  emulator = started;
  const { observer, asked } = heldPacer(holdInMs);
  const clientFor = createArmClientFactory({
    endpoint: started.url,
    caCertFile: started.caCertFile,
    credential: 'development',
    maxRetries: 2,
    observer,
  });
  const reader = createArmBackendHealthReader(clientFor, { pollIntervalInMs: 20 });
  return { reader, asked, requests: () => started.requests };
}

describe('the retry of a request ARM answered 429', () => {
  it('waits for its place in the subscription’s estimate before it is sent again', async () => {
    const { reader, asked, requests } = await pollThrottledOnce(500);
    await reader.getBackendHealth(ref('gw'));

    expect(asked).toEqual([`${SUB.toLowerCase()} reads`]);
    const gets = requests().filter((r) => r.method === 'GET');
    const [throttled, retry] = gets;
    expect([throttled?.status, retry?.status]).toEqual([429, 202]);
    // Retry-After 0: the SDK sends it again at once; the admission held it the 500 ms.
    expect((retry?.receivedAtMs ?? 0) - (throttled?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(450);
  });

  it('given up (the call aborted) while it waits: it is not sent again', async () => {
    const { reader, requests } = await pollThrottledOnce(60_000);
    const aborted = new AbortController();
    const read = reader.getBackendHealth(ref('gw'), { abortSignal: aborted.signal }).catch((e: unknown) => e);
    while (!requests().some((r) => r.status === 429)) await sleep(10);
    aborted.abort();
    const error = (await read) as Error;
    expect(error.message).toMatch(/the call was cancelled/);
    expect(
      requests()
        .filter((r) => r.method === 'GET')
        .map((r) => r.status),
    ).toEqual([429]);
  });
});
