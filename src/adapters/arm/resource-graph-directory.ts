import { clipMessage } from '../../core/text-clip';
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { gatewayKey, type Target } from '../../core/arm-id';
import { tagsMatch, type DiscoveryFilter } from '../../core/discovery/filter';
import { buildGatewayQuery } from '../../core/discovery/gateway-query';
import { incompleteListing, readGraphPage, type GraphScope } from '../../core/discovery/graph-page';
import type { ListScope } from '../../core/gateway-list-page';
import type { GatewayRef } from '../../core/model';
import {
  ConfigError,
  isCancellation,
  isTargetListUnavailableError,
  MissingPermissionError,
  TargetListUnavailableError,
} from '../../errors';
import type { GatewayDirectory, ListOptions, TargetListing } from '../../ports';
import { toArmError, type ArmConnection, type ListTarget } from './errors';
import { tellingFailedAttempts } from './failed-attempts';
import { answerJson, capturingResponses, type CapturedAnswer } from './response-capture';

/** Resource Graph's largest page (`$top` "maximum": 1000 in the REST spec's QueryRequestOptions). */
export const GRAPH_PAGE_SIZE = 1000;

const READ_ACTION = 'Microsoft.Network/applicationGateways/read';

export interface ResourceGraphDirectoryOptions {
  readonly filter: DiscoveryFilter;
  /** Rows a page (`$top`), 1 to 1000; default 1000. Tests page smaller. */
  readonly pageSize?: number;
}

/**
 * Lists a target's gateways with one paged Azure Resource Graph query (src/core/discovery/gateway-query.ts)
 * over its management group or subscription (a resource group's with a `where`): used for management
 * groups, which ARM cannot list, and whenever a discovery filter is set (discovery-directory.ts). Pages
 * follow `$skipToken` with the same query and scope; each is read from Resource Graph's own text by
 * src/core/discovery/graph-page.ts, and anything that is not the complete answer (a page that is not
 * Resource Graph's shape, a truncated result, fewer rows than it counted, pages that overlap, a scope
 * cut short at its subscription limit) fails the whole listing with a TargetListUnavailableError saying
 * what came: never a shorter one.
 *
 * Which scopes a listing shows whole (TargetListing.shownScopes): Resource Graph answers only what the
 * identity may read, and an empty answer for a scope it may not, so only the subscriptions (the
 * resource group) it returned a gateway from are shown; a gateway elsewhere is never taken as deleted
 * from it. Errors: 403 → MissingPermissionError saying which role on which scope; 400 for the query
 * itself → ConfigError naming the discovery settings; the rest as ARM's (toArmError).
 */
