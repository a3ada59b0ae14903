import { fnv1a32, hash64 } from '../core/hash';
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

/**
 * Where the status page links a finding's insight page, relative to the page: `s/<gateway>/<server>.html`,
 * a copy of the page at `insightPath(…).html` that the sinks write beside the status page (the folder
 * sink in its folder, the blob sink in the status container). Short on purpose: the page holds one
 * link per server that is not healthy, and the insight's own path (up to about 370 characters with
 * long names: subscription, resource group, gateway, pool, settings, address) was most of the page's
 * bytes. `<gateway>` is 46 bits of a 64-bit hash of the gateway's insight folder (10 000 gateways
 * share one with a chance of about 7·10⁻⁷), `<server>` 36 bits of the server's key within it (a
 * gateway of 1 000 servers, the history's cap: about 7·10⁻⁶; of 50: 2·10⁻⁸), in base 36 (9 and 7
 * characters); from lower-cased names, as insightPath's (ARM names are case-insensitive).
 */
export function statusInsightPath(
  finding: Pick<Finding, 'gateway' | 'backendPool' | 'backendSettings' | 'address'>,
): string {
  const key = [finding.backendPool, finding.backendSettings, finding.address].join('\u0000').toLowerCase();
  return `${statusInsightFolder(finding.gateway)}/${base36(hash64(key), 36, 7)}.html`;
}

/** The folder of one gateway's status-page copies (statusInsightPath), replaced as its insight folder is. */
export function statusInsightFolder(gateway: GatewayNames): string {
  return `s/${base36(hash64(gatewayFolder(gateway)), 46, 9)}`;
}

/** The first `bits` (≤ 52: exact in a double) of the hex digits `hex`, in base 36, `width` characters. */
function base36(hex: string, bits: number, width: number): string {
  const value = Number.parseInt(hex.slice(0, 13), 16) / 2 ** (52 - bits);
  return Math.floor(value).toString(36).padStart(width, '0');
}

/**
 * The name of every file insightPath gives (its `.md` and `.html`), as since the first release:
 * `<pool>__<settings>__<address>-<8 hex digits>`, each part a safeSegment, the three cut at 150
 * characters. What else a gateway's insight folder holds is not ours (adapters/sinks/foreign-entries.ts):
 * a user's `runbook-20241231.md` fitted `-<8 hex>.md` alone and went with the folder (a break trial).
 */
export const INSIGHT_FILE_NAME =
  /^(?:[a-z0-9._-]+__[a-z0-9._-]+__[a-z0-9._-]+|[a-z0-9._-]{150})-[0-9a-f]{8}\.(?:md|html)$/;

/** The name of every file statusInsightPath gives: 7 base-36 digits and `.html`. */
export const STATUS_COPY_FILE_NAME = /^[0-9a-z]{7}\.html$/;

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
