import { ERROR_CODES } from '../../src/core/error-codes';
import {
  GatewayDeletedError,
  GatewayNotFoundError,
  PoisonedMessageError,
  RUN_INTERRUPTED_CODE,
  RunInterruptedError,
} from '../../src/errors';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';

describe('ERROR_CODES: the pure layers’ copy of our error codes', () => {
  test.each([
    ['gatewayDeleted', new GatewayDeletedError(GW).code],
    ['gatewayNotFound', new GatewayNotFoundError(GW, '404').code],
    ['runInterrupted', new RunInterruptedError({ by: 'signal', signal: 'SIGTERM' }).code],
    ['runInterrupted', RUN_INTERRUPTED_CODE],
    ['poisoned', new PoisonedMessageError(GW).code],
  ] as const)('%s is the error class’s code (%s)', (key, code) => {
    expect(ERROR_CODES[key]).toBe(code);
  });
});