export function createResourceGraphDirectory(
  graph: () => Promise<ResourceGraphClient>,
  connection: ArmConnection,
  options: ResourceGraphDirectoryOptions,
): GatewayDirectory {
  const pageSize = Math.min(GRAPH_PAGE_SIZE, Math.max(1, options.pageSize ?? GRAPH_PAGE_SIZE));
  return {
    async listGateways(target: Target, callOptions: ListOptions = {}): Promise<TargetListing> {
      if (target.kind === 'gateway')
        return { gateways: [target.gateway], present: [target.gateway], shownScopes: [] };
      const scope: GraphScope =
        target.kind === 'managementGroup'
          ? { managementGroup: target.managementGroup }
          : target.kind === 'resourceGroup'
            ? { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup }
            : { subscriptionId: target.subscriptionId };
      const request = {
        ...(target.kind === 'managementGroup'
          ? { managementGroups: [target.managementGroup] }
          : { subscriptions: [target.subscriptionId] }),
        query: buildGatewayQuery({
          filter: options.filter,
          ...(target.kind === 'resourceGroup' ? { resourceGroup: target.resourceGroup } : {}),
        }),
      };
      const capture: CapturedAnswer = {};
      let pageNumber = 1;
      try {
        const client = await graph();
        for (let attempt = 1; ; attempt += 1) {
          const listed = new Set<string>();
          const gateways: GatewayRef[] = [];
          const present: GatewayRef[] = [];
          pageNumber = 1;
          let skipToken: string | undefined;
          let totalRecords: number | undefined;
          let counted: string | undefined;
          do {
            await tellingFailedAttempts(
              callOptions,
              () =>
                capturingResponses(capture, () =>
                  client.resources(
                    {
                      ...request,
                      options: {
                        top: pageSize,
                        resultFormat: 'objectArray',
                        ...(skipToken ? { skipToken } : {}),
                      },
                    },
                    callOptions.abortSignal ? { abortSignal: callOptions.abortSignal } : {},
                  ),
                ),
              'Resource Graph',
            );
            const page = readPage(capture, target, scope, listed, pageNumber);
            for (const row of page.rows) {
              listed.add(gatewayKey(row.gateway.id));
              present.push(row.gateway);
              if (row.selected && tagsMatch(options.filter.tags, row.tags)) gateways.push(row.gateway);
            }
            counted = countChanged(totalRecords, page.totalRecords, pageNumber);
            if (counted) break;
            skipToken = page.skipToken;
            totalRecords = page.totalRecords;
            pageNumber += 1;
          } while (skipToken !== undefined);
          // Pages are taken by position, so a gateway removed while they are read moves one row back
          // past the page boundary: it is skipped, and the pages still add up to the last count (a
          // fan-out trial: an existing gateway was taken as deleted, and its episode sent `recovered`).
          // Once more from the start; a count that changes again fails the listing.
          if (counted) {
            if (attempt < COUNT_CHANGE_ATTEMPTS) continue;
            throw new TargetListUnavailableError(
              target.id,
              `Resource Graph answered 200, but ${counted}, on ${COUNT_CHANGE_ATTEMPTS} listings in a row: ` +
                'gateways were added or removed while it paged, so rows may have been skipped',
              { unreadableAnswer: true },
            );
          }
          const incomplete = incompleteListing(present.length, totalRecords ?? 0);
          if (incomplete)
            throw new TargetListUnavailableError(
              target.id,
              `Resource Graph answered 200, but ${incomplete}`,
              {
                unreadableAnswer: true,
              },
            );
          return { gateways, present, shownScopes: shownScopes(target, present) };
        }
      } catch (error) {
        // The SDK failed on a 200 it could not take (not JSON, `null`): say what Resource Graph sent.
        if (capture.last && !isTargetListUnavailableError(error) && !isCancellation(error)) {
          const text = capture.last.text;
          capture.last = undefined;
          throw new TargetListUnavailableError(target.id, describeUnreadable(text, pageNumber, error), {
            cause: error,
            unreadableAnswer: true,
          });
        }
        throw toGraphError(error, target, connection);
      }
    },
  };
}

/** Listings of one target begun before a count that changes between pages fails it (see listGateways). */
const COUNT_CHANGE_ATTEMPTS = 2;

/** Says the count that changed from one page to the next; undefined when it did not (or on the first page). */
function countChanged(before: number | undefined, now: number, page: number): string | undefined {
  return before === undefined || before === now
    ? undefined
    : `its count of rows changed between pages (${before} rows, then ${now} on page ${page})`;
}

function call(page: number): string {
  return page === 1 ? 'the query' : `the query for page ${page} (the previous page's $skipToken)`;
}

/** The rows of the page the SDK just took, or a TargetListUnavailableError saying what Resource Graph sent. */
function readPage(
  capture: CapturedAnswer,
  target: Target,
  scope: GraphScope,
  listed: ReadonlySet<string>,
  page: number,
) {
  const answer = capture.last;
  capture.last = undefined; // the next page's answer is its own
  const fail = (detail: string) =>
    new TargetListUnavailableError(target.id, `Resource Graph answered 200 to ${call(page)} ${detail}`, {
      unreadableAnswer: true,
    });
  // "When a security principal has access to more than 10,000 subscriptions within the tenant or
  // management group query scope, the response is limited to the first 10,000 subscriptions and the
  // x-ms-tenant-subscription-limit-hit header is returned as true" (guidance-for-throttled-requests).
  if (answer?.headers?.get('x-ms-tenant-subscription-limit-hit')?.trim().toLowerCase() === 'true')
    throw fail(
      'for only part of the scope (x-ms-tenant-subscription-limit-hit: true, its subscription limit): ' +
        'split the management group into smaller targets',
    );
  const json = answerJson(answer?.text, ` to ${call(page)}`, 'Resource Graph');
  if (!json.ok) throw new TargetListUnavailableError(target.id, json.detail, { unreadableAnswer: true });
  const read = readGraphPage(json.value, { scope, listedBefore: listed });
  if (!read.ok) {
    const more = read.problems.length > 3 ? ` (and ${read.problems.length - 3} more)` : '';
    throw fail(`with what is not its complete answer: ${read.problems.slice(0, 3).join('; ')}${more}`);
  }
  return read;
}

