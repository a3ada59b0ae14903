/**
 * One error class per failure a user can act on. Each message says what to do. `code` is stable (logs,
 * run reports); `retryable` tells callers whether trying again later can help.
 */
export abstract class AppGwInsightsError extends Error {
  abstract readonly code: string;
  readonly retryable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Input that cannot be used as given; lists every problem at once, each naming its field. */
abstract class InvalidInputError extends AppGwInsightsError {
  constructor(
    readonly issues: readonly string[],
    source: string,
  ) {
    // One problem reads as one line (e.g. a file in the wrong encoding); several are listed.
    super(
      issues.length === 1
        ? `Invalid ${source}: ${issues[0]}`
        : `Invalid ${source}:\n${issues.map((i) => `  - ${i}`).join('\n')}`,
    );
  }
}

/** Settings, a config file or CLI arguments are wrong. */
export class ConfigError extends InvalidInputError {
  override readonly name = 'ConfigError';
  readonly code = 'ConfigInvalid';
  constructor(issues: readonly string[], source = 'configuration') {
    super(issues, source);
  }
}

/** An emulator scenario file is wrong; names the bad field. */
export class ScenarioError extends InvalidInputError {
  override readonly name = 'ScenarioError';
  readonly code = 'ScenarioInvalid';
  constructor(issues: readonly string[], source = 'scenario') {
    super(issues, source);
  }
}

/** No token could be had, or ARM refused it (401). */
export class AuthenticationError extends AppGwInsightsError {
  override readonly name = 'AuthenticationError';
  readonly code = 'AuthenticationFailed';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `Azure did not accept our identity: ${detail}. Sign in (az login), or give the Function App a ` +
        `managed identity (and AZURE_CLIENT_ID for a user-assigned one).`,
      options,
    );
  }
}

/**
 * The Resource Manager actions on the gateways' scope (subscription, resource group or gateway): list
 * and read gateways, and start the backend-health operation (a POST action, which Reader lacks). Names
 * from the Microsoft.Network operations list (learn.microsoft.com
 * azure/role-based-access-control/permissions/networking).
 */
export const GATEWAY_ACTIONS = [
  'Microsoft.Network/applicationGateways/read',
  'Microsoft.Network/applicationGateways/backendhealth/action',
] as const;

/**
 * The actions that poll the backend-health operation: its Azure-AsyncOperation URL
 * (`/subscriptions/{s}/providers/Microsoft.Network/locations/{region}/operations/{id}`) and its Location
 * URL (`…/locations/{region}/operationResults/{id}`). Both URLs are under the subscription, not the
 * gateway, so these are needed on the subscription (infra/app/backend-health-reader-role.bicep has the
 * sources).
 */
export const POLL_ACTIONS = [
  'Microsoft.Network/locations/operations/read',
  'Microsoft.Network/locations/operationResults/read',
] as const;

/** ARM answered 403: the identity lacks a role assignment. The message names every action to assign, and where. */
export class MissingPermissionError extends AppGwInsightsError {
  override readonly name = 'MissingPermissionError';
  readonly code = 'AuthorizationFailed';
  constructor(
    readonly scope: string,
    readonly action: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? 'its subscription';
    super(
      `Missing permission "${action}" on ${scope} (${detail}). Assign the identity a role that grants ` +
        `${GATEWAY_ACTIONS.join(' and ')} at that scope (Reader alone is not enough), and ` +
        `${POLL_ACTIONS.join(' and ')} on ${subscription} (the backend-health operation is polled at ` +
        `subscription-level URLs); see "Least privilege" in infra/README.md.`,
      options,
    );
  }
}

/** The gateway, resource group or subscription does not exist (404). */
export class GatewayNotFoundError extends AppGwInsightsError {
  override readonly name = 'GatewayNotFoundError';
  readonly code = 'ResourceNotFound';
  constructor(
    readonly resourceId: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${resourceId} was not found (${detail}). Check the target id in the configuration.`, options);
  }
}

/** ARM throttled us (429) beyond the client's own retries. */
export class ThrottledError extends AppGwInsightsError {
  override readonly name = 'ThrottledError';
  readonly code = 'Throttled';
  override readonly retryable = true;
  constructor(
    readonly resourceId: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Azure Resource Manager throttled the request for ${resourceId} (${detail}). Lower ` +
        `"concurrency", check less often, or spread gateways over more runs.`,
      options,
    );
  }
}

/** Backend health could not be had in time, or the service failed (5xx, LRO failed, time-out). */
export class BackendHealthUnavailableError extends AppGwInsightsError {
  override readonly name = 'BackendHealthUnavailableError';
  readonly code = 'BackendHealthUnavailable';
  override readonly retryable = true;
  constructor(
    readonly resourceId: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Backend health for ${resourceId} is unavailable: ${detail}. It is tried again on the next run; ` +
        `if it persists, raise "gatewayTimeoutInMs" or check the gateway's operational state.`,
      options,
    );
  }
}

/** An insight article template cannot be read unambiguously. */
export class ArticleError extends AppGwInsightsError {
  override readonly name = 'ArticleError';
  readonly code = 'ArticleInvalid';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/** A sink could not take a delivery. `sink` names it without secrets (e.g. "folder", "webhook[ops]"). */
export class DeliveryError extends AppGwInsightsError {
  override readonly name = 'DeliveryError';
  readonly code = 'DeliveryFailed';
  constructor(
    readonly sink: string,
    detail: string,
    override readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(`Delivery to ${sink} failed: ${detail}.`, options);
  }
}

/**
 * A conditional state write lost: the stored document changed since it was read (or already existed
 * on a first write). Read again, re-apply the change, write again; retrying later is safe.
 */
export class StateConflictError extends AppGwInsightsError {
  override readonly name = 'StateConflictError';
  readonly code = 'StateConflict';
  override readonly retryable = true;
  constructor(
    readonly store: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Another run updated the state in ${store} since this run read it; nothing was written. ` +
        `Read the state again and retry (runs that overlap resolve this on their own).`,
      options,
    );
  }
}

/** The host moved a gateway's message to the poison queue after its retries. */
export class PoisonedMessageError extends AppGwInsightsError {
  override readonly name = 'PoisonedMessageError';
  readonly code = 'Poisoned';
  constructor(gatewayId: string) {
    super(
      `${gatewayId} could not be evaluated after the host's retries (host.json maxDequeueCount); its message was moved to the poison queue. ` +
        'See the earlier attempts in the logs (Application Insights); the next scheduled run tries again.',
    );
  }
}

/** Anything thrown, as an Error, so callers can report `message` safely. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
