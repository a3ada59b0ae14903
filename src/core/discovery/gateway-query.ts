/**
 * The one Resource Graph query the product sends to list application gateways: every gateway in the
 * request's scope (its subscriptions or management groups; a resource group's with a `where`), each
 * with a `selected` column saying whether the filter's names and locations pick it, and, when the
 * filter has tags, the gateway's `tags` for the product to match (filter.ts tagsMatch: ARM's tag names
 * are case-insensitive, KQL's `tags['env']` is not). Pure.
 *
 * Why every gateway in scope and not only the selected ones: a listing is also a statement about what
 * is NOT there (a gateway absent from it is taken as deleted, and its servers are sent as recovered:
 * src/pipeline/expand-targets.ts). A gateway that merely stopped matching the filter (a tag removed) is
 * present, not deleted; only the full listing can tell the two apart.
 *
 * Why `order by id`: Resource Graph pages with `$skipToken` "in stable sorted fashion" only when `id` is
 * in the result (azure-rest-api-specs, Microsoft.ResourceGraph stable/2024-04-01
 * examples/ResourcesNextPageQuery.json). Every value from the config is written with kqlString, so a
 * quote, backslash, line break or `|` in a name pattern or location stays inside its literal
 * (test/core/discovery/); tag names and values never reach the query.
 */
import { globToRegex, kqlString } from './kql';
import type { DiscoveryFilter } from './filter';

/** The columns the query returns (and `tags` with a tag filter), each row read by src/core/discovery/graph-page.ts. */
export const GATEWAY_COLUMNS = [
  'id',
  'name',
  'type',
  'location',
  'subscriptionId',
  'resourceGroup',
  'selected',
];

/** Resource Graph's name for the type; `=~` compares it in any case. */
export const APPLICATION_GATEWAY_GRAPH_TYPE = 'microsoft.network/applicationgateways';

export interface GatewayQueryOptions {
  readonly filter: DiscoveryFilter;
  /** Only this resource group's gateways (a resource-group target); the request names its subscription. */
  readonly resourceGroup?: string;
}

/** The KQL text; lines joined by `\n`, one operator each. Throws a RangeError only for input the config refuses. */
export function buildGatewayQuery(options: GatewayQueryOptions): string {
  const lines = ['resources', `| where type =~ ${kqlString(APPLICATION_GATEWAY_GRAPH_TYPE)}`];
  if (options.resourceGroup !== undefined)
    lines.push(`| where resourceGroup =~ ${kqlString(options.resourceGroup)}`);
  lines.push(`| extend selected = ${selection(options.filter)}`);
  const columns = options.filter.tags.length > 0 ? [...GATEWAY_COLUMNS, 'tags'] : GATEWAY_COLUMNS;
  lines.push(`| project ${columns.join(', ')}`);
  lines.push('| order by id asc');
  return lines.join('\n');
}

/**
 * The filter's locations and names as one boolean KQL expression: `true` without them; else
 * `(…) and (…)`, each a kind. Its tags are not in it: they are matched by tagsMatch (filter.ts).
 */
export function selection(filter: DiscoveryFilter): string {
  const groups: string[] = [];
  if (filter.locations.length > 0)
    groups.push(`location in~ (${filter.locations.map(kqlString).join(', ')})`);
  if (filter.namePatterns.length > 0)
    groups.push(
      filter.namePatterns.map((p) => `name matches regex ${kqlString(globToRegex(p))}`).join(' or '),
    );
  return groups.length === 0 ? 'true' : groups.map((g) => `(${g})`).join(' and ');
}
