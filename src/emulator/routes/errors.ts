/**
 * ARM's error answers, worded like the real service so clients (and users reading logs) see what
 * they would see against Azure. Every body is ARM's `{"error":{"code","message"}}`.
 */
import type { RequestKind } from '../../core/pacing/request-limits';
import type { ConnectionFault, ConnectionFaultKind, StatusFault } from '../scenario';

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** Sent as is instead of `body` (a broken body fault). */
  readonly text?: string;
  /**
   * How `text` goes out when a body fault says so: `cut` closes the connection halfway through
   * (`Content-Length` still announces the whole); `slow` sends half, waits `delayMs`, sends the rest.
   */
  readonly delivery?: { readonly kind: 'cut' } | { readonly kind: 'slow'; readonly delayMs: number };
  readonly headers?: Readonly<Record<string, string>>;
  /** No answer at all (a `connection` fault): the connection is reset, or left hanging. `status` is 0. */
  readonly drop?: ConnectionFaultKind;
}

export function armError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Reply {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

const WWW_AUTHENTICATE =
  'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", ' +
  'error_description="The authentication failed because of missing \'Authorization\' header."';

export const missingAuthorization = (): Reply =>
  armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", {
    'www-authenticate': WWW_AUTHENTICATE,
  });

export const malformedAuthorization = (): Reply =>
  armError(
    401,
    'AuthenticationFailed',
    "Authentication failed. The 'Authorization' header is not in the correct format.",
    {
      'www-authenticate': WWW_AUTHENTICATE,
    },
  );

export const invalidToken = (): Reply =>
  armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', {
    'www-authenticate':
      'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", ' +
      'error_description="The access token is invalid."',
  });

export const missingApiVersion = (): Reply =>
  armError(
    400,
    'MissingApiVersionParameter',
    'The api-version query parameter (?api-version=) is required for all requests.',
  );

export const resourceNotFound = (resourceGroup: string, name: string): Reply =>
  armError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.Network/applicationGateways/${name}' under resource group '${resourceGroup}' was not found. ` +
      'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
  );

export const resourceGroupNotFound = (resourceGroup: string): Reply =>
  armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);

export const subscriptionNotFound = (subscriptionId: string): Reply =>
  armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);

/**
 * ARM's 404 for a gateway the scenario does not hold: its subscription's or resource group's when that
 * scope does not exist (EmulatorState.scopeExists), else ResourceNotFound (it was deleted).
 */
export function gatewayNotFound(
  scopes: { scopeExists(subscriptionId: string, resourceGroup?: string): boolean },
  p: { readonly subscriptionId: string; readonly resourceGroup: string; readonly name: string },
): Reply {
  if (!scopes.scopeExists(p.subscriptionId)) return subscriptionNotFound(p.subscriptionId);
  if (!scopes.scopeExists(p.subscriptionId, p.resourceGroup)) return resourceGroupNotFound(p.resourceGroup);
  return resourceNotFound(p.resourceGroup, p.name);
}

export const operationNotFound = (operationId: string): Reply =>
  armError(404, 'NotFound', `The operation '${operationId}' could not be found.`);

export const unknownRoute = (method: string, path: string): Reply =>
  armError(
    404,
    'InvalidResourceType',
    `The resource type for '${method} ${path}' could not be found. The emulator serves only ` +
      "Microsoft.Network/applicationGateways list, get and backendhealth, their operation URLs, and Resource Graph's resources query.",
  );

export const methodNotAllowed = (method: string, allowed: string): Reply =>
  armError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`, {
    allow: allowed,
  });

export const invalidSkipToken = (token: string): Reply =>
  armError(400, 'InvalidSkipToken', `The $skipToken '${token}' is not valid.`);

/**
 * ARM's answer when a subscription's bucket is empty: `429 SubscriptionRequestsThrottled` with
 * `Retry-After` in seconds. The message is worded as ARM sent it for a throttled read (captured in an
 * Azure SDK for Go error, Azure/ARO-HCP, 2026): "Number of 'read' requests for subscription '…' actor
 * '…' exceeded. Please try again after '10' seconds after additional tokens are available. Refer to
 * https://aka.ms/arm-throttling for additional information." No sample of the global limit's own
 * message was found: for it the emulator says so in the same form, without an actor.
 */
export function subscriptionRequestsThrottled(throttle: {
  readonly kind: RequestKind;
  readonly subscriptionId: string;
  /** The principal, or undefined when the subscription's global bucket (all principals) is empty. */
  readonly actor: string | undefined;
  readonly retryAfterSeconds: number;
  readonly headers: Readonly<Record<string, string>>;
}): Reply {
  const requests = throttle.kind === 'reads' ? 'read' : 'write';
  const who =
    throttle.actor === undefined
      ? `for subscription '${throttle.subscriptionId}' across all principals`
      : `for subscription '${throttle.subscriptionId}' actor '${throttle.actor}'`;
  return armError(
    429,
    'SubscriptionRequestsThrottled',
    `Number of '${requests}' requests ${who} exceeded. Please try again after ` +
      `'${throttle.retryAfterSeconds}' seconds after additional tokens are available. ` +
      'Refer to https://aka.ms/arm-throttling for additional information.',
    { ...throttle.headers, 'retry-after': String(throttle.retryAfterSeconds) },
  );
}

/** The ARM action a request needs, for 403 messages like ARM's own. */
export type ArmAction =
  | 'Microsoft.Network/applicationGateways/read'
  | 'Microsoft.Network/applicationGateways/backendhealth/action'
  | 'Microsoft.Network/applicationGateways/getBackendHealthOnDemand/action'
  | 'Microsoft.Network/locations/operationResults/read'
  | 'Microsoft.Network/locations/operations/read';

const DEFAULT_CODES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'AuthenticationFailed',
  403: 'AuthorizationFailed',
  404: 'ResourceNotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

function defaultMessage(status: number, action: ArmAction, scope: string, retryAfter?: number): string {
  switch (status) {
    case 403:
      return (
        `The client 'dev@emulator.local' with object id '00000000-0000-0000-0000-000000000001' does not have ` +
        `authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. ` +
        'If access was recently granted, please refresh your credentials.'
      );
    case 429:
      return `Too many requests. Please try again after '${retryAfter ?? 0}' seconds.`;
    case 500:
      return 'An error occurred while processing the request. (injected by the emulator scenario)';
    case 503:
      return 'The service is temporarily unavailable. Please try again later. (injected by the emulator scenario)';
    default:
      return `The request failed with status ${status}. (injected by the emulator scenario)`;
  }
}

/** The answer for an injected fault. `scope` is the ARM id the request was about. */
export function faultReply(fault: StatusFault | ConnectionFault, action: ArmAction, scope: string): Reply {
  if ('connection' in fault) return { status: 0, drop: fault.connection };
  const code = fault.code ?? DEFAULT_CODES[fault.status] ?? `HttpStatus${fault.status}`;
  const message = fault.message ?? defaultMessage(fault.status, action, scope, fault.retryAfterSeconds);
  const headers =
    fault.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(fault.retryAfterSeconds) };
  return armError(fault.status, code, message, headers);
}
