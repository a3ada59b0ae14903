/**
 * Maps a request to a route the way ARM does: path segments compared case-insensitively, the bearer
 * token checked first, then the subscription's request limits (src/emulator/limits.ts), then
 * `api-version` (any value, but it must be there).
 */
import { getOperationResult, getOperationStatus } from './routes/operations';
import { postBackendHealth } from './routes/backend-health';
import { postBackendHealthOnDemand } from './routes/on-demand';
import type { RouteContext } from './routes/context';
import {
  invalidToken,
  malformedAuthorization,
  methodNotAllowed,
  missingApiVersion,
  missingAuthorization,
  type Reply,
  subscriptionRequestsThrottled,
  unknownRoute,
} from './routes/errors';
import { getGateway } from './routes/gateway';
import { listGateways } from './routes/list';
import { requestKindOf } from '../core/pacing/request-limits';
import { actorIdOf, NO_CHARGE } from './limits';
import { queryResources } from './routes/resource-graph';
import type { EmulatorState } from './state';

export interface IncomingCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  /** The request's body as text; undefined when it was larger than the emulator reads. */
  readonly body?: string | undefined;
  readonly baseUrl: string;
}

/**
 * What a request asked for, by route: `list` (either list, and each `nextLink` page), `gateway` (GET of
 * one), `backendHealth` (the POST), `backendHealthOnDemand` (the on-demand probe's POST), `operationResult` / `operationStatus` (the Location and
 * Azure-AsyncOperation polls), `resourceGraph`, or `other` (no route: 404, or a path outside ARM's).
 */
export type RouteName =
  | 'list'
  | 'gateway'
  | 'backendHealth'
  | 'backendHealthOnDemand'
  | 'operationResult'
  | 'operationStatus'
  | 'resourceGraph'
  | 'other';

interface Route {
  readonly name: Exclude<RouteName, 'other'>;
  readonly method: 'GET' | 'POST';
  /** Lower-case literals; `*` captures a segment (passed to `handle` in order). */
  readonly pattern: readonly string[];
  /**
   * false: the request draws on no subscription bucket (Resource Graph: not subscription-level, it keeps
   * its own per-user quota, routes/resource-graph.ts). Otherwise its subscription is the first captured
   * segment, and its method says the bucket: a GET is a read, any other method a write, POST actions
   * included (`requestKindOf`; see README.md, "limits").
   */
  readonly subscriptionLimits?: false;
  readonly handle: (ctx: RouteContext, c: readonly string[]) => Promise<Reply>;
}

const SUB = ['subscriptions', '*'];
const RG = [...SUB, 'resourcegroups', '*'];
const APPGW = ['providers', 'microsoft.network', 'applicationgateways'];
const LOCATION = [...SUB, 'providers', 'microsoft.network', 'locations', '*'];
const at = (c: readonly string[], i: number): string => c[i] ?? '';
const gw = (c: readonly string[]) => ({ subscriptionId: at(c, 0), resourceGroup: at(c, 1), name: at(c, 2) });
const op = (c: readonly string[]) => ({
  subscriptionId: at(c, 0),
  location: at(c, 1),
  operationId: at(c, 2),
});

const ROUTES: readonly Route[] = [
  {
    name: 'list',
    method: 'GET',
    pattern: [...SUB, ...APPGW],
    handle: (x, c) => listGateways(x, { subscriptionId: at(c, 0) }),
  },
  {
    name: 'list',
    method: 'GET',
    pattern: [...RG, ...APPGW],
    handle: (x, c) => listGateways(x, { subscriptionId: at(c, 0), resourceGroup: at(c, 1) }),
  },
  {
    name: 'gateway',
    method: 'GET',
    pattern: [...RG, ...APPGW, '*'],
    handle: (x, c) => getGateway(x, gw(c)),
  },
  {
    name: 'backendHealth',
    method: 'POST',
    pattern: [...RG, ...APPGW, '*', 'backendhealth'],
    handle: (x, c) => postBackendHealth(x, gw(c)),
  },
  {
    name: 'backendHealthOnDemand',
    method: 'POST',
    pattern: [...RG, ...APPGW, '*', 'getbackendhealthondemand'],
    handle: (x, c) => postBackendHealthOnDemand(x, gw(c)),
  },
  {
    name: 'operationResult',
    method: 'GET',
    pattern: [...LOCATION, 'operationresults', '*'],
    handle: (x, c) => getOperationResult(x, op(c)),
  },
  {
    name: 'operationStatus',
    method: 'GET',
    pattern: [...LOCATION, 'operations', '*'],
    handle: (x, c) => getOperationStatus(x, op(c)),
  },
  {
    name: 'resourceGraph',
    method: 'POST',
    subscriptionLimits: false,
    pattern: ['providers', 'microsoft.resourcegraph', 'resources'],
    handle: (x) => queryResources(x),
  },
];

