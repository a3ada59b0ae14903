import { clipMessage } from '../../core/text-clip';
import type { Target } from '../../core/arm-id';
import {
  ArmUnreachableError,
  AuthenticationError,
  BackendHealthUnavailableError,
  GatewayNotFoundError,
  MissingPermissionError,
  TargetListUnavailableError,
  TargetNotFoundError,
  ThrottledError,
  isAppGwInsightsError,
  isCancellation,
} from '../../errors';
import { signInFailure } from '../identity/credential-failure';
import type { DescribedCredential } from '../identity/entra-credential';

/** A target that is listed: a subscription, a resource group or a management group. */
export type ListTarget = Exclude<Target, { kind: 'gateway' }>;

/** One ARM call, as the error messages need it. */
export type ArmCall =
  | {
      /** Listing a subscription's or resource group's gateways. */
      readonly kind: 'list';
      readonly target: ListTarget;
      /** The RBAC action the call needs, named when ARM's 403 names none. */
      readonly action: string;
    }
  | {
      /** One gateway's backend health: the POST and its operation polls. */
      readonly kind: 'backendHealth';
      readonly resourceId: string;
      readonly action: string;
    };

/** What the client factory knows about every call: where they go, what CA they trust, whose token. */
export interface ArmConnection {
  readonly endpoint: string;
  readonly caCertFile?: string;
  readonly credential: Pick<DescribedCredential, 'identity' | 'whenRefused'>;
}

/** What ARM puts on a failed call, read by shape: the SDK's RestError may come from another copy of core. */
export interface RestErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
  details?: unknown;
  request?: { url?: string };
  response?: { bodyAsText?: string | null };
}

export function isRestError(error: unknown): error is RestErrorLike {
  return error instanceof Error && error.name === 'RestError';
}

/** The RBAC actions of ARM's two operation-poll URLs (Azure resource provider operations, Microsoft.Network). */
const POLL_ACTIONS: ReadonlyArray<[RegExp, string]> = [
  [
    /\/providers\/Microsoft\.Network\/locations\/[^/]+\/operationResults\//i,
    'Microsoft.Network/locations/operationResults/read',
  ],
  [
    /\/providers\/Microsoft\.Network\/locations\/[^/]+\/operations\//i,
    'Microsoft.Network/locations/operations/read',
  ],
];

/**
 * Maps an SDK failure to the error a user can act on, at this edge so the rest of the app never sees
 * SDK types: ARM not reachable at all (DNS, connection, TLS) → ArmUnreachableError; no token or a
 * refused one (401) → AuthenticationError; 403 → MissingPermissionError naming the action ARM names;
 * 404 → TargetNotFoundError (listing) or GatewayNotFoundError; 429 → ThrottledError; anything else →
 * TargetListUnavailableError (listing) or BackendHealthUnavailableError.
 */
export function toArmError(error: unknown, call: ArmCall, connection: ArmConnection): Error {
  if (isAppGwInsightsError(error)) return error;
  if (isCancellation(error))
    return unavailable(call, 'the call was cancelled (time-out)', error, { timedOut: true });
  const name = error instanceof Error ? error.name : '';
  if (CREDENTIAL_ERRORS.has(name)) return signInFailure(error, connection.endpoint);
  const unreachable = toUnreachable(error, connection);
  if (unreachable) return unreachable;
  if (!isRestError(error) || error.statusCode === undefined) {
    return unavailable(call, armMessageLine(error instanceof Error ? error.message : String(error)), error);
  }
  const arm = armErrorBody(error);
  const code = armErrorCode(error);
  const detail = armAnswered(error.statusCode, code);
  const said = arm.message ? `: ${armMessageLine(arm.message)}` : '';
  switch (error.statusCode) {
    case 401:
      return new AuthenticationError(
        `Azure Resource Manager (${connection.endpoint}) refused the token of ${connection.credential.identity} ` +
          `(${detail}${said}). ${connection.credential.whenRefused}`,
        { cause: error },
      );
    case 403:
      return missingPermission(error, arm.message, call, detail);
    case 404:
      if (call.kind === 'list') return targetNotFound(call.target, code, error);
      if (pollAction(error.request?.url)) {
        // Polling the same operation again cannot help: the next run starts a new one. A queue
        // continuation retried by the host polled it 5 times, then was recorded as a bare "poisoned"
        // (a fan-out trial), where the direct run says this.
        return unavailable(call, `its operation is no longer known to ARM (${detail})`, error, {
          retryable: false,
        });
      }
      return new GatewayNotFoundError(call.resourceId, detail, { cause: error });
    case 429:
      return new ThrottledError(subject(call), `${detail}, beyond the retries`, { cause: error });
    default:
      // A request ARM refused as such (400 InvalidRequestFormat, 405, 413, 415, 422 …) is refused again
      // as it is: not worth a retry this run (the queue's host sent it 5 times: a break trial). A
      // conflict (409: another operation on the gateway), 408, 423 and 425 may pass, as 5xx may.
      return unavailable(
        call,
        `${detail}${said}`,
        error,
        refusedAsSent(error.statusCode) ? { refusedAsSent: true } : {},
      );
  }
}

