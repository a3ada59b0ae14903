/**
 * One page of ARM's list of application gateways (`GET …/providers/Microsoft.Network/applicationGateways`
 * at a subscription or resource group), read strictly. Pure: a JSON value in, the gateways and the
 * next page's link out, or every problem.
 *
 * Why strict: a listing that succeeds is also a statement about what is NOT there. A gateway absent from
 * a successful listing of its scope is taken as deleted, and its open episodes are sent as `recovered`
 * (src/pipeline/expand-targets.ts `isGone`, issue 11). So an entry we cannot read (no `id`, `null`, an id
 * that is not an application gateway's, or of another scope, another `type`), a gateway listed twice (pages
 * that overlap: a page repeated, so others may be missing), or a page that does not say reliably whether
 * more follow, makes the whole listing fail (TargetListUnavailable), never a shorter "successful" one.
 *
 * ARM's shape (REST spec `ApplicationGatewayListResult`, azure-rest-api-specs
 * …/Microsoft.Network/…/stable/2025-07-01/applicationGateway.json): `{"value": [ApplicationGateway],
 * "nextLink"?: string}`, each resource with `id`, `name`, `type` ("Microsoft.Network/applicationGateways").
 * Keys are ARM's exact camelCase: the SDK follows `nextLink` only under that name
 * (@azure/arm-network v39 static-helpers/pagingHelpers.js), so a `NextLink` would end the listing early.
 * What is tolerated: other fields (ARM adds fields), an entry without `type` (its id says what it is),
 * an empty `value` (an explicit "none here", also on a page that has a `nextLink`).
 *
 * Each entry is the whole resource, as the GET of the gateway answers it (the REST spec's example
 * `ApplicationGatewayListAll.json`: `sku`, pools with their addresses, HTTP settings, rules, probes), so
 * the page also gives each gateway's configuration (gateway-config.ts): what its insights need, read
 * once here instead of one more GET per gateway with findings (issue 14: at most 2 requests a gateway).
 * What is kept of it is its ConfigurationResource (gateway-config.ts), read when a finding needs it;
 * an entry that carries no `properties.sku` (not the whole resource) gives none: the gateway is still
 * listed, and its configuration is read by the GET.
 */
import { gatewayKey, parseGatewayId } from './arm-id';
import { configurationResource, type ConfigurationResource } from './gateway-config';
import { describe, quote } from './json-describe';
import type { GatewayRef } from './model';

/** The scope listed: a subscription, or one of its resource groups. */
export interface ListScope {
  readonly subscriptionId: string;
  readonly resourceGroup?: string;
}

export type GatewayListPageRead =
  | {
      readonly ok: true;
      /** The page's gateways, in ARM's order. */
      readonly gateways: readonly GatewayRef[];
      /** The next page's absolute URL; undefined on the last page. */
      readonly nextLink: string | undefined;
      /** gatewayKey → what its entry gives of its configuration (module comment), for those that give it. */
      readonly configurations: ReadonlyMap<string, ConfigurationResource>;
    }
  | {
      readonly ok: false;
      /** `path: expected …, found …`, e.g. `value[0].id: expected …, found nothing`. */
      readonly problems: readonly string[];
    };

export interface ReadGatewayListPageOptions {
  readonly scope: ListScope;
  /** Gateways (gatewayKey) already listed on earlier pages of the same listing: listed again is a problem. */
  readonly listedBefore?: ReadonlySet<string>;
}

const APPLICATION_GATEWAY_TYPE = 'Microsoft.Network/applicationGateways';
const EXPECTED_PAGE = `ARM's list page, an object {"value": [gateways], "nextLink"?: "<url>"}`;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function scopeId(scope: ListScope): string {
  return `/subscriptions/${scope.subscriptionId}${scope.resourceGroup ? `/resourceGroups/${scope.resourceGroup}` : ''}`;
}

function inScope(gateway: GatewayRef, scope: ListScope): boolean {
  return (
    same(gateway.subscriptionId, scope.subscriptionId) &&
    (scope.resourceGroup === undefined || same(gateway.resourceGroup, scope.resourceGroup))
  );
}

/** A key that is ARM's `name` in another case: the SDK reads only the exact spelling. */
function miscased(object: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(object).find((k) => k !== name && same(k, name));
}

