import type { ConfigurableState } from '../../src/core/health';
import type { BackendHealthBody } from '../../src/core/model';
import {
  ArmUnreachableError,
  AuthenticationError,
  BackendHealthUnavailableError,
  MissingPermissionError,
  ThrottledError,
} from '../../src/errors';
import { insightPath } from '../../src/insight/insight-path';
import { checkGateway, type CheckGatewayOptions } from '../../src/pipeline/check-gateway';
import { noAnswerWithin } from '../../src/pipeline/timeout';
import {
  NEVER,
  START_IN_MS,
  UNTIL_ABORTED,
  fakeClock,
  gatewayNamed,
  healthOf,
  memoryBackendHealthReader,
  seedArticle,
  type Answer,
  type FakeClock,
} from '../helpers/memory';
import type { ServerSpec } from '../helpers/scenario-builder';

const gw = gatewayNamed('gw-web');
const TCP =
  'Cannot connect to backend server. Check whether any NSG/UDR/Firewall is blocking access to the server.';

function setup(
  answer?: Answer<BackendHealthBody>,
  options: Partial<CheckGatewayOptions> = {},
  clock: FakeClock = fakeClock(START_IN_MS),
) {
  const reader = memoryBackendHealthReader(answer === undefined ? {} : { [gw.id]: answer });
  const check: CheckGatewayOptions = {
    reader,
    clock,
    article: seedArticle,
    unhealthyStates: ['Down', 'Unknown', 'Partial'],
    gatewayTimeoutInMs: 5_000,
    ...options,
  };
  return { reader, clock, check };
}

/** An answer that takes `ms` on the fake clock. */
function taking(clock: FakeClock, ms: number, body: BackendHealthBody): Answer<BackendHealthBody> {
  return async () => {
    clock.advance(ms);
    return body;
  };
}