/** A 4xx that another try of the same request gets again (not 401, 403, 404 and 429: mapped apart). */
function refusedAsSent(status: number): boolean {
  return status >= 400 && status < 500 && ![408, 409, 423, 425].includes(status);
}

/** @azure/identity's failures, by name, when a credential other than ours threw them. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AggregateAuthenticationError',
  'AuthenticationError',
  'AuthenticationRequiredError',
]);

function subject(call: ArmCall): string {
  return call.kind === 'list' ? call.target.id : call.resourceId;
}

function unavailable(
  call: ArmCall,
  detail: string,
  cause: unknown,
  options: { timedOut?: boolean; retryable?: boolean; refusedAsSent?: boolean } = {},
): Error {
  return call.kind === 'list'
    ? new TargetListUnavailableError(call.target.id, detail, { cause, ...options })
    : new BackendHealthUnavailableError(call.resourceId, detail, { cause, ...options });
}

/**
 * ARM's own 403 message names the action and scope it checked, e.g. (AuthorizationFailed) "The client
 * '…' with object id '…' does not have authorization to perform action
 * 'Microsoft.Network/locations/operationResults/read' over scope '/subscriptions/…' or the scope is
 * invalid. If access was recently granted, please refresh your credentials.", or
 * (LinkedAuthorizationFailed) "… has permission to perform action 'A' on scope 'S'; however, it does
 * not have permission to perform action 'B' on the linked scope(s) 'T' …" (formats as quoted in
 * Azure/azure-cli#29802, Azure/aad-pod-identity#613, and parsed in Azure/mpf
 * pkg/domain/authorizationErrorParser.go). Without one, the action of the URL called: an operation
 * poll's, or the call's.
 */
