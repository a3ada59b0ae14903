/**
 * Marks our errors. `Symbol.for` keys are one registry per process, so an error made by another copy
 * of this module (a second bundle, a module loaded afresh with jest.isolateModules) carries the same mark.
 */
const OURS = Symbol.for('appgw-insights.error');

/**
 * One error class per failure a user can act on. Each message says what to do. `code` is stable (logs,
 * run reports); `retryable` tells callers whether trying again later can help. Recognise them with the
 * guards below (`isDeliveryError`, `isAppGwInsightsError` …), not `instanceof`, which another copy of
 * this module fails.
 */
export abstract class AppGwInsightsError extends Error {
  abstract readonly code: string;
  readonly retryable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Not enumerable: kept out of logs, inspection and equality checks.
    Object.defineProperty(this, OURS, { value: true });
  }
}

/** Input that cannot be used as given; lists every problem at once, each naming its field. */
abstract class InvalidInputError extends AppGwInsightsError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[], source: string) {
    // Each problem said once: two checks of one field (a whole number, and at most its maximum) both
    // refused 1e300 with the same words (a new-user trial).
    const unique = [...new Set(issues)];
    // One problem reads as one line (e.g. a file in the wrong encoding); several are listed.
    super(
      unique.length === 1
        ? `Invalid ${source}: ${unique[0]}`
        : `Invalid ${source}:\n${unique.map((i) => `  - ${i}`).join('\n')}`,
    );
    this.issues = unique;
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

/**
 * The command line is wrong: an unknown option, a value missing, a required argument absent. The CLI
 * prints it with the verb's usage and how to see its options (`appgw-insights VERB --help`).
 */
export class UsageError extends InvalidInputError {
  override readonly name = 'UsageError';
  readonly code = 'UsageInvalid';
  /** `verb`: as typed after `appgw-insights` (`run`, `notify list`). */
  constructor(
    issues: readonly string[],
    readonly verb: string,
  ) {
    super(issues, `arguments to "appgw-insights ${verb}"`);
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

/**
 * A saved backend-health body (`evaluate FILE|-`) cannot be read: the file, its encoding, or a field
 * ARM never sends. Each issue names the path in the body and says what was found and what is expected.
 */
export class BackendHealthBodyError extends InvalidInputError {
  override readonly name = 'BackendHealthBodyError';
  readonly code = 'BackendHealthBodyInvalid';
  constructor(issues: readonly string[], source = 'backend-health body') {
    super(issues, source);
  }
}

/**
 * No token could be had (no `az login`, no managed identity, the identity endpoint failing), or ARM
 * refused the token (401). The message is composed where the identity is known
 * (src/adapters/identity/credential-failure.ts) and says what to do there: `az login` on a
 * workstation, the identity and the resource in Azure. `retryable` when the identity endpoint failed
 * in passing (5xx, 429, no answer) after @azure/identity's own retries.
 */
export class AuthenticationError extends AppGwInsightsError {
  override readonly name = 'AuthenticationError';
  readonly code = 'AuthenticationFailed';
  override readonly retryable: boolean;
  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/**
 * Azure Resource Manager could not be reached at all: the endpoint's name does not resolve, nothing
 * answers there, the connection broke, or its TLS certificate is not trusted. Not a gateway problem:
 * the message names the endpoint and the setting to check (`setting`, e.g. "arm.endpoint
 * (APPGW_ARM_ENDPOINT)"). `retryable` for failures that pass (reset, time-out, DNS server failure).
 */
export class ArmUnreachableError extends AppGwInsightsError {
  override readonly name = 'ArmUnreachableError';
  readonly code = 'ArmUnreachable';
  override readonly retryable: boolean;
  constructor(
    readonly endpoint: string,
    detail: string,
    advice: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(`Azure Resource Manager at ${endpoint} cannot be reached: ${sentence(detail)} ${advice}`, {
      cause: options.cause,
    });
    this.retryable = options.retryable ?? false;
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

/** The action backend health needs; Reader does not grant it. */
const BACKEND_HEALTH_ACTION = GATEWAY_ACTIONS[1];

/**
 * The action of `recheck`'s on-demand probe (`POST …/getBackendHealthOnDemand`: Microsoft.Network's
 * resource provider operations, learn.microsoft.com azure/role-based-access-control/permissions/
 * networking, "Gets an application gateway backend health on demand for given http setting and
 * backend pool"). The custom role of infra/app/backend-health-reader-role.bicep grants it.
 */
export const ON_DEMAND_PROBE_ACTION = 'Microsoft.Network/applicationGateways/getBackendHealthOnDemand/action';

/**
 * ARM answered 403: the identity lacks a role assignment. `action` is the action ARM's own message
 * names (e.g. `Microsoft.Network/locations/operationResults/read` for an operation poll), or the
 * call's action when ARM names none; `scope` is the scope ARM names, or the resource called.
 * `options.advice` replaces the default "assign it a role …" where the caller knows better which role
 * (Resource Graph over a management group: Reader on the group).
 */
export class MissingPermissionError extends AppGwInsightsError {
  override readonly name = 'MissingPermissionError';
  readonly code = 'AuthorizationFailed';
  constructor(
    readonly scope: string,
    readonly action: string,
    detail: string,
    options?: { cause?: unknown; advice?: string },
  ) {
    const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? 'its subscription';
    const lacks = `The identity lacks permission "${action}" on ${scope} (${detail}).`;
    const pollReads = `${POLL_ACTIONS.join(' and ')} on ${subscription}`;
    super(
      options?.advice !== undefined
        ? `${lacks} ${options.advice}`
        : (POLL_ACTIONS as readonly string[]).includes(action)
          ? `${lacks} Assign it a role that grants ${pollReads}: the backend-health operation is polled at ` +
            `subscription-level URLs, outside the gateway's resource group (see "Least privilege" in infra/README.md).`
          : `${lacks} Assign it a role that grants "${action}" at that scope or above` +
            (action === BACKEND_HEALTH_ACTION
              ? ' (Reader alone is not enough: backend health is a POST action)'
              : action === ON_DEMAND_PROBE_ACTION
                ? ' (recheck\'s on-demand probe: the custom role "App Gateway Backend Health Reader" of ' +
                  'infra/ grants it; deploy infra/ again if the role was made before recheck)'
                : action === GATEWAY_ACTIONS[0]
                  ? ' (the custom role "App Gateway Backend Health Reader" of ' +
                    'infra/app/backend-health-reader-role.bicep grants it, as does Reader)'
                  : '') +
            `. The app needs ${GATEWAY_ACTIONS.join(' and ')} on the gateways' scope, and ${pollReads} ` +
            `(the operation's polls): see "Least privilege" in infra/README.md.`,
      causeOf(options),
    );
  }
}

/** How messages name the ARM endpoint's setting. */
const ARM_ENDPOINT_SETTING = 'arm.endpoint (APPGW_ARM_ENDPOINT)';

/** The gateway does not exist (404 on its backend-health call). */
export class GatewayNotFoundError extends AppGwInsightsError {
  override readonly name = 'GatewayNotFoundError';
  readonly code = 'ResourceNotFound';
  /**
   * `unconfirmed`: why the gateway's GET did not confirm a deletion (confirm-gone.ts GoneAnswer.reason),
   * when it was asked (process-gateway.ts): the message then says that, not "does not exist".
   */
  constructor(
    readonly resourceId: string,
    /** What ARM answered: "ARM answered 404 <code>" (adapters/arm/errors.ts armAnswered). */
    readonly detail: string,
    options?: { cause?: unknown; unconfirmed?: string },
  ) {
    const notArms = notArmsNotFound(detail);
    const answered = `${detail}${notArms ? `, ${/^ARM answered 404$/.test(detail) ? "without ARM's error code" : "not ARM's ResourceNotFound"}: check too that ${ARM_ENDPOINT_SETTING} is Azure Resource Manager` : ''}`;
    super(
      options?.unconfirmed !== undefined
        ? // Short, what to do at its end: the summary's one line keeps both ends.
          `${resourceId} was not found by its backend-health call (${detail}), and its GET did not confirm a deletion: ${options.unconfirmed}. Check the gateway id in "targets" (APPGW_TARGETS)${notArms ? ` and that ${ARM_ENDPOINT_SETTING} is Azure Resource Manager` : ''}.`
        : `${resourceId} does not exist (${answered}). Check the gateway id in "targets" (APPGW_TARGETS); ` +
            'if the gateway was deleted, remove it there (its open episodes end once ARM confirms it); if it was moved to another resource group or subscription, put its new id there.',
      causeOf(options),
    );
  }
}

/**
 * Whether a 404's `detail` (armAnswered: "ARM answered 404 <code>") lacks ARM's own codes for a missing
 * resource: a host that is not ARM (a wrong arm.endpoint, a proxy) answers 404 with no code, or its own
 * (`NotFound`), and read as "the gateway does not exist" with no hint (new-user trials).
 */
const ARMS_NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  'ResourceNotFound',
  'ResourceGroupNotFound',
  // ARM's word on the subscription (a credential of another tenant reads so): not a wrong endpoint.
  'SubscriptionNotFound',
]);
function notArmsNotFound(detail: string): boolean {
  const code = /^ARM answered 404(?: (\S+))?$/.exec(detail);
  return code !== null && !ARMS_NOT_FOUND_CODES.has(code[1] ?? '');
}

/**
 * ARM confirmed a gateway does not exist: its backend-health call and its GET both answered 404
 * `ResourceNotFound` (or `ResourceGroupNotFound`) in one run (process-gateway.ts): deleted (also one a
 * listing gave, deleted since), moved, or an id with a typo in the targets (the message says to fix or
 * remove it there; break trials: "no longer exists" of a typo, "remove it from targets" of a gateway a
 * subscription target listed). Not retryable: the id names nothing.
 */
export class GatewayDeletedError extends AppGwInsightsError {
  override readonly name = 'GatewayDeletedError';
  readonly code = 'GatewayDeleted';
  override readonly retryable = false;
  constructor(readonly resourceId: string) {
    super(
      // Short, so the summary's one line (160 characters, both ends) keeps what to do.
      // "any episode still open" rather than "its open episodes": true on every later run too.
      `${resourceId} does not exist (404 to its backend-health call and its GET): any episode still open for it ends. ` +
        'If "targets" (APPGW_TARGETS) names it by id, fix or remove that id.',
    );
  }
}

/**
 * A gateway a listing of its scope found this run (the run's own, or the timer's discovery that queued
 * it) answered 404 `ResourceNotFound` (or `ResourceGroupNotFound`) to its backend-health call and to its
 * GET: deleted during the run, or ARM's replicas not yet agreeing. Not taken as a deletion: its open
 * episodes stay open, and the next run's listing tells (it lacks the gateway and the GET answers 404
 * again: ended as deleted; it still lists it: read again). A break trial: one such 404 pair ended a told
 * episode as "no longer exists", past `notify.recoverAfter`, and the next run opened a second incident.
 * It fails the run (`ok` false, exit 2: a break trial found a gateway answering so on every run said
 * ok for good, never read); not retryable: the next run decides.
 */
export class GatewayNotFoundSinceListedError extends AppGwInsightsError {
  override readonly name = 'GatewayNotFoundSinceListedError';
  readonly code = 'NotFoundSinceListed';
  override readonly retryable = false;
  constructor(readonly resourceId: string) {
    super(
      // Short, so the summary's one line keeps both ends.
      `${resourceId} answered 404 to its backend-health call and its GET, though this run's listing found it: ` +
        "deleted during the run, or ARM not yet agreeing with itself. Its episodes stay open until the next run's listing tells.",
    );
  }
}

/** GatewayDeletedError's code, as a report entry carries it (summaries count these apart); typed by the class's. */
export const GATEWAY_DELETED_CODE: GatewayDeletedError['code'] = 'GatewayDeleted';

/**
 * A subscription or resource group named in `targets` does not exist, or the identity cannot see it
 * (ARM answers 404 SubscriptionNotFound / ResourceGroupNotFound to a list call).
 */
export class TargetNotFoundError extends AppGwInsightsError {
  override readonly name = 'TargetNotFoundError';
  readonly code = 'TargetNotFound';
  constructor(
    readonly target: string,
    /** "Subscription 1111…" or "Resource group rg-x in subscription 1111…": what does not exist. */
    what: string,
    armCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `${what} does not exist, or the identity cannot see it (ARM answered 404${armCode ? ` ${armCode}` : ''}). ` +
        `Check the target ${target} in "targets" (APPGW_TARGETS)` +
        // A 404 without ARM's error body may not be ARM's (a wrong endpoint, a proxy: a break trial).
        (armCode
          ? '.'
          : `; the answer had no ARM error code, so check too that ${ARM_ENDPOINT_SETTING} is Azure Resource Manager.`),
      options,
    );
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
    /** `headline`: the first words instead of "Azure Resource Manager throttled the request for …". */
    options?: { cause?: unknown; advice?: string; headline?: string | undefined },
  ) {
    super(
      `${options?.headline ?? `Azure Resource Manager throttled the request for ${resourceId}`} (${detail}). ` +
        (options?.advice ??
          `Runs pace themselves by ARM's published limits, lowered by its remaining-quota headers and by ` +
            `each 429, so this subscription's quota is lower than ARM's or shared (other tools or runs ` +
            `with the same identity), or a resource provider limits the call: raise arm.maxRetries, ` +
            `check less often, or set a lower "concurrency".`),
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
  }
}

/** What to check when ARM's answers keep not being ARM's shape. */
const UNREADABLE_ADVICE =
  'If it persists, check that arm.endpoint (APPGW_ARM_ENDPOINT) is Azure Resource Manager (or the emulator) ' +
  'and that no proxy in between rewrites its answers.';

/**
 * ARM refused the request as it was sent (400, 405, 413, 415, 422 …: adapters/arm/errors.ts): its code
 * and message are in the message already. A new-user trial: a 400 said nothing of what to check.
 */
const REFUSED_ADVICE =
  'ARM refused the request as it was sent, so it is not sent again this run; the next run sends it again. ' +
  'If it persists, check that arm.endpoint (APPGW_ARM_ENDPOINT) is Azure Resource Manager (or the emulator) ' +
  "and that no proxy in between changes the requests; if ARM's message is about the gateway (its state, an " +
  "update in progress), see the gateway's Activity log in the portal.";

/** ARM answered with a failure (5xx, a failed operation): what ARM said is in the message already. */
const FAILED_ADVICE =
  "If it persists, it is ARM's or the gateway's: check the gateway's Resource health and Activity log in " +
  'the portal, and Azure status for the region.';

/**
 * ARM failed a target's listing (5xx): a subscription's or resource group's, so no one gateway's health
 * to look at (a new-user trial: "check the gateway's Resource health" of a resource group).
 */
const LIST_FAILED_ADVICE =
  "If it persists, it is ARM's: check the subscription's Activity log and Service health in the portal, " +
  'and Azure status for the region.';

/**
 * The gateways of a target (subscription or resource group) could not be listed in time, ARM failed
 * the list call (5xx), or answered 200 with something that is not a complete listing of that scope
 * (`unreadableAnswer`): the target's gateways are not known this run, and none is taken as deleted.
 */
export class TargetListUnavailableError extends AppGwInsightsError {
  override readonly name = 'TargetListUnavailableError';
  readonly code = 'TargetListUnavailable';
  override readonly retryable = true;
  /**
   * @param detail what happened, e.g. "no answer within 1000 ms (gatewayTimeoutInMs)", "ARM answered 500 …",
   *   or what ARM answered instead of a list ("ARM answered 200 with a list page that is not …").
   * @param options.unreadableAnswer ARM answered, with something that is not a listing: the advice is then
   *   about where the answers come from, not the time-out.
   * @param options.timedOut no answer within the time-out: only then is raising it the advice; a failure
   *   ARM answered (5xx) is not cured by waiting longer.
   */
  constructor(
    readonly target: string,
    detail: string,
    options?: { cause?: unknown; unreadableAnswer?: boolean; timedOut?: boolean; refusedAsSent?: boolean },
  ) {
    super(
      `The gateways of ${target} could not be listed: ${sentence(detail)} ` +
        (options?.refusedAsSent
          ? `No gateway is taken as deleted for missing from it. ${REFUSED_ADVICE}`
          : options?.unreadableAnswer
            ? `No gateway is taken as deleted for missing from it (only ARM's 404 to a gateway's own GET is); it is tried again on the next run. ${UNREADABLE_ADVICE}`
            : options?.timedOut
              ? 'It is tried again on the next run; if it persists, raise "gatewayTimeoutInMs" ' +
                '(APPGW_GATEWAY_TIMEOUT_MS), which also bounds each listing.'
              : `No gateway is taken as deleted for missing from it (only ARM's 404 to a gateway's own GET is); it is tried again on the next run. ${LIST_FAILED_ADVICE}`),
      causeOf(options),
    );
  }
}

/**
 * Backend health could not be had in time, or the service failed (5xx, LRO failed, time-out), or ARM
 * answered 200 with something that is not a backend-health read (`unreadableAnswer`).
 */
export class BackendHealthUnavailableError extends AppGwInsightsError {
  override readonly name = 'BackendHealthUnavailableError';
  readonly code = 'BackendHealthUnavailable';
  override readonly retryable: boolean;
  /**
   * True when ARM answered with something that is not a backend-health read (or not the operation's
   * 202 or 200): the same call would get the same answer, so the Functions host does not try the
   * queue message again (src/pipeline/fan-out.ts); the next run does.
   */
  readonly unreadableAnswer: boolean;
  /**
   * `retryable` (default true): false when trying again cannot help, e.g. a stored operation that
   * points away from the ARM endpoint (src/adapters/arm/arm-operation.ts refuseElsewhere refuses to poll it).
   * `timedOut`: no answer within the time-out, the one case where raising it is the advice; a failure
   * ARM answered (5xx, a failed operation) is not cured by waiting longer.
   */
  constructor(
    readonly resourceId: string,
    detail: string,
    options?: {
      cause?: unknown;
      unreadableAnswer?: boolean;
      retryable?: boolean;
      timedOut?: boolean;
      /** A saved answer (`evaluate`): no run tries it again, so the message promises none. */
      savedAnswer?: boolean;
      /** ARM refused the request as sent (a 4xx other than 401, 403, 404, 408, 409, 423, 425, 429): not retryable. */
      refusedAsSent?: boolean;
    },
  ) {
    super(
      `Backend health for ${resourceId} is unavailable: ${sentence(detail)}` +
        (options?.savedAnswer
          ? ''
          : ' ' +
            (options?.refusedAsSent
              ? `No server is counted as recovered from it. ${REFUSED_ADVICE}`
              : options?.unreadableAnswer
                ? `No server is counted as recovered from it; it is tried again on the next run. ${UNREADABLE_ADVICE}`
                : options?.retryable === false
                  ? 'No server is counted as recovered from it; the next run starts a new operation.'
                  : options?.timedOut
                    ? 'It is tried again on the next run; if it persists, raise "gatewayTimeoutInMs" ' +
                      '(APPGW_GATEWAY_TIMEOUT_MS).'
                    : `No server is counted as recovered from it; it is tried again on the next run. ${FAILED_ADVICE}`)),
      causeOf(options),
    );
    this.retryable = options?.refusedAsSent ? false : (options?.retryable ?? true);
    this.unreadableAnswer = options?.unreadableAnswer === true;
  }
}

/**
 * A local server could not listen (the emulator's `--port`): the port is taken, needs privileges, or
 * is not a port. The message says which and what to pass instead.
 */
export class PortUnavailableError extends AppGwInsightsError {
  override readonly name = 'PortUnavailableError';
  readonly code = 'PortUnavailable';
  constructor(
    readonly port: number | string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`port ${port} ${reason}: pass another with --port, or --port 0 for any free port.`, options);
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

/**
 * A storage request not sent: another request to the same storage container got no answer at all a
 * moment before (its tries ran out of time), and the container is left
 * alone for a while before it is tried again (src/adapters/storage/unanswered-breaker.ts). Retryable.
 * The state store and the blob sink wrap it as their own failure, whose advice says to check the account.
 */
export class StorageUnansweredError extends AppGwInsightsError {
  override readonly name = 'StorageUnansweredError';
  readonly code = 'StorageUnanswered';
  override readonly retryable = true;
  constructor(
    /** The container's URL, or the account's (no query: never a SAS). */
    readonly service: string,
    /** What the unanswered request met, e.g. "no answer in time (the request was aborted)". */
    readonly unanswered: string,
    /** How long the container is left alone after it, in ms. */
    readonly leftAloneForInMs: number,
  ) {
    // `unanswered` is kept, not said: it is a time-out's own words ("no answer in time …"), which the
    // sentence says already (a break trial read "(no answer in time (the request was aborted))").
    super(
      `not sent: another request to ${service} got no answer in time a moment before, so it is left alone ${leftAloneForInMs / 1000} s before it is tried again`,
    );
  }
}

/**
 * A sink could not take a delivery. `sink` names it without secrets (e.g. "folder", "webhook[ops]",
 * "queue[appgw-gateways]"). `options.retryable`: whether a later delivery may succeed (no answer, a
 * time-out, 408, 429, 5xx); `options.status`: the HTTP status the sink answered, when it answered.
 */
/** `Delivery to <sink> failed: <detail>.`: how a sink's or receiver's failure is said (DeliveryError's message). */
export function deliveryFailedText(sink: string, detail: string): string {
  return `Delivery to ${sink} failed: ${detail}.`;
}

/** What deliveryFailedText said failed to `sink` (its detail, with its closing period); `text` as it is otherwise. */
export function deliveryFailedDetail(text: string, sink: string): string {
  const prefix = `Delivery to ${sink} failed: `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

export class DeliveryError extends AppGwInsightsError {
  override readonly name = 'DeliveryError';
  readonly code = 'DeliveryFailed';
  override readonly retryable: boolean;
  /** The HTTP status the sink answered; absent when it gave no HTTP answer (or is not HTTP). */
  declare readonly status?: number;
  constructor(
    readonly sink: string,
    detail: string,
    options: { readonly retryable: boolean; readonly status?: number; readonly cause?: unknown },
  ) {
    super(deliveryFailedText(sink, detail), causeOf(options));
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
  }
}

/**
 * A run's temporary file (ports.ts Scratch: the status page's material, written as each gateway is done
 * to keep the run's memory bounded) could not be made, written or read: a full or read-only temp
 * folder, the file removed under the run. `file` names it; `detail` says what failed.
 */
export class ScratchUnavailableError extends AppGwInsightsError {
  override readonly name = 'ScratchUnavailableError';
  readonly code = 'ScratchUnavailable';
  override readonly retryable = true;
  /**
   * `detail`: what failed, one clause (`cannot write it: ENOSPC`); `reading`: the file was made and
   * written, and reading it back failed (a disk error), so the advice is the disk's, not room or access.
   */
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown; reading?: boolean },
  ) {
    super(
      `The run's temporary file ${file} cannot be used: ${sentence(detail)} ` +
        (options?.reading
          ? "Check the disk that holds TMPDIR (the system's log names read errors), or point TMPDIR at " +
            'a folder on another disk; the next run tries again.'
          : 'Point TMPDIR at a folder this user can write, with room to spare (or free space in it); ' +
            'the next run tries again.'),
      causeOf(options),
    );
  }
}

/**
 * The demo's `--out` folder cannot be used: it cannot be made (a read-only or virtual file system, a
 * file in the way, no permission), or it holds files the demo did not write. `reason`: what was
 * found, one sentence without a full stop; the message adds what to do.
 */
export class DemoOutFolderError extends AppGwInsightsError {
  override readonly name = 'DemoOutFolderError';
  readonly code = 'DemoOutFolderUnusable';
  constructor(
    readonly folder: string,
    reason: string,
    advice = 'Choose another folder with --out.',
    options?: { cause?: unknown },
  ) {
    super(`The demo cannot use ${folder} as its --out folder: ${sentence(reason)} ${advice}`, options);
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
  /**
   * @param options.whatToDo what the user does about it, for a writer whose user must act (the
   *   silence verbs); by default a run's, whose next run resolves it.
   */
  constructor(
    readonly store: string,
    options?: { cause?: unknown; whatToDo?: string },
  ) {
    super(
      `Another run updated the notify state in ${store} since this run read it; nothing was written. ` +
        (options?.whatToDo ??
          'Read the state again and retry (runs that overlap resolve this on their own).'),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

/**
 * The notify-on-change state could not be read, listed or written: the folder or file is not
 * accessible, the storage account is down or refused the request (key, SAS, role), or a lock is held.
 * `document` names the file or blob (`state file /var/lib/appgw/s/rg/gw.json`, `blob
 * appgw-state/notify/s/rg/gw.json`): never a key, SAS or connection string. Nothing was claimed or
 * sent for that document; the next run tries again. `action` says what to change.
 */
export class StateUnavailableError extends AppGwInsightsError {
  override readonly name = 'StateUnavailableError';
  readonly code = 'StateUnavailable';
  override readonly retryable: boolean;
  /**
   * @param options.retryable whether the next run may fare better (no answer, a lock held, 5xx, a full
   *   disk) or something must be changed first (rights, a key, a path).
   */
  constructor(
    readonly document: string,
    /** What failed, e.g. "cannot write it: EACCES" (no key, SAS or connection string). */
    readonly detail: string,
    /** What to change, e.g. "Check the storage service behind state.blob." */
    readonly action: string,
    options: { readonly retryable: boolean; readonly cause?: unknown },
  ) {
    super(`The notify state in ${document} is unavailable: ${sentence(detail)} ${action}`, causeOf(options));
    this.retryable = options.retryable;
  }
}

/**
 * A notify-on-change state document this version cannot read: not JSON, or not the shape it writes
 * (`[]`, `"version": 2` from a newer release, an outbox entry that is a string …). It is never reset or
 * written over: it stays as it is, the gateway it belongs to gets no notices until it is fixed, and the
 * message says how to recover. `issues` name each bad field (`outbox.webhook[ops][0]: …`).
 */
export class StateInvalidError extends AppGwInsightsError {
  override readonly name = 'StateInvalidError';
  readonly code = 'StateInvalid';
  /** True when the text is not JSON at all (a broken file, not a newer version's shape). */
  readonly notJson: boolean;
  constructor(
    readonly document: string,
    readonly issues: readonly string[],
    options?: { cause?: unknown; notJson?: boolean; kind?: StateDocumentKind },
  ) {
    const kind = STATE_DOCUMENT_KINDS[options?.kind ?? stateDocumentKind(document)];
    // A JSON syntax error is no version's writing: "run the newer version" would send the user astray.
    super(
      unreadableDocument(`${kind.what} in ${document}`, issues, options?.notJson) +
        `It was left as it is, and ${kind.meanwhile} until it is fixed. To recover: ` +
        newerVersionFirst(options?.notJson) +
        `restore it from a backup, correct it by hand (${kind.readme}), or move it aside (rename it, ` +
        `e.g. to *.json.invalid): ${kind.afresh}.`,
      causeOf(options),
    );
    this.notJson = options?.notJson === true;
  }
}

/**
 * One stored silence (`silence add`'s document, `silences.json`) that this version does not accept, in
 * a document that is otherwise readable: e.g. a glob an earlier release took (`agw-[12]`), refused now
 * that silences share receivers' matcher validator. Only that silence is not applied; the others are,
 * and the entry is kept as it is. `entry` is its 1-based place in `silences`; `id` is its id when it has
 * a usable one (then `silence expire ID` sets it aside), else undefined (edit the document by hand).
 * `problems` are `field: problem` lines, terminal-safe.
 */
export class StoredSilenceInvalidError extends AppGwInsightsError {
  override readonly name = 'StoredSilenceInvalidError';
  readonly code = 'StoredSilenceInvalid';
  constructor(
    readonly document: string,
    readonly entry: number,
    readonly id: string | undefined,
    readonly problems: readonly string[],
    /**
     * The command that sets it aside, `appgw-insights silence expire --config FILE ID` (built by the
     * silence store, follow-up-command.ts: the id one shell word, the verb's --config when known);
     * absent for an entry without an id.
     */
    expireCommand?: string,
    /**
     * Another entry of the document has its id (a duplicate): `silence expire ID` would end that one too
     * (a break trial: the advice expired the valid silence), so the fix is by hand.
     */
    idShared = false,
  ) {
    const which = id === undefined ? `The stored silence at entry ${entry}` : `The stored silence "${id}"`;
    const where = id === undefined ? ` in ${document}` : ` (entry ${entry} in ${document})`;
    const fix =
      id === undefined
        ? `correct or delete it by hand in ${document} (README "Silences"; it has no id \`silence expire\` can name)`
        : idShared
          ? `give it another id, or delete it, by hand in ${document} (README "Silences"; \`silence expire ${id}\` would end the other silence of that id too)`
          : `\`${expireCommand ?? `appgw-insights silence expire --config FILE ${id}`}\` (it is moved to "setAside" in the document, kept as it is), or correct it by hand in ${document} (README "Silences")`;
    super(
      `${which}${where} is not valid, so it is not applied (the other stored silences, if any, are): ` +
        `${problems.join('; ')}. To fix it: ${fix}.`,
    );
  }
}

/** The documents kept with the notify state, each said in its own words when it cannot be read. */
export type StateDocumentKind = 'notify-state' | 'silences' | 'alert-marks';

const STATE_DOCUMENT_KINDS: Readonly<
  Record<StateDocumentKind, { what: string; meanwhile: string; readme: string; afresh: string }>
> = {
  'notify-state': {
    what: 'The notify state',
    meanwhile: 'nothing is decided or sent for its gateway',
    readme: 'README "Notify state"',
    afresh: 'the next run starts this gateway afresh (servers still bad are told again as new)',
  },
  // One document for every gateway: not "its gateway".
  silences: {
    what: 'The stored silences (`silence add`)',
    meanwhile:
      "no stored silence is applied (notices are sent; the config's notify.silences still apply) and `silence add`/`silence expire` cannot change it",
    readme: 'README "Silences"',
    afresh:
      'the next `silence add` starts a new document (the silences it held are no longer applied: add again those still wanted)',
  },
  'alert-marks': {
    what: 'The alert dedupe marks',
    meanwhile: 'alerts for the gateways it covers are not deduplicated',
    readme: 'README "Azure Monitor alerts"',
    afresh: 'the next alert starts it afresh (at worst one extra evaluation)',
  },
};

/**
 * Which document a state document name is: the silences (`…silences.json`), an alert dedupe mark
 * (under `alerts/`), else a gateway's notify state. Status-page documents have their own error
 * (StatusHistoryInvalidError).
 */
function stateDocumentKind(document: string): StateDocumentKind {
  if (/silences\.json\b/.test(document)) return 'silences';
  if (/(^|[\\/ ])alerts[\\/]/.test(document)) return 'alert-marks';
  return 'notify-state';
}

/**
 * A status-page document (a gateway's history, kept beside the notify state in the same folder or
 * container under `history/`; the Functions app's page schedule beside them) could not be listed, read
 * or written: the state store failed (`detail`, `action` as the notify state's StateUnavailableError
 * gives them), or overlapping runs kept writing it first. Notices are not affected. `consequence` says
 * what the status page lacks in this situation (src/pipeline/status/status-services.ts HISTORY_LOSS:
 * this gateway's earlier readings, a gateway this run did not read, …). Tried again next run.
 */
export class StatusHistoryUnavailableError extends AppGwInsightsError {
  override readonly name = 'StatusHistoryUnavailableError';
  readonly code = 'StatusHistoryUnavailable';
  override readonly retryable: boolean;
  constructor(
    readonly document: string,
    detail: string,
    action: string,
    /** What the page lacks, a sentence, e.g. "The status page does not show this gateway …". */
    consequence: string,
    options: { readonly retryable: boolean; readonly cause?: unknown; readonly what?: string },
  ) {
    super(
      `The status page's ${options.what ?? 'history'} in ${document} is unavailable: ${sentence(detail)} Notices are not affected. ` +
        `${consequence} ${action}`,
      causeOf(options),
    );
    this.retryable = options.retryable;
  }
}

/**
 * A status-page document this version cannot read (not JSON, not the shape it writes). It is never
 * written over: `consequence` says what the page lacks until it is moved aside or fixed (its gateway's
 * history, or the gateway itself when this run did not read it). Notices are not affected (the notify
 * state is another document).
 */
export class StatusHistoryInvalidError extends AppGwInsightsError {
  override readonly name = 'StatusHistoryInvalidError';
  readonly code = 'StatusHistoryInvalid';
  constructor(
    readonly document: string,
    readonly issues: readonly string[],
    /** What the page lacks until it is fixed, a sentence. */
    consequence: string,
    options?: { cause?: unknown; what?: string; notJson?: boolean },
  ) {
    const what = `The status page's ${options?.what ?? 'history'} in ${document}`;
    // Not JSON: a broken file, which no version wrote; moving it aside is the only recovery.
    super(
      unreadableDocument(what, issues, options?.notJson) +
        `It was left as it is; notices are not affected. ${consequence} To recover: ` +
        newerVersionFirst(options?.notJson) +
        'move it aside (rename it, e.g. to *.json.invalid): the next run starts it afresh.',
      causeOf(options),
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

/**
 * Why a run stopped before it was done: a stop signal (`signal`: Ctrl-C, `kill`, a closed terminal)
 * or its `runDeadlineInMs` (`deadline`).
 */
export type RunStop =
  | { readonly by: 'signal'; readonly signal: string }
  | { readonly by: 'deadline'; readonly deadlineInMs: number };

/**
 * The run stopped before it was done (RunStop says why). Not a failure of the gateways it stopped: the
 * report lists them in `interrupted.notDone`, and nothing is decided or sent for them; the next run
 * does them. The abort reason of a run's stop signal (src/pipeline/run-interruption.ts), and the
 * error of a target whose listing it cut short.
 */
export class RunInterruptedError extends AppGwInsightsError {
  override readonly name = 'RunInterruptedError';
  readonly code = 'RunInterrupted';
  override readonly retryable = true;
  constructor(readonly stop: RunStop) {
    super(
      stop.by === 'signal'
        ? `The run was stopped by ${stop.signal} before it was done; what it finished is delivered, and the next run does the rest.`
        : `The run reached its deadline (runDeadlineInMs ${stop.deadlineInMs}) before it was done; what it finished is delivered, and the next run does the rest. Raise runDeadlineInMs or concurrency, or split the targets over several runs, if it keeps happening.`,
    );
  }
}

/**
 * Another direct run holds the lock on the folder this run writes its current view to (sinks.dir or
 * `--out`: adapters/files/run-folder-lock.ts): this run read nothing and wrote nothing, so nothing of it
 * is lost, and the run that holds the folder is not disturbed. Retryable: the next run goes once that
 * one is done. `owner`: who holds it, when it said so; `staleInMs`: after how long without a refresh a
 * dead run's lock is taken over; `elsewhere`: how to give this run another folder ("give another
 * folder with --out"); `scheduled`: false for a one-off (the demo, `evaluate`), which no schedule starts.
 */
export class RunInProgressError extends AppGwInsightsError {
  override readonly name = 'RunInProgressError';
  readonly code = 'RunInProgress';
  override readonly retryable = true;
  constructor(
    readonly dir: string,
    readonly owner: { readonly pid: number; readonly host: string; readonly since: string } | undefined,
    staleInMs: number,
    elsewhere = 'give this run another folder',
    /** A run a schedule starts (`run`): the advice names the schedule; not the demo's or evaluate's. */
    scheduled = true,
  ) {
    const who = owner
      ? `Another appgw-insights run (process ${owner.pid} on ${owner.host}, since ${owner.since.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC)`
      : 'Another appgw-insights run';
    super(
      `${who} is writing to ${dir}: this run checked nothing and wrote nothing. ` +
        (scheduled
          ? `Let that run finish; if your schedule starts runs while the last is still going, run less often, or ${elsewhere}. `
          : `Let that run finish, or ${elsewhere}. `) +
        `The lock is ${dir}/.appgw-run.lock: a run that was killed leaves it until its process is gone (this machine) or it is ${Math.round(staleInMs / 1000)} s old.`,
    );
  }
}

/**
 * The folder a direct run (or `evaluate`, or the demo) would write its view to lies inside another
 * run's folder (`enclosing`: its status page beside report.json, or its lock): that run keeps its
 * insights there and removes what is not its own, and its status page links into it, so the two would
 * replace each other's files (a break trial: `run --out out/insights`); or holds one below it
 * (`relation: 'around'`: `run --out a` around `a/inner`, whose run was then refused as inside it on every
 * run). Nothing was read or written. `elsewhere`: how to give this run another folder ("give another folder with --out"); `suggested`: a
 * folder to name, beside the enclosing one; `linkedTo`: where `dir` leads through a link.
 */
export class RunFolderNestedError extends AppGwInsightsError {
  override readonly name = 'RunFolderNestedError';
  readonly code = 'RunFolderNested';
  constructor(
    readonly dir: string,
    readonly enclosing: string,
    elsewhere = 'give this run another folder',
    suggested?: string,
    /** Where `dir` leads, when a link on its path makes it another folder. */
    linkedTo?: string,
    /**
     * `inside`: `enclosing` is a run's folder above `dir`. `around`: `enclosing` is a run's folder below
     * `dir` (a run around it would leave that run refused as inside this one from then on).
     */
    readonly relation: 'inside' | 'around' = 'inside',
  ) {
    const around = relation === 'around';
    const what = `(its status page and report.json, or its lock)`;
    super(
      (around
        ? `${dir} holds ${enclosing}, another run's folder ${what}: once this run has written its own there, that run would be refused as inside it on every run, its notices with it`
        : `${dir}${linkedTo ? ` (a link to ${linkedTo})` : ''} is inside ${enclosing}, a run's folder ${what}: that run keeps its current view there, and the two would replace each other's files`) +
        `; nothing was checked or written. ` +
        `${capitalized(elsewhere)}${suggested ? ` (e.g. ${suggested})` : ''}, ${around ? 'not around' : 'outside'} ${enclosing}; ` +
        `if no run writes ${enclosing} any more, remove its report.json and index.html (and .appgw-run.lock, left by a run that was killed).`,
    );
  }
}

/**
 * `recheck` or the gateway insight endpoint names a gateway outside the targets: nothing is asked of ARM
 * (the on-demand probe is a write the operator did not scope this app to; the function key opens the
 * watched gateways only). The CLI and the HTTP endpoints (404) say the same, naming the setting that
 * lists the targets (`targets` of the configuration file, or APPGW_TARGETS).
 */
export class GatewayNotWatchedError extends AppGwInsightsError {
  override readonly name = 'GatewayNotWatchedError';
  readonly code = 'NotWatched';
  constructor(
    readonly gatewayId: string,
    /** Where the targets are listed: `"targets" in config.json`, `APPGW_TARGETS`. */
    targetsSetting: string,
    /** What was not done, said last (`recheck`: nothing was probed). */
    nothingDone = 'Nothing was probed.',
  ) {
    super(
      `${gatewayId} is not among the gateways this app watches (${targetsSetting}): add it there, or check the gateway id. ${nothingDone}`,
    );
  }
}

/**
 * `recheck` cannot say what to probe: the pool or backend setting named is not in the gateway's
 * configuration (the message lists the names it has), or the configuration could not be read (its
 * probe values come from there). Nothing was probed and nothing changed.
 */
export class RecheckTargetError extends AppGwInsightsError {
  override readonly name = 'RecheckTargetError';
  readonly code = 'RecheckTargetInvalid';
  constructor(
    readonly gatewayId: string,
    detail: string,
  ) {
    super(`Cannot recheck ${gatewayId}: ${clause(detail)}. Nothing was probed and no episode changed.`);
  }
}

/**
 * `recheck` names a gateway ARM does not have (404 to its configuration GET or to the on-demand probe).
 * The message says which input named it (`--gateway`, or the HTTP route) and what to check there; not
 * the targets (GatewayNotFoundError's advice for a scheduled run), since the id came from the request.
 * The HTTP endpoint answers 404 (code ResourceNotFound, as GatewayNotFoundError).
 */
export class RecheckGatewayNotFoundError extends AppGwInsightsError {
  override readonly name = 'RecheckGatewayNotFoundError';
  readonly code = 'ResourceNotFound';
  constructor(
    readonly gatewayId: string,
    /** The input that named the gateway: `--gateway`, `the URL's {subscription}/{resourceGroup}/{name}`. */
    source: string,
    detail: string,
  ) {
    super(
      `No such gateway: ${gatewayId} (${clause(detail)}). Check the subscription id, resource group ` +
        `and gateway name in ${source} (\`az network application-gateway list -o table\` lists the gateways ` +
        'you can see), and that the identity can read it. Nothing was probed.',
    );
  }
}

/**
 * `value` as one POSIX shell word in single quotes (a `'` written `'\''`). Here, not shell-quote.ts:
 * errors.ts imports none of our modules. For an ARM id, whose characters (validated) are all visible.
 */
function singleQuoted(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * ARM refused the on-demand probe's request itself (400: InvalidResourceReference for a pool or setting
 * it does not probe, InvalidRequestFormat, …): the request is wrong, not ARM or the gateway, and
 * retrying it changes nothing. Thrown by the on-demand prober; `recheck` turns it into a
 * RecheckTargetError naming the wrong name and listing the gateway's.
 */
export class OnDemandProbeRefusedError extends AppGwInsightsError {
  override readonly name = 'OnDemandProbeRefusedError';
  readonly code = 'OnDemandProbeRefused';
  constructor(
    readonly gatewayId: string,
    /** ARM's error code (`InvalidResourceReference`), when it gave one. */
    readonly armCode: string | undefined,
    /** ARM's own message, first line, clipped. */
    readonly armMessage: string,
  ) {
    super(
      `ARM refused the on-demand probe of ${gatewayId} (400${armCode ? ` ${armCode}` : ''}: ${clause(armMessage)}). ` +
        'The request named something the gateway does not probe: check the backend pool and backend setting ' +
        `named against the gateway's (\`az network application-gateway show --ids ${singleQuoted(gatewayId)}\`). Nothing was probed.`,
    );
  }
}

/**
 * A guard that recognises an error of ours by its `name` and `code`, not by `instanceof`: an error made
 * by another copy of this module (a second bundle, a module loaded afresh with jest.isolateModules) is
 * no instance of this copy's class, yet keeps both. ky recognises its errors the same way
 * (sindresorhus/ky source/utils/type-guards.ts: `isHTTPError`). The code is checked as well as the name
 * because a name alone is not ours: @azure/identity throws an `AuthenticationError` of its own.
 */
function errorGuard<T extends AppGwInsightsError>(
  name: T['name'],
  code: T['code'],
): (value: unknown) => value is T {
  return (value: unknown): value is T =>
    value instanceof Error && value.name === name && (value as { code?: unknown }).code === code;
}

/** A ConfigError (`ConfigInvalid`), from any copy of this module. */
export const isConfigError = errorGuard<ConfigError>('ConfigError', 'ConfigInvalid');
/** A UsageError (`UsageInvalid`), from any copy of this module. */
export const isUsageError = errorGuard<UsageError>('UsageError', 'UsageInvalid');
/** A ScenarioError (`ScenarioInvalid`), from any copy of this module. */
export const isScenarioError = errorGuard<ScenarioError>('ScenarioError', 'ScenarioInvalid');
/** A BackendHealthBodyError (`BackendHealthBodyInvalid`), from any copy of this module. */
export const isBackendHealthBodyError = errorGuard<BackendHealthBodyError>(
  'BackendHealthBodyError',
  'BackendHealthBodyInvalid',
);
/** Our AuthenticationError (`AuthenticationFailed`), not @azure/identity's of the same name. */
export const isAuthenticationError = errorGuard<AuthenticationError>(
  'AuthenticationError',
  'AuthenticationFailed',
);
/** An ArmUnreachableError (`ArmUnreachable`), from any copy of this module. */
export const isArmUnreachableError = errorGuard<ArmUnreachableError>('ArmUnreachableError', 'ArmUnreachable');
/** A MissingPermissionError (`AuthorizationFailed`), from any copy of this module. */
export const isMissingPermissionError = errorGuard<MissingPermissionError>(
  'MissingPermissionError',
  'AuthorizationFailed',
);
/** A GatewayNotFoundError (`ResourceNotFound`), from any copy of this module. */
export const isGatewayNotFoundError = errorGuard<GatewayNotFoundError>(
  'GatewayNotFoundError',
  'ResourceNotFound',
);
/** A GatewayDeletedError (`GatewayDeleted`), from any copy of this module. */
export const isGatewayDeletedError = errorGuard<GatewayDeletedError>('GatewayDeletedError', 'GatewayDeleted');
/** A TargetNotFoundError (`TargetNotFound`), from any copy of this module. */
export const isTargetNotFoundError = errorGuard<TargetNotFoundError>('TargetNotFoundError', 'TargetNotFound');
/** A ThrottledError (`Throttled`), from any copy of this module. */
export const isThrottledError = errorGuard<ThrottledError>('ThrottledError', 'Throttled');
/** A TargetListUnavailableError (`TargetListUnavailable`), from any copy of this module. */
export const isTargetListUnavailableError = errorGuard<TargetListUnavailableError>(
  'TargetListUnavailableError',
  'TargetListUnavailable',
);
/** A BackendHealthUnavailableError (`BackendHealthUnavailable`), from any copy of this module. */
export const isBackendHealthUnavailableError = errorGuard<BackendHealthUnavailableError>(
  'BackendHealthUnavailableError',
  'BackendHealthUnavailable',
);
/** A PortUnavailableError (`PortUnavailable`), from any copy of this module. */
export const isPortUnavailableError = errorGuard<PortUnavailableError>(
  'PortUnavailableError',
  'PortUnavailable',
);
/** An ArticleError (`ArticleInvalid`), from any copy of this module. */
export const isArticleError = errorGuard<ArticleError>('ArticleError', 'ArticleInvalid');
/** A DeliveryError (`DeliveryFailed`), from any copy of this module. */
export const isDeliveryError = errorGuard<DeliveryError>('DeliveryError', 'DeliveryFailed');
/** A DemoOutFolderError (`DemoOutFolderUnusable`), from any copy of this module. */
export const isDemoOutFolderError = errorGuard<DemoOutFolderError>(
  'DemoOutFolderError',
  'DemoOutFolderUnusable',
);
/** A StateConflictError (`StateConflict`), from any copy of this module. */
export const isStateConflictError = errorGuard<StateConflictError>('StateConflictError', 'StateConflict');
/** A StorageUnansweredError (`StorageUnanswered`), from any copy of this module. */
export const isStorageUnansweredError = errorGuard<StorageUnansweredError>(
  'StorageUnansweredError',
  'StorageUnanswered',
);
/** A StateUnavailableError (`StateUnavailable`), from any copy of this module. */
export const isStateUnavailableError = errorGuard<StateUnavailableError>(
  'StateUnavailableError',
  'StateUnavailable',
);
/** A StoredSilenceInvalidError (`StoredSilenceInvalid`), from any copy of this module. */
export const isStoredSilenceInvalidError = errorGuard<StoredSilenceInvalidError>(
  'StoredSilenceInvalidError',
  'StoredSilenceInvalid',
);
/** A StateInvalidError (`StateInvalid`), from any copy of this module. */
export const isStateInvalidError = errorGuard<StateInvalidError>('StateInvalidError', 'StateInvalid');
/** A StatusHistoryUnavailableError (`StatusHistoryUnavailable`), from any copy of this module. */
export const isStatusHistoryUnavailableError = errorGuard<StatusHistoryUnavailableError>(
  'StatusHistoryUnavailableError',
  'StatusHistoryUnavailable',
);
/** A StatusHistoryInvalidError (`StatusHistoryInvalid`), from any copy of this module. */
export const isStatusHistoryInvalidError = errorGuard<StatusHistoryInvalidError>(
  'StatusHistoryInvalidError',
  'StatusHistoryInvalid',
);
/** A PoisonedMessageError (`Poisoned`), from any copy of this module. */
export const isPoisonedMessageError = errorGuard<PoisonedMessageError>('PoisonedMessageError', 'Poisoned');
/** A ScratchUnavailableError (`ScratchUnavailable`), from any copy of this module. */
export const isScratchUnavailableError = errorGuard<ScratchUnavailableError>(
  'ScratchUnavailableError',
  'ScratchUnavailable',
);
/** A RunInterruptedError (`RunInterrupted`), from any copy of this module. */
/** RunInterruptedError's code, as a report keeps it (a target the interruption cut short). */
export const RUN_INTERRUPTED_CODE: RunInterruptedError['code'] = 'RunInterrupted';

export const isRunInterruptedError = errorGuard<RunInterruptedError>('RunInterruptedError', 'RunInterrupted');
/** A GatewayNotFoundSinceListedError (`NotFoundSinceListed`), from any copy of this module. */
export const isGatewayNotFoundSinceListedError = errorGuard<GatewayNotFoundSinceListedError>(
  'GatewayNotFoundSinceListedError',
  'NotFoundSinceListed',
);
/** A GatewayNotWatchedError (`NotWatched`), from any copy of this module. */
export const isGatewayNotWatchedError = errorGuard<GatewayNotWatchedError>(
  'GatewayNotWatchedError',
  'NotWatched',
);
/** A RecheckTargetError (`RecheckTargetInvalid`), from any copy of this module. */
export const isRecheckTargetError = errorGuard<RecheckTargetError>(
  'RecheckTargetError',
  'RecheckTargetInvalid',
);
/** A RunInProgressError (`RunInProgress`), from any copy of this module. */
export const isRunInProgressError = errorGuard<RunInProgressError>('RunInProgressError', 'RunInProgress');
/** A RunFolderNestedError (`RunFolderNested`), from any copy of this module. */
export const isRunFolderNestedError = errorGuard<RunFolderNestedError>(
  'RunFolderNestedError',
  'RunFolderNested',
);
/** A RecheckGatewayNotFoundError (`ResourceNotFound`, as GatewayNotFoundError), from any copy of this module. */
export const isRecheckGatewayNotFoundError = errorGuard<RecheckGatewayNotFoundError>(
  'RecheckGatewayNotFoundError',
  'ResourceNotFound',
);
/** An OnDemandProbeRefusedError (`OnDemandProbeRefused`), from any copy of this module. */
export const isOnDemandProbeRefusedError = errorGuard<OnDemandProbeRefusedError>(
  'OnDemandProbeRefusedError',
  'OnDemandProbeRefused',
);

/**
 * Any error of ours (one a user can act on, with a stable `code` and `retryable`), from any copy of
 * this module, by the mark every one carries; anything else is reported as `Unexpected`.
 */
export function isAppGwInsightsError(value: unknown): value is AppGwInsightsError {
  return value instanceof Error && (value as unknown as Record<symbol, unknown>)[OURS] === true;
}

/**
 * A cancellation, not an answer: an aborted signal (`AbortError`) or `AbortSignal.timeout()` firing
 * (`TimeoutError`), as the platform (a DOMException), the Azure SDK's pipeline (its own AbortError)
 * and our own time-outs name them: by name, as they are different classes. A DOMException is checked
 * as such too: it is an Error in Node, but not of the realm a test sandbox runs in.
 */
export function isCancellation(value: unknown): value is Error {
  const error =
    value instanceof Error || (typeof DOMException === 'function' && value instanceof DOMException);
  const name = error ? (value as Error).name : undefined;
  return name === 'AbortError' || name === 'TimeoutError';
}

/**
 * The first sentence of a stored document's "cannot be read" message (`what`: "The notify state in
 * …"), with its first five problems and how many more: enough to act on, never a wall of text. Not
 * JSON (`notJson`): a broken file, which no version wrote, so not "cannot be read by this version".
 */
function unreadableDocument(what: string, issues: readonly string[], notJson: boolean | undefined): string {
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  const first = `${issues.slice(0, 5).join('; ')}${more}`;
  return notJson ? `${what} is ${first}. ` : `${what} cannot be read by this version: ${first}. `;
}

/** The recovery to try first for a document this version cannot read: none for one that is not JSON. */
function newerVersionFirst(notJson: boolean | undefined): string {
  return notJson ? '' : 'if a newer appgw-insights wrote it, run that version; otherwise ';
}

/** `{ cause }` for Error's constructor when one was given (no `cause: undefined` on the error). */
function causeOf(options: { readonly cause?: unknown } | undefined): { cause: unknown } | undefined {
  return options?.cause === undefined ? undefined : { cause: options.cause };
}

/**
 * `text` as a clause our message goes on after: without its closing periods and white space, since a
 * detail may end with ARM's own sentence (one period, not two).
 */
function clause(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

/** Anything thrown, as an Error, so callers can report `message` safely. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * `text` closed with a full stop unless it ends a sentence already: "… Retry later.. No server is
 * counted …" when ARM's message ended with one (a break trial). The same rule as core/sentence.ts,
 * which this module may not import (it imports none of ours: the dependency rule).
 */
function sentence(text: string): string {
  return /[.!?…:]["'”’)\]]*\s*$/.test(text) ? text : `${text}.`;
}

/** `text` with its first letter upper case: advice written to follow a comma, opening a sentence. */
function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
