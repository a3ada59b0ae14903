/**
 * POST /providers/Microsoft.ResourceGraph/resources: Azure Resource Graph's query, for the query shape
 * the product sends (src/emulator/kql.ts reads it; it is not a KQL engine). The `resources` table holds
 * the scenario's gateways; the request body's `subscriptions` or `managementGroups` (the scenario's
 * `managementGroups`) choose which. Paged like Resource Graph: `options.$top` rows (1000 at most, the
 * default), `options.$skip`, and a `$skipToken` in the answer while more remain, valid only with the
 * same query and scopes. Each answer carries the per-user quota headers; past the quota a 429 with
 * Retry-After. Shapes: REST spec Microsoft.ResourceGraph stable/2024-04-01 resourcegraph.json and its
 * examples; the error bodies as Resource Graph words them (Azure/azure-sdk-for-java#29924 for 403
 * AccessDenied, MicrosoftDocs/azure-docs and scautomation/AzureResourceGraph-Examples#2 for 400
 * InvalidQuery).
 */
import { createHash, randomUUID } from 'node:crypto';
import { key } from '../arm-id';
import { KqlParseError, parseQuery, run, type Row } from '../kql';
import type { Scenario } from '../scenario';
import type { EmulatorState, GatewayEntry } from '../state';
import type { RouteContext } from './context';
import { faultReply, type Reply } from './errors';

const MAX_TOP = 1000;

/** Resource Graph's error body: a generic message, the meaning in `details`. */
function graphError(status: number, code: string, details: ReadonlyArray<Record<string, unknown>>): Reply {
  return {
    status,
    body: {
      error: {
        code,
        message: `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${randomUUID()}.`,
        details,
      },
    },
  };
}

export const invalidQuery = (problem: string): Reply =>
  graphError(400, 'BadRequest', [
    {
      code: 'InvalidQuery',
      message:
        'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.',
    },
    {
      code: 'ParserFailure',
      message: `ParserFailure: ${problem} (the emulator reads only the query the product sends)`,
    },
  ]);

export const badRequest = (code: string, message: string): Reply =>
  graphError(400, 'BadRequest', [{ code, message }]);

export const accessDenied = (): Reply =>
  graphError(403, 'AccessDenied', [
    {
      code: 'AccessDenied',
      message: 'Access is denied to the requested resource. The user might not have enough permission.',
    },
  ]);

function hhmmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/** Counts the query against the quota (src/emulator/limits.ts, QueryQuota); the headers to send, and whether it is over. */
function spendQuota(state: EmulatorState): {
  headers: Record<string, string>;
  over: boolean;
  waitMs: number;
} {
  const { over, remaining, resetsInMs } = state.graphQuota.take();
  return {
    over,
    waitMs: resetsInMs,
    headers: {
      'x-ms-user-quota-remaining': String(remaining),
      'x-ms-user-quota-resets-after': hhmmss(resetsInMs),
    },
  };
}

/** The scenario's subscriptions under these management groups, or the first unknown group. */
function managementGroupSubscriptions(
  scenario: Scenario,
  names: readonly string[],
): { subscriptions: string[] } | { unknown: string } {
  const groups = Object.entries(scenario.managementGroups ?? {});
  const subscriptions: string[] = [];
  for (const name of names) {
    const group = groups.find(([n]) => n.toLowerCase() === name.toLowerCase());
    if (!group) return { unknown: name };
    subscriptions.push(...group[1]);
  }
  return { subscriptions };
}

const stringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

interface SkipToken {
  readonly offset: number;
  readonly request: string;
}

function readSkipToken(token: string): SkipToken | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<SkipToken>;
    return typeof value.offset === 'number' && typeof value.request === 'string'
      ? { offset: value.offset, request: value.request }
      : undefined;
  } catch {
    return undefined;
  }
}

function resourceRow(entry: GatewayEntry): Row {
  return {
    id: entry.gateway.id,
    name: entry.parts.name,
    type: 'microsoft.network/applicationgateways',
    location: entry.gateway.location,
    subscriptionId: entry.parts.subscriptionId,
    resourceGroup: entry.parts.resourceGroup.toLowerCase(),
    tags: entry.gateway.tags ?? {},
  };
}

