import type { GatewayConfigReading } from '../core/gateway-config';
import type { GatewayRef } from '../core/model';
import { toError } from '../errors';
import type { GatewayConfigReader } from '../ports';
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
  try {
    return await withTimeout(
      timeoutInMs,
      (abortSignal) => reader.getGatewayConfig(gateway, { abortSignal }),
      (ms) => new ConfigReadTimeout(ms),
      stop,
    );
  } catch (error) {
    return {
      ok: false,
      detail: toError(error).message,
      ...(error instanceof ConfigReadTimeout ? { kind: 'timeout' as const } : {}),
    };
  }
}

/** The configuration GET took longer than its time-out. */
class ConfigReadTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}
