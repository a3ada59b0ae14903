/**
 * The fault matrix's ARM rows (README "Fault matrix"), end to end: the real pipeline (config → real
 * ARM client → emulator → notify with file state → loopback receiver) meets each fault on each call
 * the product makes: the list, the backendhealth POST and the long-running operation's poll. One
 * gateway's server had an open `degraded` episode and is healthy again; its calls fail as the row
 * says. Either the SDK rides the fault out (the server recovers, once), or the run reports the error
 * the README's Errors table names and the episode stays open: no `recovered` is guessed from a failed
 * read. The other gateway (its own subscription, its own target) recovers either way.
 */
import type { BodyFaultKind } from '../../src/emulator';
import type { GatewayReport, RunReport, TargetReport } from '../../src/core/run-report';
import { SUB } from '../helpers/scenario-builder';
import {
  FAULTY,
  OTHER,
  expectEpisodeUntouched,
  expectRecovered,
  useOpenEpisodes,
  type FaultRun,
  type GatewayInput,
} from './support';

type Call = 'list' | 'backendHealth' | 'poll';

const run = useOpenEpisodes();

/** Where a failed call is reported: a failed listing on its target, the rest on the gateway. */
function reportedAt(report: RunReport, call: Call): GatewayReport | TargetReport | undefined {
  return call === 'list'
    ? report.targets.find((t) => t.id === `/subscriptions/${SUB}`)
    : report.gateways.find((g) => g.id === FAULTY);
}

function expectFailed(
  result: FaultRun,
  call: Call,
  error: { code: string; retryable: boolean; message: RegExp },
): void {
  const where = reportedAt(result.report, call);
  expect(where).toMatchObject({ ok: false, error: { code: error.code, retryable: error.retryable } });
  expect(where?.error?.message).toMatch(error.message);
  expect(result.report.ok).toBe(false);
  // A listing that failed evaluates none of its gateways; the gateway is not reported as failed too.
  if (call === 'list') expect(result.report.gateways.map((g) => g.id)).toEqual([OTHER]);
  expectEpisodeUntouched(result);
}

const CALLS: ReadonlyArray<readonly [string, Call]> = [
  ['the list', 'list'],
  ['the backendhealth POST', 'backendHealth'],
  ['the poll', 'poll'],
];
/** One row per call: `[label, call, what the row needs for that call]` (titles use the label). */
const onEachCall = <T>(data: (call: Call) => T): Array<[string, Call, T]> =>
  CALLS.map(([label, call]) => [label, call, data(call)]);
/**
 * A failure ARM answered (5xx, a failed operation) is not cured by a longer time-out: the advice points
 * at the gateway's and ARM's health, and never says to raise gatewayTimeoutInMs (that is a time-out's).
 */
function expectFailureAdvice(result: FaultRun, call: Call): void {
  const message = reportedAt(result.report, call)?.error?.message ?? '';
  // A listing's failure is the subscription's, not one gateway's (a new-user trial).
  expect(message).toMatch(
    call === 'list'
      ? /check the subscription's Activity log and Service health/
      : /check the gateway's Resource health and Activity log/,
  );
  expect(message).not.toMatch(/gatewayTimeoutInMs/);
}
const unavailable = (call: Call) => (call === 'list' ? 'TargetListUnavailable' : 'BackendHealthUnavailable');

