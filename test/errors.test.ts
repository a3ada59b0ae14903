import { createDefaultHttpClient, createPipelineRequest } from '@azure/core-rest-pipeline';
import { AuthenticationError as IdentityAuthenticationError } from '@azure/identity';
import { reportedError } from '../src/core/reported-error';
import * as errors from '../src/errors';

type ErrorsModule = typeof errors;

/** A second copy of src/errors.ts, as a second bundle or a module loaded afresh would hold it. */
let copy!: ErrorsModule;
jest.isolateModules(() => {
  copy = require('../src/errors') as ErrorsModule;
});

/** Each error class, one instance made by a given copy of the module, and its guard's name. */
const CLASSES: ReadonlyArray<readonly [string, (m: ErrorsModule) => errors.AppGwInsightsError]> = [
  ['ConfigError', (m) => new m.ConfigError(['targets: required'])],
  ['UsageError', (m) => new m.UsageError(['unknown option --x'], 'run')],
  ['ScenarioError', (m) => new m.ScenarioError(['gateways: required'])],
  ['BackendHealthBodyError', (m) => new m.BackendHealthBodyError(['backendAddressPools: required'])],
  ['AuthenticationError', (m) => new m.AuthenticationError('no sign-in', { retryable: true })],
  ['ArmUnreachableError', (m) => new m.ArmUnreachableError('https://127.0.0.1:1', 'refused', 'Check it.')],
  [
    'MissingPermissionError',
    (m) => new m.MissingPermissionError('/subscriptions/s', m.GATEWAY_ACTIONS[0], 'ARM answered 403'),
  ],
  ['GatewayNotFoundError', (m) => new m.GatewayNotFoundError('/subscriptions/s/…/gw', 'ARM answered 404')],
  ['GatewayDeletedError', (m) => new m.GatewayDeletedError('/subscriptions/s/…/gw')],
  ['GatewayNotFoundSinceListedError', (m) => new m.GatewayNotFoundSinceListedError('/subscriptions/s/…/gw')],
  ['GatewayNotWatchedError', (m) => new m.GatewayNotWatchedError('/subscriptions/s/…/gw', 'APPGW_TARGETS')],
  ['TargetNotFoundError', (m) => new m.TargetNotFoundError('/subscriptions/s', 'Subscription s', undefined)],
  ['ThrottledError', (m) => new m.ThrottledError('/subscriptions/s', 'ARM answered 429')],
  ['TargetListUnavailableError', (m) => new m.TargetListUnavailableError('/subscriptions/s', 'no answer')],
  ['BackendHealthUnavailableError', (m) => new m.BackendHealthUnavailableError('/…/gw', 'no answer')],
  ['PortUnavailableError', (m) => new m.PortUnavailableError(8443, 'is in use')],
  ['ArticleError', (m) => new m.ArticleError('unclosed placeholder', 3)],
  ['DeliveryError', (m) => new m.DeliveryError('folder', 'cannot write', { retryable: false })],
  ['DemoOutFolderError', (m) => new m.DemoOutFolderError('/proc/ro', 'it cannot be made (ENOENT)')],
  ['ScratchUnavailableError', (m) => new m.ScratchUnavailableError('/tmp/run/page-1.jsonl', 'ENOSPC')],
  ['StateConflictError', (m) => new m.StateConflictError('state file /s/gw.json')],
  [
    'StateUnavailableError',
    (m) => new m.StateUnavailableError('state file /s/gw.json', 'locked', 'Wait.', { retryable: true }),
  ],
  [
    'StorageUnansweredError',
    (m) => new m.StorageUnansweredError('https://acct.blob.core.windows.net', 'no answer in time', 30_000),
  ],
  ['StateInvalidError', (m) => new m.StateInvalidError('state file /s/gw.json', ['(root): not an object'])],
  [
    'StoredSilenceInvalidError',
    (m) =>
      new m.StoredSilenceInvalidError('state file /s/silences.json', 2, 'mw', [
        'matchers.gateway: not a glob',
      ]),
  ],
  [
    'StatusHistoryUnavailableError',
    (m) =>
      new m.StatusHistoryUnavailableError('state file /s/history/gw.json', 'locked', 'Wait.', 'Shown.', {
        retryable: true,
      }),
  ],
  [
    'StatusHistoryInvalidError',
    (m) =>
      new m.StatusHistoryInvalidError('state file /s/history/gw.json', ['(root): not an object'], 'Shown.'),
  ],
  ['PoisonedMessageError', (m) => new m.PoisonedMessageError('/…/gw')],
  ['RunInterruptedError', (m) => new m.RunInterruptedError({ by: 'signal', signal: 'SIGINT' })],
  ['RunInProgressError', (m) => new m.RunInProgressError('/srv/out', undefined, 60_000)],
  ['RunFolderNestedError', (m) => new m.RunFolderNestedError('/srv/out/insights', '/srv/out')],
  ['RecheckTargetError', (m) => new m.RecheckTargetError('/…/gw', 'no backend pool "x"')],
  [
    'RecheckGatewayNotFoundError',
    (m) => new m.RecheckGatewayNotFoundError('/…/gw', '--gateway', 'ARM answered 404'),
  ],
  [
    'OnDemandProbeRefusedError',
    (m) => new m.OnDemandProbeRefusedError('/…/gw', 'InvalidResourceReference', 'x'),
  ],
];

