import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createArmBackendHealthReader } from '../../../src/adapters/arm/backend-health-reader';
import { PLACE_KEPT_THROUGH_A_WAIT_IN_MS } from '../../../src/core/place-kept';
import { createArmClientFactory } from '../../../src/adapters/arm/client';
import { DEVELOPMENT_TOKEN } from '../../../src/adapters/arm/credential';
import { parseGatewayId } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';
import type { AnswerPlace } from '../../../src/ports';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../../src/emulator';
import type { BodyFaultKind } from '../../../src/emulator/scenario';
import {
  AuthenticationError,
  BackendHealthUnavailableError,
  GATEWAY_ACTIONS,
  GatewayNotFoundError,
  MissingPermissionError,
  POLL_ACTIONS,
  ThrottledError,
} from '../../../src/errors';
import { SAVED_ENCODINGS, encodeAs } from '../../helpers/encodings';
import { gateway, gatewayId } from '../../helpers/scenario-builder';

const down = { address: '10.0.0.5', health: 'Down', healthProbeLog: 'TCP connect error' };

async function readerFor(scenario: ScenarioInput, maxRetries = 1) {
  const emulator = await startEmulator({ scenario: scenario as never });
  const clientFor = createArmClientFactory({
    endpoint: emulator.url,
    caCertFile: emulator.caCertFile,
    credential: 'development',
    maxRetries,
  });
  return { emulator, reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: 20 }) };
}

const ref = (name: string): GatewayRef => parseGatewayId(gatewayId(name)) as GatewayRef;

