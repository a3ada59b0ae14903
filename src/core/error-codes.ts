/**
 * The codes of our errors that the pure layers (src/core, src/insight) decide by: each a contract, in
 * the README's Errors table, and each the `code` of an error class in src/errors.ts, which imports
 * nothing of ours and the pure layers may not import. So the literals are here once more, and
 * test/core/error-codes.test.ts holds each equal to its class's.
 */
export const ERROR_CODES = {
  /** GatewayDeletedError: ARM confirmed the gateway deleted (404 to its backend-health call and its GET). */
  gatewayDeleted: 'GatewayDeleted',
  /** GatewayNotFoundError: a 404 whose deletion ARM did not confirm. */
  gatewayNotFound: 'ResourceNotFound',
  /** RunInterruptedError: the run stopped (a signal, its deadline) before this was done. */
  runInterrupted: 'RunInterrupted',
  /** PoisonedMessageError: the Functions host gave up on a gateway's queue message. */
  poisoned: 'Poisoned',
} as const;
