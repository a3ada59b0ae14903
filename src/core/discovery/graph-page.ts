/**
 * One page of Resource Graph's answer to the gateway query (src/core/discovery/gateway-query.ts), read
 * strictly, and the check that the pages together are the whole result. Pure.
 *
 * Why strict: as with ARM's list pages (src/core/gateway-list-page.ts), a listing says which gateways
 * are gone, so anything that is not Resource Graph's complete answer fails the whole listing
 * (TargetListUnavailable), never a shorter "successful" one.
 *
 * Resource Graph's shape (REST spec `QueryResponse`, azure-rest-api-specs Microsoft.ResourceGraph
 * stable/2024-04-01 resourcegraph.json): `{"totalRecords", "count", "resultTruncated": "true"|"false",
 * "$skipToken"?, "data": [rows], "facets"}`, rows as objects with `resultFormat: objectArray` (the
 * default). `resultTruncated` is "true" when the result could not be paged ("When resultTruncated is
 * true, the $skipToken property isn't set": learn.microsoft.com azure/governance/resource-graph/concepts/
 * paging-results); `count < totalRecords` without a `$skipToken` is the same. Both fail the listing.
 * Resource Graph writes `type` in lower case (the spec's examples), so it is compared in any case.
 */
import { gatewayKey, parseGatewayId } from '../arm-id';
import { describe, quote } from '../json-describe';
import type { GatewayRef } from '../model';
import { APPLICATION_GATEWAY_GRAPH_TYPE } from './gateway-query';

/** What was asked: one subscription (maybe one of its resource groups), or management groups (any subscription). */
export type GraphScope =
  { readonly subscriptionId: string; readonly resourceGroup?: string } | { readonly managementGroup: string };

export interface GraphRow {
  readonly gateway: GatewayRef;
  /** The discovery filter's names and locations pick it (its tags: `tags`, filter.ts tagsMatch). */
  readonly selected: boolean;
  /**
   * The gateway's tags, when the query asked for them (a tag filter) and the row has them: an object of
   * text values (ARM's tag values are text). `null` or absent: none (an untagged resource; whether
   * Resource Graph writes a null column in an objectArray row is not documented, so absent is read so
   * too). Anything else, a value that is not text included, is not Resource Graph's answer and fails the
   * page, as a bad `selected` does.
   */
  readonly tags?: Readonly<Record<string, string>>;
}

export type GraphPageRead =
  | {
      readonly ok: true;
      readonly rows: readonly GraphRow[];
      /** Pass back (with the same query and scopes) for the next page; undefined on the last. */
      readonly skipToken: string | undefined;
      readonly totalRecords: number;
    }
  | { readonly ok: false; readonly problems: readonly string[] };