describe('ARM backend-health reader (real @azure/arm-network against the emulator)', () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it.each(['location', 'azure-async-operation'] as const)(
    'follows the %s long-running operation to the body',
    async (style) => {
      const setup = await readerFor({
        gateways: [gateway('gw', [down], { lro: { polls: 3, retryAfterSeconds: 0, style } })],
      });
      emulator = setup.emulator;
      const body = await setup.reader.getBackendHealth(ref('gw'));
      expect(body.backendAddressPools?.[0]?.backendHttpSettingsCollection?.[0]?.servers).toEqual([
        { address: '10.0.0.5', health: 'Down', healthProbeLog: 'TCP connect error' },
      ]);
      const posts = emulator.requests.filter((r) => r.method === 'POST');
      const polls = emulator.requests.filter((r) => r.method === 'GET');
      expect(posts).toHaveLength(1);
      expect(posts[0]?.path).toMatch(/\/backendhealth$/i);
      expect(polls.length).toBeGreaterThanOrEqual(3);
    },
  );

  it.each(SAVED_ENCODINGS)(
    'trusts a CA certificate file saved as %s (PowerShell re-saves PEM files)',
    async (encoding) => {
      emulator = await startEmulator({ scenario: { gateways: [gateway('gw', [down])] } as never });
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-ca-'));
      try {
        const caCertFile = path.join(dir, 'ca.pem');
        const pem = (await readFile(emulator.caCertFile, 'utf8')).replace(/\r?\n/g, '\r\n');
        await writeFile(caCertFile, encodeAs(pem, encoding));
        const clientFor = createArmClientFactory({
          endpoint: emulator.url,
          caCertFile,
          credential: 'development',
          maxRetries: 0,
        });
        const body = await createArmBackendHealthReader(clientFor, { pollIntervalInMs: 20 }).getBackendHealth(
          ref('gw'),
        );
        expect(body.backendAddressPools).toHaveLength(1);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('names a CA certificate file it cannot decode, and what to do', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-ca-'));
    try {
      const caCertFile = path.join(dir, 'ca.pem');
      await writeFile(caCertFile, Buffer.from('-----BEGIN CERTIFICATE-----', 'utf16le'));
      const clientFor = createArmClientFactory({
        endpoint: 'https://127.0.0.1:1',
        caCertFile,
        credential: 'development',
        maxRetries: 0,
      });
      await expect(clientFor('s')).rejects.toThrow(
        `arm.caCertFile: ${caCertFile}: the file looks like UTF-16 text without a byte-order mark: save it as UTF-8`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('maps an unknown gateway (404 ResourceNotFound) to GatewayNotFoundError', async () => {
    const setup = await readerFor({ gateways: [gateway('gw', [down])] });
    emulator = setup.emulator;
    const error = await setup.reader.getBackendHealth(ref('nope')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayNotFoundError);
    expect((error as Error).message).toContain('ResourceNotFound');
  });

  it('maps a refused token (401) to AuthenticationError', async () => {
    const setup = await readerFor({
      gateways: [gateway('gw', [down])],
      auth: { acceptTokens: ['other-token'] },
    });
    emulator = setup.emulator;
    expect(DEVELOPMENT_TOKEN).not.toBe('other-token');
    await expect(setup.reader.getBackendHealth(ref('gw'))).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('maps 403 to MissingPermissionError naming the backendhealth action', async () => {
    const setup = await readerFor({
      gateways: [gateway('gw', [down], { faults: [{ on: 'backendHealth', status: 403, times: 1 }] })],
    });
    emulator = setup.emulator;
    const error = await setup.reader.getBackendHealth(ref('gw')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPermissionError);
    expect((error as Error).message).toContain('Microsoft.Network/applicationGateways/backendhealth/action');
  });

  it.each(['location', 'azure-async-operation'] as const)(
    'a 403 on the %s poll is a MissingPermissionError that says what to assign, and where',
    async (style) => {
      const setup = await readerFor({
        gateways: [
          gateway('gw', [down], { lro: { style }, faults: [{ on: 'poll', status: 403, times: 1 }] }),
        ],
      });
      emulator = setup.emulator;
      const error = await setup.reader.getBackendHealth(ref('gw')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingPermissionError);
      const message = (error as Error).message;
      const subscription = /^\/subscriptions\/[^/]+/.exec(gatewayId('gw'))?.[0];
      // The refused poll action, as ARM names it (the emulator's body, like ARM's): Location's read in
      // both styles, since the reader polls Location whichever headers ARM sent
      expect(message).toMatch(/"Microsoft\.Network\/locations\/operationResults\/read"/);
      // and the remedy: both poll reads, on the subscription (not the gateway's actions)
      for (const action of POLL_ACTIONS) expect(message).toContain(action);
      for (const action of GATEWAY_ACTIONS) expect(message).not.toContain(action);
      expect(message).toContain(`${POLL_ACTIONS.join(' and ')} on ${subscription}`);
    },
  );

  it('rides out a 429 with Retry-After through the SDK retry policy', async () => {
    const setup = await readerFor({
      gateways: [
        gateway('gw', [down], {
          faults: [{ on: 'backendHealth', status: 429, times: 1, retryAfterSeconds: 0 }],
        }),
      ],
    });
    emulator = setup.emulator;
    await expect(setup.reader.getBackendHealth(ref('gw'))).resolves.toBeDefined();
    expect(emulator.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429, 202]);
  });

  it('maps throttling that outlasts the retries to ThrottledError (retryable)', async () => {
    const setup = await readerFor(
      {
        gateways: [
          gateway('gw', [down], {
            faults: [{ on: 'backendHealth', status: 429, times: 5, retryAfterSeconds: 0 }],
          }),
        ],
      },
      1,
    );
    emulator = setup.emulator;
    const error = await setup.reader.getBackendHealth(ref('gw')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryable).toBe(true);
  });

  it('maps a failed operation and a 500 to BackendHealthUnavailableError', async () => {
    const setup = await readerFor(
      {
        gateways: [
          gateway('failed', [down], {
            lro: { polls: 1, retryAfterSeconds: 0, style: 'azure-async-operation', outcome: 'failed' },
          }),
          gateway('broken', [down], { faults: [{ on: 'backendHealth', status: 500, times: 9 }] }),
        ],
      },
      0,
    );
    emulator = setup.emulator;
    await expect(setup.reader.getBackendHealth(ref('failed'))).rejects.toBeInstanceOf(
      BackendHealthUnavailableError,
    );
    await expect(setup.reader.getBackendHealth(ref('broken'))).rejects.toBeInstanceOf(
      BackendHealthUnavailableError,
    );
  });

  it("reads the final body from ARM's own text: fields the SDK model lacks survive (healthProbeErrorName)", async () => {
    const setup = await readerFor({
      gateways: [
        gateway('gw', [
          {
            address: '10.0.0.5',
            health: 'Unhealthy',
            healthProbeLog: 'TCP connect error',
            healthProbeErrorName: 'TcpConnectError',
          },
        ]),
      ],
    });
    emulator = setup.emulator;
    const body = await setup.reader.getBackendHealth(ref('gw'));
    expect(body.backendAddressPools?.[0]?.backendHttpSettingsCollection?.[0]?.servers?.[0]).toEqual({
      address: '10.0.0.5',
      health: 'Unhealthy',
      healthProbeLog: 'TCP connect error',
      healthProbeErrorName: 'TcpConnectError',
    });
  });

  it.each<[BodyFaultKind, 'location' | 'azure-async-operation', number, RegExp]>([
    [
      'empty-object',
      'location',
      1,
      /ARM answered 200 with a body that is not a backend-health read: \(root\): expected the backend-health body, .*found an empty object \{\}/,
    ],
    [
      'empty-array',
      'azure-async-operation',
      1,
      /ARM answered 200 with a body that is not a backend-health read: \(root\): .*found an empty array/,
    ],
    [
      'null-pools',
      'location',
      0,
      /not a backend-health read: backendAddressPools: expected an array of pool entries, found null/,
    ],
    [
      'missing-settings',
      'location',
      1,
      /not a backend-health read: backendAddressPools\[0\]\.backendHttpSettingsCollection: expected an array of HTTP settings entries, found nothing/,
    ],
    [
      'missing-servers',
      'azure-async-operation',
      2,
      /backendAddressPools\[0\]\.backendHttpSettingsCollection\[0\]\.servers: expected an array of servers, found nothing/,
    ],
    ['malformed', 'location', 1, /ARM answered 200 with a body that is not JSON \(\d+ characters; /],
    ['malformed', 'location', 0, /ARM answered 200 with a body that is not JSON/],
  ])(
    'a %s body (%s, %i polls) is a failed read that says what ARM sent',
    async (body, style, polls, message) => {
      const setup = await readerFor(
        {
          gateways: [
            gateway('gw', [down], {
              lro: { polls, retryAfterSeconds: 0, style },
              faults: [{ on: 'backendHealth', body }],
            }),
          ],
        },
        0,
      );
      emulator = setup.emulator;
      const error = await setup.reader.getBackendHealth(ref('gw')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendHealthUnavailableError);
      expect((error as Error).message).toMatch(message);
      // The SDK's own message quotes the whole body; ours never does.
      expect((error as Error).message).not.toContain('10.0.0.5');
      // The next read (the fault used up) is a good one.
      await expect(setup.reader.getBackendHealth(ref('gw'))).resolves.toMatchObject({
        backendAddressPools: [expect.anything()],
      });
    },
  );

  it('a body cut off mid-way (the connection closes) is a failed read', async () => {
    const setup = await readerFor(
      { gateways: [gateway('gw', [down], { faults: [{ on: 'backendHealth', body: 'truncated' }] })] },
      0,
    );
    emulator = setup.emulator;
    const error = await setup.reader.getBackendHealth(ref('gw')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
  });

  it('a body slower than the caller waits is a failed read when the abort signal fires', async () => {
    const setup = await readerFor({
      gateways: [gateway('gw', [down], { faults: [{ on: 'backendHealth', body: 'slow', delayMs: 5000 }] })],
    });
    emulator = setup.emulator;
    const error = await setup.reader
      .getBackendHealth(ref('gw'), { abortSignal: AbortSignal.timeout(300) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
  });

  it('stops when the abort signal fires', async () => {
    const setup = await readerFor({ gateways: [gateway('slow', [down], { delayMs: 5000 })] });
    emulator = setup.emulator;
    const error = await setup.reader
      .getBackendHealth(ref('slow'), { abortSignal: AbortSignal.timeout(200) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
  });
});

/** An answerPlace that records each take and give-back beside the requests the emulator had seen then. */
function recordedPlace(requestsSeen: () => string[], options: { hold?: Promise<void> } = {}) {
  const events: string[] = [];
  let held = false;
  const place: AnswerPlace = {
    async take(callOptions) {
      events.push(`take after ${requestsSeen().join(',')}`);
      if (options.hold) {
        await Promise.race([
          options.hold,
          new Promise<never>((_, reject) =>
            callOptions?.abortSignal?.addEventListener('abort', () =>
              reject(callOptions.abortSignal?.reason),
            ),
          ),
        ]);
      }
      held = true;
    },
    giveBack() {
      events.push('give back');
      held = false;
    },
  };
  return { place, events, held: () => held };
}

describe("ARM backend-health reader: the caller's place for the answer (answerPlace)", () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  const seen = () => emulator?.requests.map((r) => r.method) ?? [];

  it('is taken before each poll, not the POST; given back while the operation runs; held with the body', async () => {
    const setup = await readerFor({
      gateways: [gateway('gw', [down], { lro: { polls: 3, retryAfterSeconds: 0, style: 'location' } })],
    });
    emulator = setup.emulator;
    const recorded = recordedPlace(seen);
    const body = await setup.reader.getBackendHealth(ref('gw'), { answerPlace: recorded.place });
    expect(body.backendAddressPools).toHaveLength(1);
    const polls = seen().length - 1;
    expect(polls).toBeGreaterThanOrEqual(3);
    // One take per poll, each after the requests before it; every poll but the last gave it back.
    const expected: string[] = [];
    for (let i = 0; i < polls; i++) {
      expected.push(`take after ${['POST', ...Array<string>(i).fill('GET')].join(',')}`);
      if (i < polls - 1) expected.push('give back');
    }
    expect(recorded.events).toEqual(expected);
    expect(recorded.held()).toBe(true);
  });

  it("is taken before the poll's reads admission, so the poll goes as soon as it is admitted", async () => {
    emulator = await startEmulator({
      scenario: {
        gateways: [gateway('gw', [down], { lro: { polls: 1, retryAfterSeconds: 0, style: 'location' } })],
      } as never,
    });
    const clientFor = createArmClientFactory({
      endpoint: emulator.url,
      caCertFile: emulator.caCertFile,
      credential: 'development',
      maxRetries: 0,
    });
    const order: string[] = [];
    const pacer = {
      admit: async (_: string, kind: string) => void order.push(`admit ${kind} after ${seen().join(',')}`),
      recentThrottle: () => undefined,
      admitOrBook: async () => 0,
      bookTurn: () => 0,
      resumed: async () => undefined,
    };
    const reader = createArmBackendHealthReader(clientFor, { pollIntervalInMs: 20, pacer });
    const place: AnswerPlace = {
      take: async () => void order.push(`take after ${seen().join(',')}`),
      giveBack: () => undefined,
    };
    await reader.getBackendHealth(ref('gw'), { answerPlace: place });
    // Two polls (one 202, then the body): each admitted right after its place, right before it is sent.
    expect(order).toEqual([
      'take after POST',
      'admit reads after POST',
      'take after POST,GET',
      'admit reads after POST,GET',
    ]);
  });

  it('is given back when a poll fails (the operation failed)', async () => {
    const setup = await readerFor(
      {
        gateways: [
          gateway('failed', [down], {
            lro: { polls: 1, retryAfterSeconds: 0, style: 'location', outcome: 'failed' },
          }),
        ],
      },
      0,
    );
    emulator = setup.emulator;
    const recorded = recordedPlace(seen);
    await expect(
      setup.reader.getBackendHealth(ref('failed'), { answerPlace: recorded.place }),
    ).rejects.toBeInstanceOf(BackendHealthUnavailableError);
    expect(recorded.events.at(-1)).toBe('give back');
    expect(recorded.held()).toBe(false);
  });

  it('onStarted is told once the POST is answered, before any poll; and when the POST fails', async () => {
    const setup = await readerFor(
      {
        gateways: [
          gateway('gw', [down], { lro: { polls: 1, retryAfterSeconds: 0, style: 'location' } }),
          gateway('broken', [down], { faults: [{ on: 'backendHealth', status: 500, times: 9 }] }),
        ],
      },
      0,
    );
    emulator = setup.emulator;
    const told: string[][] = [];
    await setup.reader.getBackendHealth(ref('gw'), { onStarted: () => told.push(seen()) });
    expect(told).toEqual([['POST']]);
    const failed: string[][] = [];
    await expect(
      setup.reader.getBackendHealth(ref('broken'), { onStarted: () => failed.push(seen().slice(-1)) }),
    ).rejects.toBeInstanceOf(BackendHealthUnavailableError);
    expect(failed).toEqual([['POST']]);
  });

  it(`a poll that hangs gives its place back after PLACE_KEPT_THROUGH_A_WAIT_IN_MS (${PLACE_KEPT_THROUGH_A_WAIT_IN_MS} ms), long before its time-out`, async () => {
    const setup = await readerFor({
      gateways: [
        gateway('hung', [down], {
          lro: { polls: 1, retryAfterSeconds: 0, style: 'location' },
          faults: [{ on: 'poll', connection: 'hang', times: 100 }],
        }),
      ],
    });
    emulator = setup.emulator;
    const recorded = recordedPlace(seen);
    const at: number[] = [];
    const place: AnswerPlace = {
      take: async (o) => {
        at.push(performance.now());
        await recorded.place.take(o);
      },
      giveBack: () => {
        at.push(performance.now());
        recorded.place.giveBack();
      },
    };
    const error = await setup.reader
      .getBackendHealth(ref('hung'), {
        answerPlace: place,
        abortSignal: AbortSignal.timeout(PLACE_KEPT_THROUGH_A_WAIT_IN_MS + 2_000),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
    // Taken before the poll, given back while the poll still hung (then again, idle, when it failed).
    expect(recorded.events[0]).toBe('take after POST');
    expect(recorded.events[1]).toBe('give back');
    const heldInMs = (at[1] ?? 0) - (at[0] ?? 0);
    expect(heldInMs).toBeGreaterThanOrEqual(PLACE_KEPT_THROUGH_A_WAIT_IN_MS - 50);
    expect(heldInMs).toBeLessThan(PLACE_KEPT_THROUGH_A_WAIT_IN_MS + 1_500);
    expect(recorded.held()).toBe(false);
  }, 15_000);

  it('a wait for the place cut short by the abort signal sends no poll, and fails as a time-out does', async () => {
    const setup = await readerFor({
      gateways: [gateway('gw', [down], { lro: { polls: 1, retryAfterSeconds: 0, style: 'location' } })],
    });
    emulator = setup.emulator;
    const recorded = recordedPlace(seen, { hold: new Promise<void>(() => undefined) });
    const error = await setup.reader
      .getBackendHealth(ref('gw'), { answerPlace: recorded.place, abortSignal: AbortSignal.timeout(300) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
    expect(String((error as Error).message)).toMatch(/cancel/i);
    expect(seen()).toEqual(['POST']);
    expect(recorded.held()).toBe(false);
  });
});

// ARM's answer is read as ARM's own shape (the forgiving reading is for saved files): a wrapper, a
// PowerShell form, or a read without a field the server key is made of would let a server look gone.
describe("ARM backend-health reader: ARM's own shape only (real SDK, emulator serving the text)", () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  const id = gatewayId('gw');
  const pool = `${id}/backendAddressPools/pool-a`;
  const settings = `${id}/backendHttpSettingsCollection/settings-a`;
  const body = (servers: unknown[]) => ({
    backendAddressPools: [
      {
        backendAddressPool: { id: pool },
        backendHttpSettingsCollection: [{ backendHttpSettings: { id: settings }, servers }],
      },
    ],
  });
  const bad = body([down]);
  const NOT_A_READ = 'ARM answered 200 with a body that is not a backend-health read: ';
  const TOP_LEVEL =
    '(root): expected the backend-health body, an object {"backendAddressPools": […]} at the top level (ARM answers the body itself, in no wrapper), found ';

  async function readText(text: string, polls = 1) {
    const setup = await readerFor(
      {
        gateways: [
          gateway('gw', [down], {
            lro: { polls, retryAfterSeconds: 0, style: 'location' },
            faults: [{ on: 'backendHealth', text }],
          }),
        ],
      },
      0,
    );
    emulator = setup.emulator;
    return setup.reader.getBackendHealth(ref('gw')).catch((e: unknown) => e);
  }

  it.each<[string, unknown, string]>([
    [
      '{"value": {"backendAddressPools": []}}',
      { value: { backendAddressPools: [] } },
      `${TOP_LEVEL}an object with "value"`,
    ],
    ['[{"backendAddressPools": []}]', [{ backendAddressPools: [] }], `${TOP_LEVEL}an array of 1`],
    [
      'a REST spec example file',
      { responses: { '200': { body: { backendAddressPools: [] } } } },
      `${TOP_LEVEL}an object with "responses"`,
    ],
    [
      "Invoke-AzRestMethod's response",
      { Content: '{"backendAddressPools":[]}', StatusCode: 200 },
      `${TOP_LEVEL}an object with "Content", "StatusCode"`,
    ],
    ['{"properties": body}', { properties: bad }, `${TOP_LEVEL}an object with "properties"`],
    ['the body as a JSON string', JSON.stringify(bad), `${TOP_LEVEL}string "{`],
    [
      "PowerShell 5.1's BackendAddressPoolsText",
      { backendAddressPoolsText: '[]' },
      `${TOP_LEVEL}an object with "backendAddressPoolsText"`,
    ],
    [
      'PowerShell 5.1\'s {"value":[],"Count":0} for servers',
      {
        backendAddressPools: [
          {
            backendAddressPool: { id: pool },
            backendHttpSettingsCollection: [
              { backendHttpSettings: { id: settings }, servers: { value: [], Count: 0 } },
            ],
          },
        ],
      },
      'backendAddressPools[0].backendHttpSettingsCollection[0].servers: expected an array of servers, found an object with "value", "Count"',
    ],
    [
      'a pool entry without backendAddressPool',
      {
        backendAddressPools: [
          { backendHttpSettingsCollection: [{ backendHttpSettings: { id: settings }, servers: [down] }] },
        ],
      },
      `backendAddressPools[0].backendAddressPool: expected an object {"id": "${id}/backendAddressPools/<name>"}, found nothing`,
    ],
    [
      'a settings entry without backendHttpSettings',
      {
        backendAddressPools: [
          { backendAddressPool: { id: pool }, backendHttpSettingsCollection: [{ servers: [down] }] },
        ],
      },
      'backendAddressPools[0].backendHttpSettingsCollection[0].backendHttpSettings: expected an object {"id": ',
    ],
    [
      "a pool id of another gateway's",
      {
        backendAddressPools: [
          {
            backendAddressPool: { id: `${gatewayId('other')}/backendAddressPools/pool-a` },
            backendHttpSettingsCollection: [],
          },
        ],
      },
      `backendAddressPools[0].backendAddressPool.id: expected "${id}/backendAddressPools/<name>"`,
    ],
    [
      'a server without an address',
      body([{ health: 'Healthy' }]),
      'backendAddressPools[0].backendHttpSettingsCollection[0].servers[0].address: expected an address string (IP or FQDN), found nothing',
    ],
    [
      'a server without health',
      body([{ address: '10.0.0.5' }]),
      'backendAddressPools[0].backendHttpSettingsCollection[0].servers[0].health: expected a health string, found nothing',
    ],
  ])('%s is a failed read saying what ARM sent', async (_name, answer, expected) => {
    const error = await readText(
      typeof answer === 'string' ? JSON.stringify(answer) : JSON.stringify(answer),
    );
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain(`${NOT_A_READ}`);
    expect(message).toContain(expected);
    expect(message).toContain('No server is counted as recovered from it');
    expect(message).not.toMatch(/gatewayTimeoutInMs|ConvertTo-Json/);
  });

  it('the same body at the top level, as ARM sends it, is read (the answers above fail because of their shape)', async () => {
    await expect(readText(JSON.stringify(bad), 0)).resolves.toEqual(bad);
  });

  it('a scenario body pasted from az without pool and settings references: the emulator serves it, the run path refuses it', async () => {
    const setup = await readerFor({
      gateways: [
        {
          id,
          backendHealth: JSON.parse(
            await readFile(
              path.join(__dirname, '../../fixtures/backend-health/az-cli-spring-apps-docs.json'),
              'utf8',
            ),
          ) as unknown,
          lro: { polls: 0 },
        },
      ],
    });
    emulator = setup.emulator;
    const error = await setup.reader.getBackendHealth(ref('gw')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
    expect((error as Error).message).toContain(
      'backendAddressPools[0].backendAddressPool: expected an object {"id": ',
    );
  });
});

/**
 * The emulator with gateway `gw` (`extra`: its LRO and faults), and a client factory on it (2 retries);
 * `requests()` lists what the emulator answered so far, `METHOD STATUS` joined by commas.
 */
async function oneGateway(extra: Parameters<typeof gateway>[2]) {
  const running = await startEmulator({ scenario: { gateways: [gateway('gw', [down], extra)] } as never });
  const clientFor = createArmClientFactory({
    endpoint: running.url,
    caCertFile: running.caCertFile,
    credential: 'development',
    maxRetries: 2,
  });
  const requests = () => running.requests.map((r) => `${r.method} ${r.status}`).join(',');
  return { emulator: running, clientFor, requests };
}

// A break trial (issue 14): a gateway whose request ARM never answered was `Throttled` by other
// gateways' 429s; the time-out now weighs the call's own waits on its quota, which the reader tells.
describe('onQuotaWait: the waits of a read on its subscription’s quota, as they start and end', () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('a 429 answered to its own poll: `throttled` until the retry is sent; its poll’s place in the estimate: `paced` until admitted', async () => {
    const one = await oneGateway({
      lro: { polls: 1, retryAfterSeconds: 0, style: 'location' },
      faults: [{ on: 'poll', status: 429, times: 1, retryAfterSeconds: 1 }],
    });
    emulator = one.emulator;
    const { clientFor, requests } = one;
    const told: string[] = [];
    const pacer = {
      admit: async () => void told.push(`admitted after ${requests()}`),
      recentThrottle: () => undefined,
      admitOrBook: async () => 0,
      bookTurn: () => 0,
      resumed: async () => undefined,
    };
    const reader = createArmBackendHealthReader(clientFor, { pollIntervalInMs: 20, pacer });
    await reader.getBackendHealth(ref('gw'), {
      onQuotaWait: (wait) => told.push(`${wait ?? 'sent'} after ${requests()}`),
    });
    expect(told).toEqual([
      'sent after ', // the POST
      'paced after POST 202',
      'admitted after POST 202',
      'sent after POST 202', // the place in the estimate ended
      'sent after POST 202', // the poll
      'throttled after POST 202,GET 429',
      'sent after POST 202,GET 429', // its retry, after the Retry-After
      'paced after POST 202,GET 429,GET 202',
      'admitted after POST 202,GET 429,GET 202',
      'sent after POST 202,GET 429,GET 202',
      'sent after POST 202,GET 429,GET 202',
    ]);
  });
});

// A break trial (issue 14): a poll that hung 39 s after 60 s waiting on a 429's pause was `Throttled`;
// the time-out now asks how long the try out with ARM has had no answer, which the client tells.
describe('onTryOut: each try of a read, as it goes out to ARM and as it ends', () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('out and ended around each answered try; a poll ARM never answers stays out', async () => {
    const one = await oneGateway({
      lro: { polls: 2, retryAfterSeconds: 0, style: 'location' },
      faults: [
        { on: 'poll', status: 429, times: 1, retryAfterSeconds: 0 },
        { on: 'poll', connection: 'hang', times: 9 },
      ],
    });
    emulator = one.emulator;
    const { clientFor, requests } = one;
    const told: string[] = [];
    const reader = createArmBackendHealthReader(clientFor, { pollIntervalInMs: 20 });
    const aborted = new AbortController();
    const read = reader
      .getBackendHealth(ref('gw'), {
        abortSignal: aborted.signal,
        onTryOut: (out) => told.push(`${out ? 'out' : 'ended'} after ${requests()}`),
      })
      .catch((e: unknown) => e);
    // The hung poll: out, with no end told, until the read is given up.
    while (told.length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(told).toEqual([
      'out after ',
      'ended after POST 202',
      'out after POST 202',
      'ended after POST 202,GET 429',
      'out after POST 202,GET 429',
    ]);
    aborted.abort();
    await read;
    expect(told.slice(5)).toEqual([expect.stringMatching(/^ended after POST 202,GET 429/)]); // given up
  });
});