describe('ARM faults on each call, through the whole pipeline', () => {
  it.each(onEachCall((call) => (call === 'list' ? 500 : call === 'backendHealth' ? 502 : 504)))(
    '5xx once on %s: retried (arm.maxRetries), the gateway read, the server recovers once',
    async (_label, on, status) => {
      const result = await run({ faults: [{ on, status }] }, { arm: { maxRetries: 1 } });
      expectRecovered(result);
      expectRecovered(result, OTHER, '10.0.1.4');
    },
  );

  it.each(onEachCall((call) => (call === 'list' ? 503 : 500)))(
    '5xx beyond the retries on %s: reported (retryable), the episode stays open',
    async (_label, on, status) => {
      // arm.maxRetries is 0 here (the emulator settings): the first 5xx is beyond it.
      const result = await run({ faults: [{ on, status, times: 9 }] });
      expectFailed(result, on, {
        code: unavailable(on),
        retryable: true,
        message: new RegExp(`ARM answered ${status}`),
      });
      expectFailureAdvice(result, on);
      expectRecovered(result, OTHER, '10.0.1.4');
    },
  );

  it.each(onEachCall(() => null))(
    '429 with Retry-After on %s: retried after it, the server recovers once',
    async (_label, on) => {
      const result = await run(
        { faults: [{ on, status: 429, retryAfterSeconds: 0 }] },
        { arm: { maxRetries: 1 } },
      );
      expectRecovered(result);
    },
  );

  it.each(onEachCall(() => null))(
    '429 without Retry-After on %s: retried with back-off, the server recovers once',
    async (_label, on) => {
      const result = await run({ faults: [{ on, status: 429 }] }, { arm: { maxRetries: 1 } });
      expectRecovered(result);
    },
  );

  it.each(onEachCall(() => null))(
    '429 beyond the retries on %s, with and without Retry-After: Throttled (retryable), the episode stays open',
    async (_label, on) => {
      for (const header of [{ retryAfterSeconds: 0 }, {}]) {
        const result = await run({ faults: [{ on, status: 429, times: 9, ...header }] });
        expectFailed(result, on, { code: 'Throttled', retryable: true, message: /ARM answered 429/ });
        expectRecovered(result, OTHER, '10.0.1.4');
      }
    },
  );

  it.each(onEachCall(() => null))(
    'a connection reset once on %s: retried like a lost connection, the server recovers once',
    async (_label, on) => {
      const result = await run({ faults: [{ on, connection: 'reset' }] }, { arm: { maxRetries: 1 } });
      expectRecovered(result);
    },
  );

  it.each(onEachCall(() => null))(
    'connection resets beyond the retries on %s: ArmUnreachable (retryable), the episode stays open',
    async (_label, on) => {
      const result = await run({ faults: [{ on, connection: 'reset', times: 9 }] });
      expectFailed(result, on, {
        code: 'ArmUnreachable',
        retryable: true,
        message: /the connection to 127\.0\.0\.1:\d+ was reset \(ECONNRESET\)/,
      });
      expectRecovered(result, OTHER, '10.0.1.4');
    },
  );

  it.each(onEachCall(() => null))(
    'no answer on %s (it hangs): reported after gatewayTimeoutInMs (retryable), the episode stays open',
    async (_label, on) => {
      // The hang never ends, so the time-out is certain; the other gateway has the same one second,
      // which a busy machine may use up, so only the faulty gateway is checked.
      const result = await run(
        { faults: [{ on, connection: 'hang', times: 9 }] },
        { gatewayTimeoutInMs: 1000 },
      );
      expectFailed(result, on, {
        code: unavailable(on),
        retryable: true,
        message: /no answer within 1000 ms \(gatewayTimeoutInMs\)/,
      });
    },
  );

  it.each(onEachCall(() => null))(
    '401 on %s: AuthenticationFailed (not retryable), naming whose token, the episode stays open',
    async (_label, on) => {
      const result = await run({ faults: [{ on, status: 401, code: 'InvalidAuthenticationToken' }] });
      expectFailed(result, on, {
        code: 'AuthenticationFailed',
        retryable: false,
        message:
          /refused the token of the development credential .*\(ARM answered 401 InvalidAuthenticationToken/,
      });
      expectRecovered(result, OTHER, '10.0.1.4');
    },
  );

  it.each(
    onEachCall((call) =>
      call === 'list'
        ? /Microsoft\.Network\/applicationGateways\/read/
        : call === 'backendHealth'
          ? /Microsoft\.Network\/applicationGateways\/backendhealth\/action/
          : /Microsoft\.Network\/locations\/operationResults\/read/,
    ),
  )(
    '403 on %s: AuthorizationFailed naming the action to grant, the episode stays open',
    async (_label, on, action) => {
      const result = await run({ faults: [{ on, status: 403 }] });
      expectFailed(result, on, { code: 'AuthorizationFailed', retryable: false, message: action });
      expectRecovered(result, OTHER, '10.0.1.4');
    },
  );

  it.each(
    onEachCall((call) =>
      call === 'list'
        ? {
            code: 'ResourceGroupNotFound',
            expected: 'TargetNotFound',
            retryable: false,
            message: /does not exist/,
          }
        : call === 'backendHealth'
          ? {
              // The gateway's GET answers 200: ARM still has it (a failed reading, not a deletion).
              code: 'ResourceNotFound',
              expected: 'BackendHealthUnavailable',
              retryable: true,
              message: /ARM answered 404 ResourceNotFound, yet its GET finds the gateway \(200\)/,
            }
          : {
              code: 'NotFound',
              expected: 'BackendHealthUnavailable',
              retryable: false,
              message: /operation is no longer known to ARM .* the next run starts a new operation/,
            },
    ),
  )('404 on %s: named for what is missing, the episode stays open', async (_label, on, row) => {
    const result = await run({ faults: [{ on, status: 404, code: row.code }] });
    expectFailed(result, on, { code: row.expected, retryable: row.retryable, message: row.message });
    expectRecovered(result, OTHER, '10.0.1.4');
  });
});

describe('the long-running operation fails', () => {
  it.each(['location', 'azure-async-operation'] as const)(
    'an operation that ends Failed (%s): BackendHealthUnavailable (retryable), the episode stays open',
    async (style) => {
      const result = await run({ lro: { polls: 1, retryAfterSeconds: 0, style, outcome: 'failed' } });
      expectFailed(result, 'backendHealth', {
        code: 'BackendHealthUnavailable',
        retryable: true,
        message: /InternalServerError/,
      });
      expectFailureAdvice(result, 'backendHealth');
      expectRecovered(result, OTHER, '10.0.1.4');
    },
  );
});

describe('ARM answers 200 with a body that is not a backend-health read', () => {
  const body = (kind: BodyFaultKind, polls = 1): Partial<GatewayInput> => ({
    lro: { polls, retryAfterSeconds: 0, style: 'location' },
    faults: [{ on: 'backendHealth', body: kind, ...(kind === 'slow' ? { delayMs: 600_000 } : {}) }],
  });

  it.each([
    ['malformed', 'not JSON, answered by the POST at once', 0, /a body that is not JSON/],
    ['malformed', 'not JSON, after a poll', 1, /a body that is not JSON/],
    ['truncated', 'cut off mid-way', 1, /BackendHealthUnavailable|Backend health/],
    ['empty-object', '{}', 1, /found an empty object \{\}/],
    ['empty-array', '[]', 1, /found an empty array/],
    [
      'null-pools',
      '{"backendAddressPools":null}',
      0,
      /backendAddressPools: expected an array of pool entries, found null/,
    ],
    ['missing-settings', 'pools without settings', 1, /backendHttpSettingsCollection: expected an array/],
    [
      'missing-servers',
      'settings without servers',
      1,
      /servers: expected an array of servers, found nothing/,
    ],
  ] as const)(
    'the body fault %s (%s): a failed read, never "no servers": no recovered',
    async (kind, _what, polls, message) => {
      const result = await run(body(kind, polls));
      expectFailed(result, 'backendHealth', { code: 'BackendHealthUnavailable', retryable: true, message });
      expectRecovered(result, OTHER, '10.0.1.4');
    },
  );

  it('a slow body (the rest comes after gatewayTimeoutInMs): a failed read, no recovered', async () => {
    const result = await run(body('slow'), { gatewayTimeoutInMs: 1000 });
    expectFailed(result, 'backendHealth', {
      code: 'BackendHealthUnavailable',
      retryable: true,
      message: /no answer within 1000 ms/,
    });
  });
});
