/**
 * ARM ids the emulator understands. ARM compares ids case-insensitively, so every lookup key here is
 * lower-cased; the original spelling is kept for answers.
 */

export interface GatewayIdParts {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// Azure naming rules (learn.microsoft.com azure-resource-manager/management/resource-name-rules):
// resource group 1-90 of letters and digits (Unicode ones too), '_', '-', '.', '(', ')', not ending in
// '.' (a break trial's group of Japanese letters was refused here, not by ARM); application gateway
// 1-80 of word chars, '-', '.', starting alphanumeric, ending in a word char.
const RESOURCE_GROUP = '[-\\p{L}\\p{N}\\p{M}_.()]{0,89}[-\\p{L}\\p{N}\\p{M}_()]';
const GATEWAY_NAME = '[a-z0-9](?:[-\\w.]{0,78}\\w)?';
const GATEWAY_ID = new RegExp(
  `^/subscriptions/(${GUID})/resourceGroups/(${RESOURCE_GROUP})/providers/Microsoft\\.Network/applicationGateways/(${GATEWAY_NAME})$`,
  'iu',
);

export const GATEWAY_ID_SHAPE =
  '/subscriptions/<subscription guid>/resourceGroups/<rg>/providers/Microsoft.Network/applicationGateways/<name>';

/** The parts of an application gateway id, or undefined when `id` is not one. */
export function parseGatewayId(id: string): GatewayIdParts | undefined {
  const m = GATEWAY_ID.exec(id);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  return { subscriptionId: m[1], resourceGroup: m[2], name: m[3] };
}

/** The last segment of a sub-resource id (pool or settings name); ARM ids without `$expand` carry only this. */
export function lastSegment(id: string): string {
  const parts = id.split('/');
  return parts[parts.length - 1] ?? '';
}

export const key = (s: string): string => s.toLowerCase();
