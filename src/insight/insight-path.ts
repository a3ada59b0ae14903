import { fnv1a32 } from '../core/hash';
import type { Finding, GatewayRef } from '../core/model';

/**
 * Where a finding's insight lives, relative to a sink's root:
 * `insights/<subscription>/<resource-group>/<gateway>/<pool>__<settings>__<address>`.
 * ARM names are case-insensitive, so paths are lower case; anything outside [a-z0-9._-] becomes `_`
 * and a short hash of the exact key keeps two names that sanitise alike apart (in the gateway's folder
 * too: gatewayInsightFolder).
 */
export function insightPath(
  finding: Pick<Finding, 'gateway' | 'backendPool' | 'backendSettings' | 'address'>,
): string {
  const folder = gatewayFolder(finding.gateway);
  const key = [finding.backendPool, finding.backendSettings, finding.address].join('\u0000');
  const stem = [finding.backendPool, finding.backendSettings, finding.address].map(safeSegment).join('__');
  return `insights/${folder}/${stem.slice(0, 150)}-${fnv1a32(key.toLowerCase())}`;
}

/** The folder holding one gateway's insights (replaced as a whole when the gateway was evaluated). */
export function gatewayInsightFolder(gateway: GatewayNames): string {
  return `insights/${gatewayFolder(gateway)}`;
}

/**
 * One gateway's result within a fan-out run (the queue function's delivery), beside the run's own
 * report: `runs/<runId>/gateways/<subscription>/<resource-group>/<gateway>.json`.
 */
export function gatewayResultPath(runId: string, gateway: GatewayNames): string {
  return `${runFolder(runId)}/gateways/${gatewayFolder(gateway)}.json`;
}

/**
 * The folder of one run's files in a sink, `runs/<runId>`: the blob sink's history of the run (its
 * report and insights) and the fan-out's gateway results (gatewayResultPath). Run ids are
 * `20250601T100000Z-a1b2c3` (kept as they are, so runs sort by time); a run id comes from a queue
 * message, so anything but [A-Za-z0-9._-] becomes `_` and a leading dot `_`: always one path segment.
 */
export function runFolder(runId: string): string {
  const cleaned = runId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return `runs/${cleaned.slice(0, 120) || '_'}`;
}

type GatewayNames = Pick<GatewayRef, 'subscriptionId' | 'resourceGroup' | 'name'>;

function gatewayFolder(gateway: GatewayNames): string {
  return [gateway.subscriptionId, gateway.resourceGroup, gateway.name].map(folderSegment).join('/');
}

/**
 * A name as one segment of a gateway's folder: safeSegment, plus a short hash of the name when
 * cleaning it changed more than its case. A resource group name may hold parentheses and Unicode
 * letters (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules,
 * Microsoft.Resources), so `rg(1)` and `rg_1_`, or `prod-é` and `prod-è`, clean alike; sharing one
 * folder, replacing one gateway's insights would delete the other's. Names that are safe already
 * (subscription GUIDs, gateway names, most resource groups) keep their path.
 */
function folderSegment(value: string): string {
  const cleaned = safeSegment(value);
  const lowered = value.toLowerCase();
  return cleaned === lowered ? cleaned : `${cleaned.slice(0, 71)}-${fnv1a32(lowered)}`;
}

function safeSegment(value: string): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '');
  return cleaned.slice(0, 80) || '_';
}