export async function queryResources(ctx: RouteContext): Promise<Reply> {
  const { state } = ctx;
  if (ctx.body === undefined) return badRequest('RequestTooLarge', 'The request body is too large.');
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(ctx.body) as Record<string, unknown>;
  } catch {
    return badRequest(
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized.',
    );
  }
  if (typeof request !== 'object' || request === null || typeof request.query !== 'string')
    return badRequest('InvalidRequestContent', 'The request must be an object with a "query" string.');
  const options = (request.options ?? {}) as Record<string, unknown>;

  // Which subscriptions: those named, those under the management groups named, or every one (tenant).
  let subscriptions: string[];
  if (request.managementGroups !== undefined) {
    if (!stringArray(request.managementGroups))
      return badRequest('InvalidRequestContent', '"managementGroups" must be an array of names.');
    const found = managementGroupSubscriptions(state.scenario, request.managementGroups);
    if ('unknown' in found) return accessDenied(); // as for a group the caller may not read
    subscriptions = found.subscriptions;
  } else if (request.subscriptions !== undefined) {
    if (!stringArray(request.subscriptions))
      return badRequest('InvalidRequestContent', '"subscriptions" must be an array of ids.');
    subscriptions = request.subscriptions;
  } else {
    subscriptions = [...new Set(state.entries.map((e) => e.parts.subscriptionId))];
  }
  subscriptions = [...new Map(subscriptions.map((s) => [key(s), s])).values()];
  const limitHit = subscriptions.length > state.scenario.resourceGraph.subscriptionLimit;
  const wanted = new Set(subscriptions.slice(0, state.scenario.resourceGraph.subscriptionLimit).map(key));
  const inScope = state.entries.filter((e) => wanted.has(key(e.parts.subscriptionId)));

  const top = options.$top ?? MAX_TOP;
  if (typeof top !== 'number' || !Number.isInteger(top) || top < 1 || top > MAX_TOP)
    return badRequest('InvalidRequestContent', `"$top" must be a whole number from 1 to ${MAX_TOP}.`);
  if (options.resultFormat !== undefined && options.resultFormat !== 'objectArray')
    return badRequest('UnsupportedResultFormat', 'The emulator answers "resultFormat": "objectArray" only.');
  // The token holds the offset and the request it belongs to: another query or scope cannot use it.
  const requestKey = createHash('sha256')
    .update(JSON.stringify([request.query, request.subscriptions ?? null, request.managementGroups ?? null]))
    .digest('base64url');
  let offset = typeof options.$skip === 'number' ? options.$skip : 0;
  if (options.$skipToken !== undefined) {
    const token = typeof options.$skipToken === 'string' ? readSkipToken(options.$skipToken) : undefined;
    if (!token || token.request !== requestKey)
      return badRequest('InvalidSkipToken', 'The $skipToken is not valid for this query and scope.');
    offset = token.offset;
  }
  const page = Math.floor(offset / top) + 1;

  const quota = spendQuota(state);
  if (quota.over) {
    return {
      ...graphError(429, 'RateLimiting', [
        {
          code: 'RateLimiting',
          message: 'Please provide below info when asking for support: the user quota is exhausted.',
        },
      ]),
      headers: { ...quota.headers, 'retry-after': String(Math.max(1, Math.ceil(quota.waitMs / 1000))) },
    };
  }

  // reduce, not Math.max(...spread): a spread of one argument per gateway overflows the stack past ~100 000.
  await state.delay(inScope.reduce((most, e) => Math.max(most, e.gateway.delayMs), 0));
  for (const entry of inScope) {
    const fault = state.takeListFault(entry, page, 'resourceGraph');
    if (fault && 'text' in fault) return { status: 200, text: fault.text, headers: quota.headers };
    if (fault && 'status' in fault && fault.code === undefined && fault.message === undefined) {
      if (fault.status === 403) return { ...accessDenied(), headers: quota.headers };
      if (fault.status === 400)
        return { ...invalidQuery('injected by the emulator scenario'), headers: quota.headers };
    }
    if (fault)
      return faultReply(
        fault,
        'Microsoft.Network/applicationGateways/read',
        '/providers/Microsoft.ResourceGraph/resources',
      );
  }

  let rows: Array<Record<string, unknown>>;
  try {
    rows = run(parseQuery(request.query), inScope.map(resourceRow));
  } catch (error) {
    if (error instanceof KqlParseError || error instanceof SyntaxError) return invalidQuery(error.message);
    throw error;
  }
  const data = rows.slice(offset, offset + top);
  const next = offset + data.length;
  const body: Record<string, unknown> = {
    totalRecords: rows.length,
    count: data.length,
    resultTruncated: 'false',
    facets: [],
    data,
  };
  if (next < rows.length)
    body.$skipToken = Buffer.from(JSON.stringify({ offset: next, request: requestKey })).toString(
      'base64url',
    );
  const headers: Record<string, string> = { ...quota.headers };
  if (limitHit) headers['x-ms-tenant-subscription-limit-hit'] = 'true';
  return { status: 200, body, headers };
}
