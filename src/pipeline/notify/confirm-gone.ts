import type { GatewayConfigReading } from '../../core/gateway-config';
import type { GatewayRef } from '../../core/model';
import { clipMessage } from '../../core/text-clip';
import { toError } from '../../errors';
import type { GatewayConfigReader } from '../../ports';
import type { Logger } from '../logger';
import { noAnswerWithin, withTimeout } from '../timeout';

/**
 * Whether a gateway the run's listings took as deleted (ExpandedTargets.isGone) is gone: resolves true
 * only when ARM answers 404 to its GET. Never rejects.
 */
export type GoneCheck = (gateway: GatewayRef) => Promise<boolean>;

/**
 * A GoneCheck that asks ARM (`GET …/applicationGateways/{name}`, one read, only for a gateway with
 * notify state that no listing showed): a deleted gateway's open episodes are sent as `recovered` at
 * once, so a listing's word alone is not enough. Resource Graph answers only what the identity may read,
 * at any level (a Reader on one resource group of a subscription sees that group's gateways, and the
 * subscription seems listed whole), and its copy may lag ARM's; either made an existing gateway's
 * episode `recovered … no longer exists` (a fan-out trial). A 200, a 403 or no answer within
 * `timeoutInMs` keeps the episodes open and is said in a warning on `logger`, naming the gateway.
 */
export function confirmGoneWith(reader: GatewayConfigReader, timeoutInMs: number, logger: Logger): GoneCheck {
  return async (gateway) => {
    let reading: GatewayConfigReading;
    try {
      reading = await withTimeout(
        timeoutInMs,
        (abortSignal) => reader.getGatewayConfig(gateway, { abortSignal }),
        (ms) => new Error(noAnswerWithin(ms)),
      );
    } catch (error) {
      reading = { ok: false, detail: toError(error).message };
    }
    if (!reading.ok && reading.notFound) return true;
    const why = reading.ok
      ? 'but ARM still has it (its GET answered 200): Resource Graph may not have caught up, or the identity reads only part of the scope'
      : `and ARM could not say whether it still exists (${clipMessage(reading.detail, 300, { oneLine: true })})`;
    logger.warn(
      `${gateway.id}: not in the listing of its scope, ${why}; its open episodes stay open, none is sent as recovered`,
    );
    return false;
  };
}

/**
 * The GoneCheck a run uses: ARM's answer through `deps.configReader` (within `timeoutInMs`, the gateway
 * time-out); undefined without one (a listing's word then stands, as in the tests' in-memory runs).
 */
export function goneCheckFor(
  deps: { readonly configReader?: GatewayConfigReader; readonly logger: Logger },
  timeoutInMs: number,
): GoneCheck | undefined {
  return deps.configReader ? confirmGoneWith(deps.configReader, timeoutInMs, deps.logger) : undefined;
}
