import type { GatewayConfigReading } from '../core/gateway-config';
import type { GatewayRef } from '../core/model';
import { toError } from '../errors';
import type { GatewayConfigReader } from '../ports';
import { failedThenNoAnswer, lastFailedAttempt, type FailedBeforeTimeOut } from './timed-out';
import { withTimeout } from './timeout';

/**
 * `gateway`'s configuration through `reader` (one GET), within `timeoutInMs`, cut short by `stop` (the
 * run's deadline or a signal): a time-out is a failed reading of kind `timeout` ("no answer within N
 * ms"), the stop or a throw a failed reading saying so. Never rejects. The one read of the insights'
 * configuration and coverage (check-gateway.ts) and of the deletion and removal checks
 * (notify/confirm-gone.ts, notify/confirm-removed.ts); a caller that must tell the stop from a failure
 * asks `stop.aborted`.
 */
export async function readConfigurationWithin(
  reader: GatewayConfigReader,
  gateway: GatewayRef,
  timeoutInMs: number,
  stop: AbortSignal | undefined,
): Promise<GatewayConfigReading> {
  const failed = lastFailedAttempt();
  try {
    return await withTimeout(
      timeoutInMs,
      (abortSignal) => reader.getGatewayConfig(gateway, { abortSignal, onFailedAttempt: failed.tell }),
      (ms) => new ConfigReadTimeout(ms, failed.last()),
      stop,
    );
  } catch (error) {
    return {
      ok: false,
      detail: toError(error).message,
      ...(error instanceof ConfigReadTimeout ? { kind: error.kind } : {}),
    };
  }
}

/**
 * The configuration GET took longer than its time-out: `timeout`; or ARM kept failing it (a 5xx the
 * client was retrying) until then, saying ARM's last answer: `unavailable` (ARM's failure, as a 5xx
 * read is).
 */
class ConfigReadTimeout extends Error {
  readonly kind: 'timeout' | 'unavailable';
  constructor(ms: number, failed: FailedBeforeTimeOut | undefined) {
    super(failed ? failedThenNoAnswer(ms, failed, '') : `no answer within ${ms} ms`);
    this.kind = failed ? 'unavailable' : 'timeout';
  }
}