describe('checkGateway: one gateway read and rendered', () => {
  it('takes its renderPlace after a read that took none, and renders once it is held', async () => {
    const body = healthOf(gw, [{ address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: TCP }]);
    let letGo: () => void = () => undefined;
    let asked = 0;
    const clock = fakeClock(START_IN_MS);
    const s = setup(
      taking(clock, 1_500, body),
      {
        renderPlace: {
          take: () => {
            asked += 1;
            return new Promise<void>((resolve) => (letGo = resolve));
          },
          giveBack: () => undefined,
        },
      },
      clock,
    );
    let outcome: Awaited<ReturnType<typeof checkGateway>> | undefined;
    const checked = checkGateway(gw, s.check).then((o) => (outcome = o));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(s.reader.calls).toHaveLength(1);
    expect(asked).toBe(1);
    expect(outcome).toBeUndefined();
    clock.advance(4_000); // the wait for a place
    letGo();
    await checked;
    expect(outcome?.insights).toHaveLength(1);
    // The wait is the run's, not the gateway's: its duration is its read, its insight's time the reading's.
    expect(outcome?.report).toMatchObject({ ok: true, durationInMs: 1_500 });
    expect(outcome?.insights[0]?.markdown).toContain('2026-01-05 10:00:01');
  });

  it('reports every server it lists, and a finding with its insight for each bad one', async () => {
    const clock = fakeClock(START_IN_MS);
    const body = healthOf(gw, [
      { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: TCP },
      { address: '10.0.0.5', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
    ]);
    const s = setup(taking(clock, 1_500, body), {}, clock);
    const outcome = await checkGateway(gw, s.check);

    expect(s.reader.calls.map((c) => c.gateway)).toEqual([gw]);
    expect(outcome.insights).toHaveLength(1);
    const [insight] = outcome.insights;
    expect(insight?.finding).toMatchObject({ gateway: gw, address: '10.0.0.4', state: 'unhealthy' });
    // Rendered with the seed article at the time the answer came.
    expect(insight?.markdown).toContain('10.0.0.4');
    expect(insight?.markdown).toContain('2026-01-05 10:00:01');
    expect(outcome.report).toEqual({
      id: gw.id,
      name: 'gw-web',
      subscriptionId: gw.subscriptionId,
      resourceGroup: 'rg-test',
      ok: true,
      error: null,
      durationInMs: 1_500,
      servers: 2,
      findings: [
        {
          backendPool: 'pool-a',
          backendSettings: 'settings-a',
          address: '10.0.0.4',
          health: 'Unhealthy',
          state: 'unhealthy',
          probeLog: TCP,
          cause: insight?.finding.cause,
          // One of the pool's two servers is healthy.
          severity: 'warning',
          insight: {
            markdown: `${insightPath(insight!.finding)}.md`,
            html: `${insightPath(insight!.finding)}.html`,
          },
        },
      ],
    });
    expect(outcome.report.findings[0]?.cause.id).toBe('tcp-connect');
    // Every server listed, healthy or not: what tells a recovered server from a gone one.
    expect([...(outcome.listed?.values() ?? [])]).toEqual(['Unhealthy', 'Healthy']);
  });

  it('a gateway whose servers are all healthy: ok, no finding, every server counted', async () => {
    const s = setup(
      healthOf(gw, [
        { address: '10.0.0.4', health: 'Up' },
        { address: '10.0.0.5', health: 'Healthy' },
      ]),
    );
    const outcome = await checkGateway(gw, s.check);
    expect(outcome.report).toMatchObject({ ok: true, error: null, servers: 2, findings: [] });
    expect(outcome.report.notReported).toBeUndefined();
    expect(outcome.insights).toEqual([]);
    expect(outcome.listed?.size).toBe(2);
  });

  const servers: ServerSpec[] = ['Down', 'Unknown', 'Partial', 'Draining', 'Up', 'Sideways'].map(
    (health, i) => ({
      address: `10.0.1.${i}`,
      health,
    }),
  );
  // The servers neither healthy nor reported are counted by state (a break trial: a gateway with one
  // draining was "All N healthy" on the HTTP insight).
  it.each<[readonly ConfigurableState[], string[], Record<string, number> | undefined]>([
    [['Down', 'Unknown', 'Partial'], ['Down', 'Unknown', 'Partial', 'Sideways'], { draining: 1 }],
    [['Down'], ['Down', 'Sideways'], { unknown: 1, partial: 1, draining: 1 }],
    [['Draining'], ['Draining', 'Sideways'], { unhealthy: 1, unknown: 1, partial: 1 }],
    [
      ['Down', 'Unknown', 'Partial', 'Draining'],
      ['Down', 'Unknown', 'Partial', 'Draining', 'Sideways'],
      undefined,
    ],
    [[], ['Sideways'], { unhealthy: 1, unknown: 1, partial: 1, draining: 1 }],
  ])(
    'unhealthyStates %j reports %j (a value it cannot read, always), and counts the rest not reported',
    async (unhealthyStates, reported, notReported) => {
      const s = setup(healthOf(gw, servers), { unhealthyStates });
      const outcome = await checkGateway(gw, s.check);
      expect(outcome.report.findings.map((f) => f.health)).toEqual(reported);
      expect(outcome.insights.map((i) => i.finding.health)).toEqual(reported);
      expect(outcome.report.servers).toBe(6);
      expect(outcome.report.notReported).toEqual(notReported);
    },
  );
});

describe('checkGateway: a gateway that cannot be read is a report, never a throw', () => {
  const cases: Array<
    [string, Answer<BackendHealthBody> | undefined, { code: string; retryable: boolean; text: string }]
  > = [
    [
      'a gateway that does not exist (404)',
      undefined,
      { code: 'ResourceNotFound', retryable: false, text: 'does not exist' },
    ],
    [
      'no permission for backend health',
      new MissingPermissionError(gw.id, 'Microsoft.Network/applicationGateways/backendhealth/action', '403'),
      { code: 'AuthorizationFailed', retryable: false, text: 'Reader alone is not enough' },
    ],
    [
      'throttled',
      new ThrottledError(gw.id, '429'),
      { code: 'Throttled', retryable: true, text: 'throttled' },
    ],
    [
      'the operation failed',
      new BackendHealthUnavailableError(gw.id, 'the long-running operation failed'),
      { code: 'BackendHealthUnavailable', retryable: true, text: 'the long-running operation failed' },
    ],
    [
      'signed out',
      new AuthenticationError('run az login'),
      { code: 'AuthenticationFailed', retryable: false, text: 'az login' },
    ],
    [
      'ARM unreachable',
      new ArmUnreachableError('https://arm.invalid', 'ENOTFOUND', 'Check arm.endpoint.', { retryable: true }),
      { code: 'ArmUnreachable', retryable: true, text: 'cannot be reached' },
    ],
    [
      'a bug',
      new RangeError('index out of range'),
      { code: 'Unexpected', retryable: true, text: 'index out of range' },
    ],
    ['a non-Error thrown', () => Promise.reject(42), { code: 'Unexpected', retryable: true, text: '42' }],
    [
      'a reader that throws at once (no promise)',
      () => {
        throw new Error('thrown synchronously');
      },
      { code: 'Unexpected', retryable: true, text: 'thrown synchronously' },
    ],
    [
      'no answer, the call honouring the abort signal',
      UNTIL_ABORTED,
      { code: 'BackendHealthUnavailable', retryable: true, text: noAnswerWithin(20) },
    ],
    [
      'no answer, the call ignoring the abort signal',
      NEVER,
      { code: 'BackendHealthUnavailable', retryable: true, text: noAnswerWithin(20) },
    ],
  ];

  it.each(cases)('%s: not ok, its error, no finding', async (_, answer, expected) => {
    const s = setup(answer, { gatewayTimeoutInMs: 20 });
    const outcome = await checkGateway(gw, s.check);
    expect(outcome.report).toEqual({
      id: gw.id,
      name: 'gw-web',
      subscriptionId: gw.subscriptionId,
      resourceGroup: 'rg-test',
      ok: false,
      error: {
        code: expected.code,
        retryable: expected.retryable,
        message: expect.stringContaining(expected.text),
      },
      durationInMs: 0,
      servers: 0,
      findings: [],
    });
    expect(outcome.insights).toEqual([]);
    // Not evaluated: nothing may be taken as recovered from it.
    expect(outcome.listed).toBeUndefined();
  });

  it('a time-out tells the call to stop, names the gateway and says what to raise', async () => {
    const s = setup(UNTIL_ABORTED, { gatewayTimeoutInMs: 20 });
    const outcome = await checkGateway(gw, s.check);
    expect(s.reader.calls[0]?.abortSignal?.aborted).toBe(true);
    expect(outcome.report.error?.message).toMatch(
      new RegExp(
        `^Backend health for ${gw.id} is unavailable: no answer within 20 ms .*raise "gatewayTimeoutInMs"`,
      ),
    );
  });

  it('a failure takes its time on the clock like a success', async () => {
    const clock = fakeClock(START_IN_MS);
    const s = setup(
      async () => {
        clock.advance(700);
        throw new ThrottledError(gw.id, '429');
      },
      {},
      clock,
    );
    expect((await checkGateway(gw, s.check)).report.durationInMs).toBe(700);
  });
});
