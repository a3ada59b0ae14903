import { gatewayKey, type Target } from '../../core/arm-id';
import type { BackendHealthBody, GatewayRef } from '../../core/model';
import { listsAnyServer } from '../../core/reading-coverage';
import { BackendHealthUnavailableError, GatewayNotFoundError } from '../../errors';
import type { BackendHealthReader, GatewayDirectory, TargetListing } from '../../ports';

/**
 * A backend-health body someone saved (`az … show-backend-health`, `Get-AzApplicationGatewayBackendHealth
 * | ConvertTo-Json`), already read by the one reader, served as if ARM had just answered it: `evaluate`
 * runs the same pipeline as `run` without calling ARM. A body that lists no server is refused
 * (BackendHealthUnavailableError, not retryable): nothing can tell it from a gateway without servers.
 */
export function createSavedBackendHealthReader(
  gateway: GatewayRef,
  body: BackendHealthBody,
): BackendHealthReader {
  return {
    async getBackendHealth(asked: GatewayRef): Promise<BackendHealthBody> {
      if (gatewayKey(asked.id) !== gatewayKey(gateway.id)) {
        throw new GatewayNotFoundError(asked.id, `the saved body is about ${gateway.id}`);
      }
      // No configuration is read for a saved body (evaluate calls no ARM), so nothing can tell an answer
      // that lists no server from a gateway without servers: a break trial saw `{"backendAddressPools":[]}`
      // (as a gateway under update may answer) shown green with 0 servers. A run asks the GET instead.
      if (!listsAnyServer(body))
        throw new BackendHealthUnavailableError(
          gateway.id,
          "the backend-health answer lists no server, and no configuration of the gateway is at hand to tell whether it routes to any (a gateway under update may answer so): the reading is taken as failed, never as all healthy. Save the answer again once the gateway's update is done; if the gateway has no backend servers, nothing is wrong",
          { retryable: false, savedAnswer: true },
        );
      return body;
    },
  };
}

/** The one gateway a saved body is about, for a gateway target naming it (nothing else is listed). */
export function createSavedGatewayDirectory(gateway: GatewayRef): GatewayDirectory {
  return {
    async listGateways(target: Target): Promise<TargetListing> {
      if (target.kind === 'gateway' && gatewayKey(target.id) === gatewayKey(gateway.id))
        return { gateways: [gateway], present: [gateway], shownScopes: [] };
      throw new GatewayNotFoundError(target.id, `the saved body is about ${gateway.id}`);
    },
  };
}