function missingPermission(
  error: RestErrorLike,
  message: string | undefined,
  call: ArmCall,
  detail: string,
): MissingPermissionError {
  const named =
    /does not have (?:authorization|permission) to perform action(?:\(s\))? '([^']+)' (?:over|on|at) (?:the linked )?scope(?:\(s\))? '([^']+)'/i.exec(
      message ?? '',
    );
  const client = /The client '([^']+)' with object id '([^']+)'/i.exec(message ?? '');
  const who = client ? `, for client ${client[1]} with object id ${client[2]}` : '';
  const url = error.request?.url;
  const action = named?.[1] ?? pollAction(url) ?? call.action;
  const scope = named?.[2] ?? (pollAction(url) && url ? new URL(url).pathname : subject(call));
  return new MissingPermissionError(scope, action, `${detail}${who}`, { cause: error });
}

function pollAction(url: string | undefined): string | undefined {
  return url ? POLL_ACTIONS.find(([pattern]) => pattern.test(url))?.[1] : undefined;
}

/** A 404 to a list call: the subscription or the resource group is not there (ARM's code says which). */
function targetNotFound(target: ListTarget, code: string | undefined, cause: unknown): TargetNotFoundError {
  if (target.kind === 'managementGroup')
    return new TargetNotFoundError(target.id, `Management group ${target.managementGroup}`, code, { cause });
  const subscription = `Subscription ${target.subscriptionId}`;
  const what =
    code === 'SubscriptionNotFound' || target.kind === 'subscription'
      ? subscription
      : `Resource group ${target.resourceGroup} in subscription ${target.subscriptionId}`;
  return new TargetNotFoundError(target.id, what, code, { cause });
}

/** ARM's code for a failed call: its error body's, else the SDK's `code` (absent when neither has one). */
export function armErrorCode(error: RestErrorLike): string | undefined {
  return armErrorBody(error).code ?? error.code;
}

/**
 * `ARM answered <status>` and ARM's code when `code` is a non-empty string: how messages name an HTTP
 * answer of ARM (`code` unknown: the SDK's `code` is read by shape where its error may not be a RestError).
 */
export function armAnswered(status: unknown, code?: unknown): string {
  return `ARM answered ${String(status)}${typeof code === 'string' && code !== '' ? ` ${code}` : ''}`;
}

/** ARM's error body `{"error":{"code","message"}}`, as far as the SDK kept it. */
export function armErrorBody(error: RestErrorLike): { code?: string; message?: string } {
  const fromDetails = (error.details as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  let body = fromDetails;
  if (!body && error.response?.bodyAsText) {
    try {
      body = (JSON.parse(error.response.bodyAsText) as { error?: { code?: unknown; message?: unknown } })
        .error;
    } catch {
      body = undefined;
    }
  }
  // The SDK puts ARM's own message in `message`, except where it words one itself (list pages).
  const message =
    typeof body?.message === 'string'
      ? body.message
      : SDK_WORDING.test(error.message)
        ? undefined
        : error.message;
  return {
    ...(typeof body?.code === 'string' ? { code: body.code } : {}),
    ...(message ? { message } : {}),
  };
}

/**
 * Messages the SDK writes instead of ARM's: @azure/arm-network's pagingHelpers ("Pagination failed with
 * unexpected statusCode 404", ARM's body dropped) and ts-http-runtime's createRestError fallback.
 */
const SDK_WORDING = /^(?:Pagination failed with unexpected statusCode \d+|Unexpected status code: \d+)$/;

/** Node's codes for "nothing answered" (DNS, TCP), and which of them may pass by themselves. */
const NETWORK_CODES: Readonly<Record<string, { transient: boolean; says: (host: string) => string }>> = {
  ENOTFOUND: { transient: false, says: (host) => `the host name ${host} does not resolve` },
  EAI_AGAIN: { transient: true, says: (host) => `the host name ${host} could not be resolved (DNS failed)` },
  ECONNREFUSED: { transient: false, says: (host) => `nothing accepts connections at ${host}` },
  ECONNRESET: { transient: true, says: (host) => `the connection to ${host} was reset` },
  EPIPE: { transient: true, says: (host) => `the connection to ${host} was closed` },
  ECONNABORTED: { transient: true, says: (host) => `the connection to ${host} was aborted` },
  ETIMEDOUT: { transient: true, says: (host) => `the connection to ${host} timed out` },
  ESOCKETTIMEDOUT: { transient: true, says: (host) => `the connection to ${host} timed out` },
  EHOSTUNREACH: { transient: true, says: (host) => `the network cannot reach ${host}` },
  ENETUNREACH: { transient: true, says: (host) => `the network cannot reach ${host}` },
  EADDRNOTAVAIL: {
    transient: false,
    says: (host) => `${host} is not an address this machine can connect to`,
  },
};

/**
 * TLS failures by Node's/OpenSSL's codes: an untrusted or expired certificate, a name mismatch, or no
 * TLS at all (an http:// server behind an https:// endpoint: EPROTO, ERR_SSL_WRONG_VERSION_NUMBER).
 */
const TLS_CODE =
  /^(?:ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|EPROTO$|HOSTNAME_MISMATCH$|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$)/;

const ENDPOINT_ADVICE =
  'Check arm.endpoint (APPGW_ARM_ENDPOINT): in Azure leave it unset (https://management.azure.com); locally it is ' +
  "the emulator's URL, which changes each time the emulator starts. Behind a proxy, set HTTPS_PROXY.";

/** ARM not reachable at all (no HTTP answer): its own error, naming the endpoint and the setting. */
function toUnreachable(error: unknown, connection: ArmConnection): ArmUnreachableError | undefined {
  const e = error as { code?: unknown; message?: unknown; statusCode?: unknown; request?: { url?: unknown } };
  if (typeof e?.code !== 'string' || typeof e.statusCode === 'number') return undefined;
  const code = e.code;
  const host = hostOf(typeof e.request?.url === 'string' ? e.request.url : connection.endpoint);
  const network = NETWORK_CODES[code];
  if (network) {
    return new ArmUnreachableError(connection.endpoint, `${network.says(host)} (${code})`, ENDPOINT_ADVICE, {
      retryable: network.transient,
      cause: error,
    });
  }
  if (!TLS_CODE.test(code)) return undefined;
  const message = armMessageLine(typeof e.message === 'string' ? e.message : code);
  const noTls = code === 'EPROTO' || code.startsWith('ERR_SSL_');
  const wrongName = code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH';
  const advice = noTls
    ? `${host} does not speak TLS there: check that arm.endpoint (APPGW_ARM_ENDPOINT) is its https:// URL.`
    : wrongName
      ? `Its certificate is for another host name: check arm.endpoint (APPGW_ARM_ENDPOINT).`
      : connection.caCertFile
        ? `The CA in arm.caCertFile (APPGW_ARM_CA_CERT_FILE, ${connection.caCertFile}) does not vouch for it: give ` +
          "the CA that issued the endpoint's certificate (for the emulator, the caCertFile it printed when it started)."
        : 'Its certificate is not trusted: for the emulator, set arm.caCertFile (APPGW_ARM_CA_CERT_FILE) to the ' +
          "caCertFile it printed; behind a TLS-inspecting proxy, to the proxy's CA.";
  return new ArmUnreachableError(connection.endpoint, `TLS failed: ${message} (${code})`, advice, {
    cause: error,
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * ARM's (or the SDK's) message in one line of ours: its start and its end, where ARM puts its advice
 * ("… If access was recently granted, please refresh your credentials."), with the cut marker between;
 * at most ARM_MESSAGE_LIMIT code points.
 */
export function armMessageLine(text: string): string {
  return clipMessage(text, ARM_MESSAGE_LIMIT, { oneLine: true });
}

/** Longest quotation of ARM's message in one of our errors, in code points (the cut marker included). */
const ARM_MESSAGE_LIMIT = 400;