/** The captured segments when `segments` fit `pattern`, else undefined. */
function match(segments: readonly string[], pattern: readonly string[]): string[] | undefined {
  if (segments.length !== pattern.length) return undefined;
  const captured: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] ?? '';
    if (pattern[i] === '*') captured.push(s);
    else if (s.toLowerCase() !== pattern[i]) return undefined;
  }
  return captured;
}

/** The path's segments, decoded; undefined when one is not valid percent-encoding (no route has it). */
function segmentsOf(path: string): string[] | undefined {
  try {
    return path
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/**
 * The route a path belongs to, whatever its method (a wrong method still asked for that route): what
 * the emulator's request counts are kept by (server.ts).
 */
export function routeNameOf(path: string): RouteName {
  const segments = segmentsOf(path);
  return (segments && ROUTES.find((r) => match(segments, r.pattern))?.name) ?? 'other';
}

/** The bearer token when it is acceptable, else ARM's 401. */
function checkAuth(state: EmulatorState, authorization: string | undefined): { token: string } | Reply {
  if (authorization === undefined || authorization.trim() === '') return missingAuthorization();
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m || m[1] === undefined) return malformedAuthorization();
  const accepted = state.scenario.auth?.acceptTokens;
  return accepted && !accepted.includes(m[1]) ? invalidToken() : { token: m[1] };
}

/** `reply` with the remaining-quota headers of its charge (the route's own headers win). */
function withHeaders(reply: Reply, headers: Readonly<Record<string, string>>): Reply {
  return Object.keys(headers).length === 0 ? reply : { ...reply, headers: { ...headers, ...reply.headers } };
}

export async function route(state: EmulatorState, call: IncomingCall): Promise<Reply> {
  const auth = checkAuth(state, call.authorization);
  if (!('token' in auth)) return auth;
  const segments = segmentsOf(call.path);
  if (!segments) return unknownRoute(call.method, call.path);
  const candidates = ROUTES.flatMap((r) => {
    const captured = match(segments, r.pattern);
    return captured ? [{ r, captured }] : [];
  });
  const found = candidates.find((c) => c.r.method === call.method);
  if (!found) {
    const other = candidates[0];
    return other ? methodNotAllowed(call.method, other.r.method) : unknownRoute(call.method, call.path);
  }
  // ARM throttles at its front door: before the resource provider (faults, delays) sees the request,
  // and a throttled request is answered at once.
  const subscriptionId = found.captured[0] ?? '';
  const actor = actorIdOf(auth.token);
  const kind = requestKindOf(found.r.method);
  const charge =
    found.r.subscriptionLimits === false ? NO_CHARGE : state.limiter.take(subscriptionId, actor, kind);
  if (charge.throttled) {
    return subscriptionRequestsThrottled({
      kind,
      subscriptionId,
      actor: charge.scope === 'principal' ? actor : undefined,
      retryAfterSeconds: charge.retryAfterSeconds,
      headers: charge.headers,
    });
  }
  const apiVersion = call.query.get('api-version');
  if (!apiVersion) return withHeaders(missingApiVersion(), charge.headers);
  const ctx = {
    state,
    baseUrl: call.baseUrl,
    path: call.path,
    query: call.query,
    apiVersion,
    body: call.body,
  };
  return withHeaders(await found.r.handle(ctx, found.captured), charge.headers);
}
