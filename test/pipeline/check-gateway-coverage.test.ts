/**
 * The GET that tells whether an empty reading covers the gateway (check-gateway.ts coverageConfiguration)
 * is bounded on its own: one that never answered held a run for the whole gateway time-out, 5 min by
 * default, and then showed the gateway green (a break trial).
 */
import { parseGatewayId } from '../../src/core/arm-id';
import { DEFAULT_UNHEALTHY_STATES } from '../../src/core/health';
import type { GatewayRef } from '../../src/core/model';
import {
  checkGateway,
  COVERAGE_READ_TIMEOUT_IN_MS,
  type GatewayOutcome,
} from '../../src/pipeline/check-gateway';
import { seedArticle } from '../helpers/memory/run-dependencies';
import { gatewayId } from '../helpers/scenario-builder';

afterEach(() => jest.useRealTimers());

it('a reading that lists no server, and a GET that never answers: a failed reading once COVERAGE_READ_TIMEOUT_IN_MS is up', async () => {
  jest.useFakeTimers();
  const aborted: boolean[] = [];
  let outcome: GatewayOutcome | undefined;
  void checkGateway(parseGatewayId(gatewayId('gw')) as GatewayRef, {
    reader: { getBackendHealth: async () => ({ backendAddressPools: [] }) },
    configReader: {
      getGatewayConfig: (_gateway, options) =>
        new Promise((_, reject) =>
          options?.abortSignal?.addEventListener('abort', () => {
            aborted.push(true);
            reject(new Error('aborted'));
          }),
        ),
    },
    clock: { now: () => new Date('2026-12-03T06:00:00Z') },
    article: seedArticle,
    unhealthyStates: DEFAULT_UNHEALTHY_STATES,
    gatewayTimeoutInMs: 300_000,
  }).then((o) => (outcome = o));
  await jest.advanceTimersByTimeAsync(COVERAGE_READ_TIMEOUT_IN_MS - 1);
  expect(outcome).toBeUndefined();
  await jest.advanceTimersByTimeAsync(1);
  expect(outcome?.report).toMatchObject({
    ok: false,
    error: {
      code: 'BackendHealthUnavailable',
      retryable: true,
      message: expect.stringContaining(`(no answer within ${COVERAGE_READ_TIMEOUT_IN_MS} ms)`),
    },
  });
  expect(aborted).toEqual([true]);
});