function readNextLink(page: Record<string, unknown>, problems: string[]): string | undefined {
  const other = miscased(page, 'nextLink');
  if (other !== undefined) {
    problems.push(
      `${other}: expected "nextLink" (ARM's spelling, the only one followed), found ${quote(other)}`,
    );
  }
  const link = page.nextLink;
  if (link === undefined || link === null) return undefined;
  if (typeof link !== 'string' || !isAbsoluteHttpUrl(link)) {
    problems.push(`nextLink: expected the next page's absolute URL or null, found ${describe(link)}`);
    return undefined;
  }
  return link;
}

function isAbsoluteHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function readEntry(
  entry: unknown,
  at: string,
  options: ReadGatewayListPageOptions,
  listed: Map<string, string>,
  problems: string[],
): GatewayRef | undefined {
  if (!isObject(entry)) {
    problems.push(
      `${at}: expected an application gateway {"id", "name", "type", …}, found ${describe(entry)}`,
    );
    return undefined;
  }
  const id = entry.id;
  if (typeof id !== 'string') {
    const name = typeof entry.name === 'string' ? ` (its name is ${quote(entry.name)})` : '';
    problems.push(
      `${at}.id: expected the gateway's ARM id, found ${describe(id)}${name}: ARM gives every listed resource its id`,
    );
    return undefined;
  }
  const gateway = parseGatewayId(id);
  if (!gateway) {
    problems.push(
      `${at}.id: expected an application gateway id ("${scopeId(options.scope)}${options.scope.resourceGroup ? '' : '/resourceGroups/<rg>'}/providers/${APPLICATION_GATEWAY_TYPE}/<name>"), found ${quote(id, 400)}`,
    );
    return undefined;
  }
  let ok = true;
  if (!inScope(gateway, options.scope)) {
    problems.push(`${at}.id: ${quote(id, 400)} is not in the scope listed (${scopeId(options.scope)})`);
    ok = false;
  }
  const type = entry.type;
  if (
    type !== undefined &&
    type !== null &&
    (typeof type !== 'string' || !same(type, APPLICATION_GATEWAY_TYPE))
  ) {
    problems.push(`${at}.type: expected "${APPLICATION_GATEWAY_TYPE}", found ${describe(type)}`);
    ok = false;
  }
  const key = gatewayKey(gateway.id);
  const before = listed.get(key) ?? (options.listedBefore?.has(key) ? 'an earlier page' : undefined);
  if (before !== undefined) {
    problems.push(
      `${at}.id: ${quote(id, 400)} is listed twice (also at ${before}): ARM's pages overlap, so others may be missing`,
    );
    ok = false;
  }
  listed.set(key, at);
  return ok ? gateway : undefined;
}

/**
 * Reads one page of ARM's gateway list (see the module comment for what fails it). Never throws.
 * Problems name the path in the page (`value[2].id`), what was expected and what was found.
 */
export function readGatewayListPage(page: unknown, options: ReadGatewayListPageOptions): GatewayListPageRead {
  if (!isObject(page)) {
    return { ok: false, problems: [`(root): expected ${EXPECTED_PAGE}, found ${describe(page)}`] };
  }
  const problems: string[] = [];
  const otherValue = miscased(page, 'value');
  if (otherValue !== undefined) {
    problems.push(`${otherValue}: expected "value" (ARM's spelling), found ${quote(otherValue)}`);
  }
  const value = page.value;
  if (!Array.isArray(value)) {
    problems.push(
      `value: expected an array of gateways (an empty array when the scope has none), found ${describe(value)}`,
    );
  }
  const nextLink = readNextLink(page, problems);
  const gateways: GatewayRef[] = [];
  const configurations = new Map<string, ConfigurationResource>();
  const listed = new Map<string, string>();
  if (Array.isArray(value)) {
    value.forEach((entry, i) => {
      const gateway = readEntry(entry, `value[${i}]`, options, listed, problems);
      if (!gateway) return;
      gateways.push(gateway);
      const resource = configurationResource(entry);
      if (resource) configurations.set(gatewayKey(gateway.id), resource);
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, gateways, nextLink, configurations };
}