type Guard = (value: unknown) => boolean;
const guardOf = (m: ErrorsModule, name: string): Guard =>
  (m as unknown as Record<string, Guard>)[`is${name}`] as Guard;

/** Errors of others (and things that are not errors) that no guard of ours may take. */
const FOREIGN: Array<[string, unknown]> = [
  ['an Error', new Error('boom')],
  ['a TypeError', new TypeError('x is undefined')],
  // @azure/identity's own AuthenticationError: our class's name, not ours.
  ['@azure/identity AuthenticationError', new IdentityAuthenticationError(400, '{"error":"invalid_grant"}')],
  ['an Error named like ours, without our code', Object.assign(new Error('x'), { name: 'DeliveryError' })],
  [
    'a plain object with our name and code (a reported error read back)',
    { name: 'DeliveryError', code: 'DeliveryFailed', message: 'x', retryable: false },
  ],
  ['undefined', undefined],
  ['null', null],
  ['a string', 'DeliveryError'],
];

describe('a name-based type guard per error class', () => {
  it('exists for every error class src/errors.ts exports (none is left without one)', () => {
    const classes = Object.entries(errors)
      .filter(
        ([, value]) => typeof value === 'function' && value.prototype instanceof errors.AppGwInsightsError,
      )
      .map(([name]) => name)
      .sort();
    expect(classes).toEqual(CLASSES.map(([name]) => name).sort());
    for (const name of classes) expect(typeof guardOf(errors, name)).toBe('function');
  });

  describe.each(CLASSES)('is%s', (name, make) => {
    const guard = guardOf(errors, name);

    it('accepts its class, made by this copy of the module or by another (jest.isolateModules)', () => {
      const mine = make(errors);
      const theirs = make(copy);
      expect(mine.name).toBe(name);
      expect(theirs).not.toBeInstanceOf(mine.constructor); // why the guard is not `instanceof`
      expect(guard(mine)).toBe(true);
      expect(guard(theirs)).toBe(true);
      expect(guardOf(copy, name)(mine)).toBe(true);
    });

    it.each(CLASSES.filter(([other]) => other !== name))('rejects a %s (from either copy)', (_, other) => {
      expect(guard(other(errors))).toBe(false);
      expect(guard(other(copy))).toBe(false);
    });

    it.each(FOREIGN)('rejects %s', (_, value) => {
      expect(guard(value)).toBe(false);
    });
  });
});

describe('isAppGwInsightsError', () => {
  it.each(CLASSES)('accepts a %s from either copy of the module', (_, make) => {
    expect(errors.isAppGwInsightsError(make(errors))).toBe(true);
    expect(errors.isAppGwInsightsError(make(copy))).toBe(true);
  });

  it.each(FOREIGN)('rejects %s', (_, value) => {
    expect(errors.isAppGwInsightsError(value)).toBe(false);
  });

  it('so an error from another copy is reported with its code and document, not as Unexpected', () => {
    const theirs = new copy.StateUnavailableError(
      'blob appgw-state/notify/s/rg/gw.json',
      'HTTP 503',
      'Wait.',
      {
        retryable: true,
      },
    );
    expect(reportedError(theirs)).toMatchObject({
      code: 'StateUnavailable',
      retryable: true,
      document: 'blob appgw-state/notify/s/rg/gw.json',
    });
    expect(reportedError(new Error('a bug'))).toMatchObject({ code: 'Unexpected', retryable: true });
  });

  it('the mark is not enumerable: it shows in no log, inspection or JSON', () => {
    const error = new errors.DeliveryError('folder', 'cannot write', { retryable: false });
    expect(
      Object.getOwnPropertySymbols(error).every((s) => !Object.prototype.propertyIsEnumerable.call(error, s)),
    ).toBe(true);
    expect(JSON.stringify({ ...error })).not.toContain('appgw-insights.error');
  });
});

