import { gatewayKey, type Target } from '../../core/arm-id';
import type { BackendHealthBody, GatewayRef } from '../../core/model';
import { GatewayNotFoundError } from '../../errors';
import type { BackendHealthReader, GatewayDirectory, TargetListing } from '../../ports';

/**
 * A backend-health body someone saved (`az … show-backend-health`, `Get-AzApplicationGatewayBackendHealth
 * | ConvertTo-Json`), already read by the one reader, served as if ARM had just answered it: `evaluate`
 * runs the same pipeline as `run` without calling ARM.
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
