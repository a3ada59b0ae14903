import type { GatewayRef } from '../../core/model';
import { clipMessage } from '../../core/text-clip';
import type { GatewayConfigReader } from '../../ports';
import { readConfigurationWithin } from '../read-configuration';

/**
 * ARM's word on a gateway the run's listings took as deleted (ExpandedTargets.isGone), or did not read:
 * `gone` only on a 404 `ResourceNotFound` or `ResourceGroupNotFound` to its GET; otherwise why it is not known to be gone (one line, for the run report's
 * `notifications.unconfirmedDeletions` and the log).
 */
export type GoneAnswer =
  | { readonly gone: true }
  | {
      readonly gone: false;
      readonly reason: string;
      /** ARM answered 200: it exists. Absent: ARM could not say (the reason says why). */
      readonly exists?: true;
      /**
       * Its GET answered 404 too, but a listing of its scope found it this run (process-gateway.ts
       * LISTED_NOT_GONE): the next run's listing confirms a deletion.
       */
      readonly listed?: true;
    };

/** Asks ARM whether a gateway is gone (GoneAnswer). Never rejects. */
export type GoneCheck = (gateway: GatewayRef) => Promise<GoneAnswer>;

/** ARM's code for a 404 about the subscription itself, not the gateway. */
const SUBSCRIPTION_NOT_FOUND = 'SubscriptionNotFound';

/**
 * ARM's codes for a 404 that says the gateway is gone: the resource (`ResourceNotFound`), or its resource
 * group (`ResourceGroupNotFound`, deleted with it). Any other 404, or one without ARM's error body, is not
 * taken as a deletion.
 */
const GONE_CODES: ReadonlySet<string> = new Set(['ResourceNotFound', 'ResourceGroupNotFound']);

/**
 * The longest a run waits for ARM to answer one gateway's GET here, whatever `gatewayTimeoutInMs` is:
 * the checks come after every gateway is done, and one that never answered held the run for the whole
 * gateway time-out (5 min by default) before the report was written (a trial). A GET is one read of a
 * few KB; a check that runs out only keeps the gateway's episodes open, and the next run asks again.
 */
export const GONE_CHECK_TIMEOUT_IN_MS = 30_000;

/**
 * A GoneCheck that asks ARM (`GET …/applicationGateways/{name}`, one read, only for a gateway with
 * notify state that no listing showed): a deleted gateway's open episodes are sent as `recovered` at
 * once, so a listing's word alone is not enough. Resource Graph answers only what the identity may read,
 * at any level (a Reader on one resource group of a subscription sees that group's gateways, and the
 * subscription seems listed whole), and its copy may lag ARM's; either made an existing gateway's
 * episode `recovered … no longer exists` (a fan-out trial). A 200, a 403, a 404 of another code or of none
 * (`SubscriptionNotFound`; a host that is not ARM), no answer within `timeoutInMs`, or the run's `stop`
 * (its deadline or a signal) keeps the episodes open, with the reason. A 404 about the gateway or its
 * resource group is ARM's word that it is gone
 * (an identity that may not read there gets 403 `AuthorizationFailed`, "… or the scope is invalid",
 * which keeps it open).
 */
export function confirmGoneWith(
  reader: GatewayConfigReader,
  timeoutInMs: number,
  stop?: AbortSignal,
): GoneCheck {
  return async (gateway) => {
    const reading = await readConfigurationWithin(reader, gateway, timeoutInMs, stop);
    if (!reading.ok && reading.notFound) {
      if (reading.armCode !== undefined && GONE_CODES.has(reading.armCode)) return { gone: true };
      // A subscription ARM does not know says nothing of the gateway: a credential signed in to another
      // tenant, or a subscription just moved or created, reads so too, and would end every episode of it.
      if (reading.armCode === SUBSCRIPTION_NOT_FOUND)
        return {
          gone: false,
          reason: `ARM does not know its subscription (404 ${SUBSCRIPTION_NOT_FOUND}): check that the identity signs in to the subscription's tenant (tenantId, AZURE_TENANT_ID); if the subscription was deleted, move the gateway's notify state document aside`,
        };
      // Nor does a 404 that is not ARM's word on the resource: a host that is not ARM (a wrong
      // arm.endpoint, a proxy) answered 404 to everything, and every open episode was sent as
      // `recovered` (a break trial).
      return {
        gone: false,
        reason: `${clipMessage(reading.detail, 200, { oneLine: true })}, not ARM's ResourceNotFound or ResourceGroupNotFound: check that arm.endpoint (APPGW_ARM_ENDPOINT) is Azure Resource Manager; it is asked again on the next run`,
      };
    }
    if (reading.ok)
      return {
        gone: false,
        exists: true,
        // Not "Resource Graph has not caught up" alone: a resource group or a subscription without a
        // discovery filter is listed by ARM, which lags too (a new-user trial read it of such a target).
        reason:
          "ARM still has it (its GET answered 200): the identity may read only part of the scope (grant it Reader on the whole target), or the listing has not caught up yet (ARM's list of a resource group or subscription, or Resource Graph's for a management group or a discovery filter); it is asked again on the next run",
      };
    // ARM answers 403 for a gateway the identity may not read, whether or not it exists: a resource
    // group deleted with the role assignment scoped to it reads so too (a break trial: the message
    // named the operation's polls and no way out).
    if (reading.kind === 'forbidden')
      return {
        gone: false,
        reason:
          'ARM refused to say whether it still exists (403: the identity may not read it): grant the identity Reader on it, or, if it was deleted (with the role assignment that let the identity read it), move its notify state document aside',
      };
    return {
      gone: false,
      reason: `ARM could not say whether it still exists (${clipMessage(reading.detail, 300, { oneLine: true })}); it is asked again on the next run`,
    };
  };
}

/**
 * The longest a run waits for one GET of a gateway it did not read and no listing showed gone (one left
 * out of the targets, or in a target that could not be listed): asked only in case it was deleted, every
 * run, 8 at a time; 20 such GETs that never answered held each run 94 s at GONE_CHECK_TIMEOUT_IN_MS (a
 * break trial). One that runs out keeps the gateway `unread`, saying so.
 */
export const UNREAD_CHECK_TIMEOUT_IN_MS = 10_000;

/**
 * The GoneCheck a run uses: ARM's answer through `deps.configReader`, within the smaller of
 * `timeoutInMs` (the gateway time-out) and GONE_CHECK_TIMEOUT_IN_MS, cut short by `stop`; undefined
 * without a reader (a listing's word then stands, as in the tests' in-memory runs).
 */
export function goneCheckFor(
  deps: { readonly configReader?: GatewayConfigReader },
  timeoutInMs: number,
  stop?: AbortSignal,
): GoneCheck | undefined {
  return deps.configReader
    ? confirmGoneWith(deps.configReader, Math.min(timeoutInMs, GONE_CHECK_TIMEOUT_IN_MS), stop)
    : undefined;
}