export interface ReadGraphPageOptions {
  readonly scope: GraphScope;
  /** Gateways (gatewayKey) listed on earlier pages of the same listing: listed again is a problem. */
  readonly listedBefore?: ReadonlySet<string>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const EXPECTED =
  'Resource Graph\'s answer, an object {"totalRecords", "count", "resultTruncated", "$skipToken"?, "data": [rows]}';

function scopeText(scope: GraphScope): string {
  if ('managementGroup' in scope) return `management group ${scope.managementGroup}`;
  return `/subscriptions/${scope.subscriptionId}${scope.resourceGroup ? `/resourceGroups/${scope.resourceGroup}` : ''}`;
}

function inScope(gateway: GatewayRef, scope: GraphScope): boolean {
  if ('managementGroup' in scope) return true; // which subscriptions it holds is Resource Graph's to say
  return (
    same(gateway.subscriptionId, scope.subscriptionId) &&
    (scope.resourceGroup === undefined || same(gateway.resourceGroup, scope.resourceGroup))
  );
}

function wholeNumber(page: Record<string, unknown>, key: string, problems: string[]): number | undefined {
  const value = page[key];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  problems.push(`${key}: expected a whole number, found ${describe(value)}`);
  return undefined;
}

function readRow(
  row: unknown,
  at: string,
  options: ReadGraphPageOptions,
  listed: Map<string, string>,
  problems: string[],
): GraphRow | undefined {
  if (!isObject(row)) {
    problems.push(`${at}: expected a row {"id", "type", "selected", …}, found ${describe(row)}`);
    return undefined;
  }
  const id = row.id;
  if (typeof id !== 'string') {
    problems.push(`${at}.id: expected the gateway's ARM id, found ${describe(id)}`);
    return undefined;
  }
  const gateway = parseGatewayId(id);
  if (!gateway) {
    problems.push(`${at}.id: expected an application gateway id, found ${quote(id, 400)}`);
    return undefined;
  }
  let ok = true;
  if (!inScope(gateway, options.scope)) {
    problems.push(`${at}.id: ${quote(id, 400)} is not in the scope queried (${scopeText(options.scope)})`);
    ok = false;
  }
  const type = row.type;
  if (typeof type !== 'string' || !same(type, APPLICATION_GATEWAY_GRAPH_TYPE)) {
    problems.push(
      `${at}.type: expected "${APPLICATION_GATEWAY_GRAPH_TYPE}" (any case), found ${describe(type)}`,
    );
    ok = false;
  }
  const selected = row.selected;
  if (typeof selected !== 'boolean') {
    problems.push(
      `${at}.selected: expected true or false (the query's own column), found ${describe(selected)}`,
    );
    ok = false;
  }
  const key = gatewayKey(gateway.id);
  const before = listed.get(key) ?? (options.listedBefore?.has(key) ? 'an earlier page' : undefined);
  if (before !== undefined) {
    problems.push(
      `${at}.id: ${quote(id, 400)} is listed twice (also at ${before}): the pages overlap, so others may be missing`,
    );
    ok = false;
  }
  const tags = row.tags;
  const notText = isObject(tags)
    ? Object.entries(tags).find(([, value]) => typeof value !== 'string')
    : undefined;
  if ((tags !== undefined && tags !== null && !isObject(tags)) || notText !== undefined) {
    const found = notText ? `${quote(notText[0], 100)}: ${describe(notText[1])}` : describe(tags);
    problems.push(
      `${at}.tags (${quote(id, 400)}): expected the gateway's tags, an object of text values or null, found ${found}`,
    );
    ok = false;
  }
  listed.set(key, at);
  if (!ok) return undefined;
  // The parsed object as it is: its values were checked above, and JSON gives `__proto__` as a name.
  return {
    gateway,
    selected: selected === true,
    ...(isObject(tags) ? { tags: tags as Record<string, string> } : {}),
  };
}

/** Reads one page (see the module comment for what fails it). Never throws. */
export function readGraphPage(page: unknown, options: ReadGraphPageOptions): GraphPageRead {
  if (!isObject(page))
    return { ok: false, problems: [`(root): expected ${EXPECTED}, found ${describe(page)}`] };
  const problems: string[] = [];
  const totalRecords = wholeNumber(page, 'totalRecords', problems);
  const count = wholeNumber(page, 'count', problems);
  const truncated = page.resultTruncated;
  if (truncated === 'true' || truncated === true) {
    problems.push('resultTruncated: Resource Graph says the result is truncated (it could not be paged)');
  } else if (truncated !== 'false' && truncated !== false) {
    problems.push(`resultTruncated: expected "false", found ${describe(truncated)}`);
  }
  const token = page.$skipToken;
  if (token !== undefined && token !== null && (typeof token !== 'string' || token === '')) {
    problems.push(`$skipToken: expected the next page's token or nothing, found ${describe(token)}`);
  }
  const data = page.data;
  const rows: GraphRow[] = [];
  if (!Array.isArray(data)) {
    const table = isObject(data) && 'rows' in data ? ' (a table: the query asks for objectArray rows)' : '';
    problems.push(`data: expected an array of rows, found ${describe(data)}${table}`);
  } else {
    const listed = new Map<string, string>();
    data.forEach((row, i) => {
      const read = readRow(row, `data[${i}]`, options, listed, problems);
      if (read) rows.push(read);
    });
    if (count !== undefined && count !== data.length)
      problems.push(`count: says ${count} rows, the page has ${data.length}`);
  }
  if (totalRecords !== undefined && count !== undefined && count > totalRecords)
    problems.push(`count: ${count} rows is more than totalRecords (${totalRecords})`);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    rows,
    skipToken: typeof token === 'string' ? token : undefined,
    totalRecords: totalRecords ?? 0,
  };
}

/**
 * After the last page (no `$skipToken`): whether the pages hold the whole result, `totalRecords` of
 * the last page. Returns the problem, or undefined when complete.
 */
export function incompleteListing(rowsListed: number, totalRecords: number): string | undefined {
  if (rowsListed === totalRecords) return undefined;
  return rowsListed < totalRecords
    ? `the pages hold ${rowsListed} of the ${totalRecords} rows Resource Graph counted, and the last has no $skipToken`
    : `the pages hold ${rowsListed} rows, more than the ${totalRecords} Resource Graph counted`;
}