function describeUnreadable(text: string | undefined, page: number, error: unknown): string {
  const json = answerJson(text, ` to ${call(page)}`, 'Resource Graph');
  if (!json.ok) return json.detail;
  const line = clipMessage(error instanceof Error ? error.message : String(error), 300, { oneLine: true });
  return `Resource Graph answered 200 to ${call(page)} with an answer the SDK could not read (${line})`;
}

/** The subscriptions (or the resource group) the listing returned a gateway from: see the module comment. */
function shownScopes(target: Target, present: readonly GatewayRef[]): ListScope[] {
  if (present.length === 0) return [];
  if (target.kind === 'resourceGroup')
    return [{ subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup }];
  const subscriptions = new Map(present.map((g) => [g.subscriptionId.toLowerCase(), g.subscriptionId]));
  return [...subscriptions.values()].map((subscriptionId) => ({ subscriptionId }));
}

interface GraphErrorBody {
  code?: string;
  message?: string;
  details?: Array<{ code?: string; message?: string }>;
}

/** Resource Graph's error body: a generic `message`, the meaning in `details` (see the emulator's route). */
function graphErrorBody(error: unknown): GraphErrorBody | undefined {
  const e = error as { details?: { error?: GraphErrorBody }; response?: { bodyAsText?: string | null } };
  if (e?.details?.error) return e.details.error;
  try {
    return (JSON.parse(e?.response?.bodyAsText ?? '') as { error?: GraphErrorBody }).error;
  } catch {
    return undefined;
  }
}

/** `AccessDenied: Access is denied …; …`: what Resource Graph's details say, short. */
function detailText(body: GraphErrorBody | undefined): string {
  const parts = (body?.details ?? [])
    .map((d) => [d.code, d.message].filter((x) => typeof x === 'string' && x !== '').join(': '))
    .filter((x) => x !== '');
  const text = parts.length > 0 ? parts.join('; ') : [body?.code, body?.message].filter(Boolean).join(': ');
  return clipMessage(text, 400, { oneLine: true });
}

/** Maps a failed query to the error a user can act on (see createResourceGraphDirectory). */
function toGraphError(error: unknown, target: ListTarget, connection: ArmConnection): Error {
  const status = (error as { statusCode?: unknown })?.statusCode;
  const body = status === 403 || status === 400 ? graphErrorBody(error) : undefined;
  const said = detailText(body);
  const detail = `Resource Graph answered ${status}${body?.code ? ` ${body.code}` : ''}${said ? `: ${said}` : ''}`;
  if (status === 403) {
    const advice =
      target.kind === 'managementGroup'
        ? `Assign the identity Reader (or a role with ${READ_ACTION}) on the management group ${target.id}: ` +
          'the subscriptions under it inherit it. Resource Graph also answers 403 for a management group that does not ' +
          'exist: check that targets (APPGW_TARGETS) names its ID, not its display name.'
        : `Assign the identity Reader (or a role with ${READ_ACTION}) on ${target.id}, or on a management group above it.`;
    return new MissingPermissionError(target.id, READ_ACTION, detail, { cause: error, advice });
  }
  if (
    status === 400 &&
    (body?.details ?? []).some((d) => d.code === 'InvalidQuery' || d.code === 'ParserFailure')
  )
    return new ConfigError([
      `discovery: Resource Graph refused the query built from it for ${target.id} (${detail}). Check ` +
        'discovery.tags, discovery.names and discovery.locations (APPGW_DISCOVERY_*); if they are as you meant, ' +
        'this is a bug in appgw-insights: please report it with this message',
    ]);
  const call = { kind: 'list', target, action: READ_ACTION } as const;
  const mapped = toArmError(error, call, connection);
  if (status === 400 && mapped instanceof TargetListUnavailableError)
    return new TargetListUnavailableError(target.id, detail, { cause: error });
  return mapped;
}