describe('isCancellation', () => {
  it.each<[string, () => Promise<unknown>]>([
    ['an aborted signal’s reason (DOMException AbortError)', async () => AbortSignal.abort().reason],
    ['AbortSignal.timeout()’s reason (DOMException TimeoutError)', timeoutReason],
    ['the Azure SDK pipeline’s AbortError (a request sent with an aborted signal)', sdkAbortError],
  ])('accepts %s', async (_, make) => {
    const value = await make();
    expect((value as Error).name).toMatch(/^(Abort|Timeout)Error$/);
    expect(errors.isCancellation(value)).toBe(true);
  });

  it.each<[string, unknown]>([
    ...FOREIGN,
    ['an error of ours', new errors.TargetListUnavailableError('/subscriptions/s', 'no answer')],
    ['a plain object named AbortError', { name: 'AbortError' }],
  ])('rejects %s', (_, value) => {
    expect(errors.isCancellation(value)).toBe(false);
  });
});

function timeoutReason(): Promise<unknown> {
  const signal = AbortSignal.timeout(1);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));
}

async function sdkAbortError(): Promise<unknown> {
  const request = createPipelineRequest({
    url: 'http://127.0.0.1:9/',
    allowInsecureConnection: true,
    abortSignal: AbortSignal.abort(),
  });
  return createDefaultHttpClient()
    .sendRequest(request)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

describe('OnDemandProbeRefusedError', () => {
  it('names the gateway in its az command (a value the product knows, issue 17), one shell word', () => {
    const id =
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg(prod)/providers/Microsoft.Network/applicationGateways/appgw';
    const error = new errors.OnDemandProbeRefusedError(id, 'InvalidResourceReference', 'x');
    expect(error.message).toContain(`(\`az network application-gateway show --ids '${id}'\`)`);
  });
});

// A break trial: a host that is not ARM (a wrong arm.endpoint) answered 404 to everything, and the
// messages said only that the gateway and the target do not exist.
describe('a 404 without ARM error code', () => {
  const HINT = 'check too that arm.endpoint (APPGW_ARM_ENDPOINT) is Azure Resource Manager';
  it.each<[string, string, boolean]>([
    [
      'a target, no code',
      new errors.TargetNotFoundError('/subscriptions/s', 'Subscription s', undefined).message,
      true,
    ],
    [
      'a target, ARM code',
      new errors.TargetNotFoundError('/subscriptions/s', 'Subscription s', 'SubscriptionNotFound').message,
      false,
    ],
    [
      'a gateway, no code',
      new errors.GatewayNotFoundError('/subscriptions/s/…/gw', 'ARM answered 404').message,
      true,
    ],
    [
      'a gateway, ARM code',
      new errors.GatewayNotFoundError('/subscriptions/s/…/gw', 'ARM answered 404 ResourceNotFound').message,
      false,
    ],
    [
      "a gateway, its resource group's ARM code",
      new errors.GatewayNotFoundError('/subscriptions/s/…/gw', 'ARM answered 404 ResourceGroupNotFound')
        .message,
      false,
    ],
    [
      "a gateway, ARM's code for its subscription",
      new errors.GatewayNotFoundError('/subscriptions/s/…/gw', 'ARM answered 404 SubscriptionNotFound')
        .message,
      false,
    ],
    // A new-user trial: a host's own code read as ARM's word that the gateway does not exist.
    [
      "a gateway, a code not ARM's",
      new errors.GatewayNotFoundError('/subscriptions/s/…/gw', 'ARM answered 404 NotFound').message,
      true,
    ],
  ])('%s: the endpoint named only without a code', (_, message, hinted) => {
    expect(message.includes(HINT)).toBe(hinted);
  });
});
