/**
 * Maps a request to a route the way ARM does: path segments compared case-insensitively, the bearer
 * token checked first, then `api-version` (any value, but it must be there).
 */
import { getOperationResult, getOperationStatus } from './routes/operations';
import { postBackendHealth } from './routes/backend-health';
import type { RouteContext } from './routes/context';
import {
  invalidToken,
  malformedAuthorization,
  methodNotAllowed,
  missingApiVersion,
  missingAuthorization,
  type Reply,
  unknownRoute,
} from './routes/errors';
import { getGateway } from './routes/gateway';
import { listGateways } from './routes/list';
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

interface Route {
  readonly method: 'GET' | 'POST';
  /** Lower-case literals; `*` captures a segment (passed to `handle` in order). */
  readonly pattern: readonly string[];
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
    method: 'GET',
    pattern: [...SUB, ...APPGW],
    handle: (x, c) => listGateways(x, { subscriptionId: at(c, 0) }),
  },
  {
    method: 'GET',
    pattern: [...RG, ...APPGW],
    handle: (x, c) => listGateways(x, { subscriptionId: at(c, 0), resourceGroup: at(c, 1) }),
  },
  { method: 'GET', pattern: [...RG, ...APPGW, '*'], handle: (x, c) => getGateway(x, gw(c)) },
  {
    method: 'POST',
    pattern: [...RG, ...APPGW, '*', 'backendhealth'],
    handle: (x, c) => postBackendHealth(x, gw(c)),
  },
  {
    method: 'GET',
    pattern: [...LOCATION, 'operationresults', '*'],
    handle: (x, c) => getOperationResult(x, op(c)),
  },
  {
    method: 'GET',
    pattern: [...LOCATION, 'operations', '*'],
    handle: (x, c) => getOperationStatus(x, op(c)),
  },
  {
    method: 'POST',
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

/** Whether the bearer token is acceptable; undefined when it is. */
function checkAuth(state: EmulatorState, authorization: string | undefined): Reply | undefined {
  if (authorization === undefined || authorization.trim() === '') return missingAuthorization();
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m || m[1] === undefined) return malformedAuthorization();
  const accepted = state.scenario.auth?.acceptTokens;
  return accepted && !accepted.includes(m[1]) ? invalidToken() : undefined;
}

export async function route(state: EmulatorState, call: IncomingCall): Promise<Reply> {
  const denied = checkAuth(state, call.authorization);
  if (denied) return denied;
  let segments: string[];
  try {
    segments = call.path
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
  } catch {
    return unknownRoute(call.method, call.path);
  }
  const candidates = ROUTES.flatMap((r) => {
    const captured = match(segments, r.pattern);
    return captured ? [{ r, captured }] : [];
  });
  const found = candidates.find((c) => c.r.method === call.method);
  if (!found) {
    const other = candidates[0];
    return other ? methodNotAllowed(call.method, other.r.method) : unknownRoute(call.method, call.path);
  }
  const apiVersion = call.query.get('api-version');
  if (!apiVersion) return missingApiVersion();
  const ctx = {
    state,
    baseUrl: call.baseUrl,
    path: call.path,
    query: call.query,
    apiVersion,
    body: call.body,
  };
  return found.r.handle(ctx, found.captured);
}
