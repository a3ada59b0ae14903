/**
 * ARM's request limits in the emulator: token buckets per subscription (and principal) for reads and
 * writes, the remaining-quota headers, 429 SubscriptionRequestsThrottled with Retry-After, refill by an
 * injected clock, and the real SDK waiting the Retry-After out.
 */
import { RestError } from '@azure/core-rest-pipeline';
import { parseScenario, startEmulator, type RunningEmulator, type ScenarioInput } from '../../src/emulator';
import { ARM_REQUEST_LIMITS } from '../../src/core/pacing/request-limits';
import {
  armClient,
  callLog,
  fakeClock,
  gateway,
  issuesOf,
  rawRequest,
  type RawResponse,
  SUB,
  useEmulators,
} from './helpers';

const SUB2 = '99999999-8888-7777-6666-555555555555';
const gwPath = (rg: string, name: string, sub = SUB) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/applicationGateways/${name}`;
const READS = 'x-ms-ratelimit-remaining-subscription-reads';
const GLOBAL_READS = 'x-ms-ratelimit-remaining-subscription-global-reads';
const WRITES = 'x-ms-ratelimit-remaining-subscription-writes';
const GLOBAL_WRITES = 'x-ms-ratelimit-remaining-subscription-global-writes';

const startEmulatorFor = useEmulators();

/** An emulator on a clock the test moves: its buckets refill only when it does. */
async function start(scenario: ScenarioInput, clock = fakeClock()) {
  const emulator = await startEmulatorFor(scenario, { clock });
  return { emulator, clock };
}

const auth = (token = 'dev') => ({ authorization: `Bearer ${token}` });
const get = (emulator: RunningEmulator, path: string, token?: string) =>
  rawRequest(emulator, 'GET', `${path}?api-version=2024-05-01`, auth(token));
const post = (emulator: RunningEmulator, path: string, token?: string) =>
  rawRequest(emulator, 'POST', `${path}/backendhealth?api-version=2024-05-01`, auth(token));

async function times(n: number, call: () => Promise<RawResponse>): Promise<RawResponse[]> {
  const answers: RawResponse[] = [];
  for (let i = 0; i < n; i++) answers.push(await call());
  return answers;
}

const small = (reads: { burst: number; perSecond: number }) => ({
  limits: { reads, writes: { burst: 2, perSecond: 1 } },
});

describe("ARM's defaults: reads 250 burst, writes 200 burst, global 15 times that", () => {
  it('a scenario without limits gets them; the first GET leaves 249 (global 3749), the first POST 199 (2999)', async () => {
    const { emulator } = await start({ gateways: [gateway('rg', 'appgw')] });

    const read = await get(emulator, gwPath('rg', 'appgw'));
    const write = await post(emulator, gwPath('rg', 'appgw'));

    expect(read.status).toBe(200);
    expect(read.headers).toMatchObject({ [READS]: '249', [GLOBAL_READS]: '3749' });
    expect(read.headers[WRITES]).toBeUndefined();
    expect(write.status).toBe(202);
    expect(write.headers).toMatchObject({ [WRITES]: '199', [GLOBAL_WRITES]: '2999' });
    expect(write.headers[READS]).toBeUndefined();
  });

  it('250 reads at once are served and the 251st is throttled; 200 writes, and the 201st', async () => {
    const { emulator } = await start({ gateways: [gateway('rg', 'appgw', { lro: { polls: 0 } })] });

    const reads = await times(251, () => get(emulator, gwPath('rg', 'appgw')));
    const writes = await times(201, () => post(emulator, gwPath('rg', 'appgw')));

    expect(reads.slice(0, 250).every((r) => r.status === 200)).toBe(true);
    expect(reads.map((r) => Number(r.headers[READS]))).toEqual([
      ...Array.from({ length: 250 }, (_, i) => 249 - i),
      0,
    ]);
    expect(reads[250]?.status).toBe(429);
    expect(writes.slice(0, 200).every((r) => r.status === 200)).toBe(true);
    expect(writes[200]?.status).toBe(429);
    expect(writes[200]?.headers).toMatchObject({ [WRITES]: '0', [GLOBAL_WRITES]: '2800' });
  });

  it('the limits it serves by default are the documented numbers', () => {
    expect(parseScenario({ gateways: [gateway('rg', 'appgw')] }).limits).toEqual({
      reads: { burst: 250, perSecond: 25 },
      writes: { burst: 200, perSecond: 10 },
    });
  });
});

describe('an empty bucket: 429 SubscriptionRequestsThrottled with Retry-After', () => {
  it('after the burst, the next read is 429 with ARM’s error body, Retry-After and 0 remaining', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw')],
      ...small({ burst: 3, perSecond: 1 }),
    });

    const answers = await times(4, () => get(emulator, gwPath('rg', 'appgw')));

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    const throttled = answers[3] as RawResponse;
    expect(throttled.headers['retry-after']).toBe('1');
    expect(throttled.headers[READS]).toBe('0');
    expect(throttled.body).toEqual({
      error: {
        code: 'SubscriptionRequestsThrottled',
        message: expect.stringMatching(
          new RegExp(
            `^Number of 'read' requests for subscription '${SUB}' actor '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' exceeded\\. ` +
              "Please try again after '1' seconds after additional tokens are available\\. " +
              'Refer to https://aka.ms/arm-throttling for additional information\\.$',
          ),
        ),
      },
    });
    expect(JSON.stringify(throttled.body)).not.toContain('dev'); // the token never shows
  });

  it.each<[string, number, number, string]>([
    ['25 a second: a token within 40 ms', 25, 0, '1'],
    ['1 a second', 1, 0, '1'],
    ['1 a second, half refilled', 1, 500, '1'],
    ['one every 4 s', 0.25, 0, '4'],
    ['one every 4 s, 1 s refilled', 0.25, 1000, '3'],
    ['one every 4 s, 1 ms short', 0.25, 3999, '1'],
    ['one every 4 s, 1.8 s refilled: 2.2 s is 3 whole seconds', 0.25, 1800, '3'],
    ['0.3 a second: 3.33 s is 4 whole seconds', 0.3, 0, '4'],
    ['one every 10 s', 0.1, 0, '10'],
  ])(
    'Retry-After is the whole seconds until a token is back (%s)',
    async (_name, perSecond, waitedMs, expected) => {
      const { emulator, clock } = await start({
        gateways: [gateway('rg', 'appgw')],
        ...small({ burst: 1, perSecond }),
      });
      await get(emulator, gwPath('rg', 'appgw'));
      clock.advance(waitedMs);

      const throttled = await get(emulator, gwPath('rg', 'appgw'));

      expect(throttled.status).toBe(429);
      expect(throttled.headers['retry-after']).toBe(expected);
      expect((throttled.body as { error: { message: string } }).error.message).toContain(
        `Please try again after '${expected}' seconds`,
      );
    },
  );

  it('a write bucket says so: "write" requests, and its own headers', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw', { lro: { polls: 0 } })],
      limits: { writes: { burst: 1, perSecond: 0.5 } },
    });

    const answers = await times(2, () => post(emulator, gwPath('rg', 'appgw')));

    expect(answers.map((a) => a.status)).toEqual([200, 429]);
    expect(answers[1]?.headers).toMatchObject({ 'retry-after': '2', [WRITES]: '0', [GLOBAL_WRITES]: '14' });
    expect(answers[1]?.body).toMatchObject({
      error: {
        code: 'SubscriptionRequestsThrottled',
        message: expect.stringContaining(`Number of 'write' requests for subscription '${SUB}' actor '`),
      },
    });
  });

  it('a throttled request takes no token: asking again early is throttled again, with a shorter Retry-After', async () => {
    const { emulator, clock } = await start({
      gateways: [gateway('rg', 'appgw')],
      ...small({ burst: 1, perSecond: 0.2 }),
    });
    await get(emulator, gwPath('rg', 'appgw'));

    const first = await get(emulator, gwPath('rg', 'appgw'));
    clock.advance(2000);
    const again = await get(emulator, gwPath('rg', 'appgw'));
    clock.advance(3000);
    const served = await get(emulator, gwPath('rg', 'appgw'));

    expect([first, again, served].map((a) => [a.status, a.headers['retry-after']])).toEqual([
      [429, '5'],
      [429, '3'],
      [200, undefined],
    ]);
  });

  it('throttling happens before the gateway: a throttled request uses up no fault and waits out no delay', async () => {
    const { emulator, clock } = await start({
      gateways: [
        gateway('rg', 'appgw', { faults: [{ on: 'get', status: 500 }] }),
        gateway('rg', 'slow', { delayMs: 120_000 }), // past the test's time-out, were it waited out
      ],
      ...small({ burst: 1, perSecond: 1 }),
    });
    await get(emulator, gwPath('rg', 'appgw')); // the fault answers (500) and the token is spent

    const slow = await get(emulator, gwPath('rg', 'slow'));
    const throttled = await get(emulator, gwPath('rg', 'appgw'));
    clock.advance(1000);
    const served = await get(emulator, gwPath('rg', 'appgw'));

    expect([slow.status, throttled.status, served.status]).toEqual([429, 429, 200]);
  });

  it('a throttled request leaves the gateway’s faults for later requests', async () => {
    const { emulator, clock } = await start({
      gateways: [gateway('rg', 'appgw', { faults: [{ on: 'get', status: 500 }] }), gateway('rg', 'other')],
      ...small({ burst: 1, perSecond: 1 }),
    });
    await get(emulator, gwPath('rg', 'other'));

    const throttled = await get(emulator, gwPath('rg', 'appgw'));
    clock.advance(1000);
    const faulted = await get(emulator, gwPath('rg', 'appgw'));
    clock.advance(1000);
    const served = await get(emulator, gwPath('rg', 'appgw'));

    expect([throttled.status, faulted.status, served.status]).toEqual([429, 500, 200]);
  });
});

describe('refill over (fake) time', () => {
  it('an empty bucket gives back perSecond tokens a second, up to its burst', async () => {
    const { emulator, clock } = await start({
      gateways: [gateway('rg', 'appgw')],
      ...small({ burst: 5, perSecond: 2 }),
    });
    const read = async () => {
      const a = await get(emulator, gwPath('rg', 'appgw'));
      return a.status === 200 ? Number(a.headers[READS]) : a.status;
    };
    expect(
      await times(6, () => get(emulator, gwPath('rg', 'appgw'))).then((a) => a.map((x) => x.status)),
    ).toEqual([200, 200, 200, 200, 200, 429]);

    clock.advance(499);
    expect(await read()).toBe(429); // 0.998 of a token
    clock.advance(1);
    expect(await read()).toBe(0); // one token came back, and was used
    expect(await read()).toBe(429);

    clock.advance(1000); // two tokens
    expect([await read(), await read(), await read()]).toEqual([1, 0, 429]);

    clock.advance(60_000); // far more than the burst: the bucket holds 5, no more
    expect(await read()).toBe(4);
  });

  it('the default 25 reads a second: one read back every 40 ms', async () => {
    const { emulator, clock } = await start({ gateways: [gateway('rg', 'appgw')] });
    await times(250, () => get(emulator, gwPath('rg', 'appgw')));
    expect((await get(emulator, gwPath('rg', 'appgw'))).status).toBe(429);

    clock.advance(39);
    expect((await get(emulator, gwPath('rg', 'appgw'))).status).toBe(429);
    clock.advance(1);
    const served = await get(emulator, gwPath('rg', 'appgw'));
    expect(served.status).toBe(200);
    expect(served.headers[READS]).toBe('0');
  });
});

describe('whose bucket', () => {
  it('separate subscriptions have separate buckets', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw'), gateway('rg', 'appgw', {}, SUB2)],
      ...small({ burst: 2, perSecond: 1 }),
    });

    const first = await times(3, () => get(emulator, gwPath('rg', 'appgw')));
    const second = await times(3, () => get(emulator, gwPath('rg', 'appgw', SUB2)));

    expect(first.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(second.map((a) => [a.status, a.headers[READS]])).toEqual([
      [200, '1'],
      [200, '0'],
      [429, '0'],
    ]);
  });

  it('the subscription is one bucket whatever the case of its id in the path', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw')],
      ...small({ burst: 2, perSecond: 1 }),
    });
    const upper = gwPath('rg', 'appgw').replace(SUB, SUB.toUpperCase());

    const answers = [await get(emulator, gwPath('rg', 'appgw')), await get(emulator, upper)];

    expect(answers.map((a) => a.headers[READS])).toEqual(['1', '0']);
  });

  it('reads and writes are separate buckets: with reads spent, the POST goes through, and the other way round', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw', { lro: { polls: 0 } })],
      limits: { reads: { burst: 1, perSecond: 1 }, writes: { burst: 1, perSecond: 1 } },
    });

    const answers = [
      await get(emulator, gwPath('rg', 'appgw')),
      await get(emulator, gwPath('rg', 'appgw')),
      await post(emulator, gwPath('rg', 'appgw')),
      await post(emulator, gwPath('rg', 'appgw')),
    ];

    expect(answers.map((a) => a.status)).toEqual([200, 429, 200, 429]);
    expect(answers.map((a) => [a.headers[READS], a.headers[WRITES]])).toEqual([
      ['0', undefined],
      ['0', undefined],
      [undefined, '0'],
      [undefined, '0'],
    ]);
  });

  it('every GET is a read (lists, nextLink pages, the gateway, both poll URLs); the backendhealth POST is a write', async () => {
    const many = Array.from({ length: 55 }, (_, i) => gateway('rg-many', `gw-${String(i).padStart(2, '0')}`));
    const { emulator } = await start({
      gateways: [
        gateway('rg', 'async', { lro: { polls: 1, style: 'azure-async-operation' } }),
        gateway('rg', 'location', { lro: { polls: 1, style: 'location' } }),
        ...many,
      ],
    });
    const follow = (url: unknown) => {
      if (typeof url !== 'string' || !url.startsWith(emulator.url))
        throw new Error(`not a link: ${String(url)}`);
      return rawRequest(emulator, 'GET', url.slice(emulator.url.length), auth());
    };

    const asyncPost = await post(emulator, gwPath('rg', 'async'));
    const statusPoll = await follow(asyncPost.headers['azure-asyncoperation']);
    const resultPoll = await follow(asyncPost.headers['location']);
    const locationPost = await post(emulator, gwPath('rg', 'location'));
    const locationPoll = await follow(locationPost.headers['location']);
    const list = await get(
      emulator,
      `/subscriptions/${SUB}/resourceGroups/rg-many/providers/Microsoft.Network/applicationGateways`,
    );
    const nextPage = await follow((list.body as { nextLink?: unknown }).nextLink);
    const one = await get(emulator, gwPath('rg', 'async'));

    expect(
      [asyncPost, statusPoll, resultPoll, locationPost, locationPoll, list, nextPage, one].map((a) => [
        a.status,
        a.headers[READS],
        a.headers[WRITES],
      ]),
    ).toEqual([
      [202, undefined, '199'],
      [200, '249', undefined],
      [202, '248', undefined],
      [202, undefined, '198'],
      [202, '247', undefined],
      [200, '246', undefined],
      [200, '245', undefined],
      [200, '244', undefined],
    ]);
  });

  it('one region: gateways in different locations of a subscription share its buckets', async () => {
    const { emulator } = await start({
      gateways: [
        gateway('rg', 'weu', { location: 'westeurope' }),
        gateway('rg', 'eus', { location: 'eastus' }),
      ],
      ...small({ burst: 2, perSecond: 1 }),
    });

    const answers = [
      await get(emulator, gwPath('rg', 'weu')),
      await get(emulator, gwPath('rg', 'eus')),
      await get(emulator, gwPath('rg', 'weu')),
    ];

    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
  });

  it('each bearer token is a principal with its own bucket; the global bucket (15 times) holds them all', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw')],
      ...small({ burst: 1, perSecond: 1 }),
    });
    const path = gwPath('rg', 'appgw');

    const principals = await Promise.all(
      Array.from({ length: 15 }, (_, i) => get(emulator, path, `token-${i}`)),
    );
    const sixteenth = await get(emulator, path, 'token-15');
    const secondOfFirst = await get(emulator, path, 'token-0');

    expect(principals.map((a) => a.status)).toEqual(Array.from({ length: 15 }, () => 200));
    expect(principals.map((a) => Number(a.headers[GLOBAL_READS])).sort((a, b) => b - a)).toEqual(
      Array.from({ length: 15 }, (_, i) => 14 - i),
    );
    expect(sixteenth.status).toBe(429);
    expect(sixteenth.headers).toMatchObject({ [READS]: '1', [GLOBAL_READS]: '0', 'retry-after': '1' });
    expect((sixteenth.body as { error: { message: string } }).error.message).toMatch(
      new RegExp(`^Number of 'read' requests for subscription '${SUB}' across all principals exceeded\\.`),
    );
    expect((secondOfFirst.body as { error: { message: string } }).error.message).toContain(" actor '");
  });

  it('requests refused before ARM knows the principal are not counted: 401s carry no quota and take none', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw')],
      ...small({ burst: 1, perSecond: 1 }),
    });

    const unauthenticated = await rawRequest(emulator, 'GET', `${gwPath('rg', 'appgw')}?api-version=1`);
    const served = await get(emulator, gwPath('rg', 'appgw'));

    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers[READS]).toBeUndefined();
    expect(served.status).toBe(200);
  });
});

describe('headers on every answer to a subscription request', () => {
  it('decrease by one per request, on 200s, 202s, 404s, 400s and injected faults alike', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw', { faults: [{ on: 'get', status: 429, retryAfterSeconds: 3 }] })],
    });

    const faulted = await get(emulator, gwPath('rg', 'appgw'));
    const served = await get(emulator, gwPath('rg', 'appgw'));
    const missing = await get(emulator, gwPath('rg', 'nowhere'));
    const noApiVersion = await rawRequest(emulator, 'GET', gwPath('rg', 'appgw'), auth());

    expect([faulted, served, missing, noApiVersion].map((a) => [a.status, a.headers[READS]])).toEqual([
      [429, '249'],
      [200, '248'],
      [404, '247'],
      [400, '246'],
    ]);
    // The gateway's own 429 fault is the resource provider's, as before: its code and Retry-After.
    expect(faulted.body).toMatchObject({ error: { code: 'TooManyRequests' } });
    expect(faulted.headers['retry-after']).toBe('3');
  });

  it('the SDK meets the per-gateway 429 fault as before, and retries it after its Retry-After', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw', { faults: [{ on: 'get', status: 429, retryAfterSeconds: 0 }] })],
    });

    await expect(armClient(emulator).applicationGateways.get('rg', 'appgw')).resolves.toMatchObject({
      name: 'appgw',
    });
    expect(callLog(emulator)).toEqual(['GET 429', 'GET 200']);
  });
});

describe('limits off, and serve()', () => {
  it('limits: false: no 429 and no quota headers, however many requests', async () => {
    const { emulator } = await start({ gateways: [gateway('rg', 'appgw')], limits: false });

    const answers = await times(260, () => get(emulator, gwPath('rg', 'appgw')));

    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(Object.keys(answers[259]?.headers ?? {}).filter((h) => h.startsWith('x-ms-ratelimit'))).toEqual(
      [],
    );
  });

  it('reads: false turns reads off and keeps ARM’s writes', async () => {
    const { emulator } = await start({ gateways: [gateway('rg', 'appgw')], limits: { reads: false } });

    const read = await get(emulator, gwPath('rg', 'appgw'));
    const write = await post(emulator, gwPath('rg', 'appgw'));

    expect(read.headers[READS]).toBeUndefined();
    expect(write.headers[WRITES]).toBe('199');
  });

  it('serve() keeps the buckets: a spent subscription stays spent under the next scenario; its limits apply from then on', async () => {
    const scenario = { gateways: [gateway('rg', 'appgw')], ...small({ burst: 1, perSecond: 1 }) };
    const { emulator } = await start(scenario);
    await get(emulator, gwPath('rg', 'appgw'));

    emulator.serve(scenario);
    const stillSpent = await get(emulator, gwPath('rg', 'appgw'));
    emulator.serve({ ...scenario, limits: false });
    const off = await get(emulator, gwPath('rg', 'appgw'));
    emulator.serve(scenario);
    const onAgain = await get(emulator, gwPath('rg', 'appgw'));

    expect([stillSpent, off, onAgain].map((a) => [a.status, a.headers[READS]])).toEqual([
      [429, '0'],
      [200, undefined],
      [200, '0'], // a kind turned off forgets its buckets: full again
    ]);
  });
});

describe('the real SDK against the limit', () => {
  it('with no retries left, a throttled call fails with RestError 429 SubscriptionRequestsThrottled', async () => {
    const { emulator } = await start({
      gateways: [gateway('rg', 'appgw')],
      ...small({ burst: 1, perSecond: 1 }),
    });
    const client = armClient(emulator, { maxRetries: 0 });
    await client.applicationGateways.get('rg', 'appgw');

    const error = await client.applicationGateways.get('rg', 'appgw').then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ statusCode: 429, code: 'SubscriptionRequestsThrottled' });
  });

  it('the SDK sees the 429 and retries after Retry-After (real clock): the retry finds the token that came back', async () => {
    // One read a second: a retry sooner than the Retry-After would be throttled again, so "429 then 200"
    // shows the SDK waited it out.
    const emulator = await startEmulatorFor({
      gateways: [gateway('rg', 'appgw')],
      ...small({ burst: 1, perSecond: 1 }),
    });
    const client = armClient(emulator);

    await client.applicationGateways.get('rg', 'appgw');
    await expect(client.applicationGateways.get('rg', 'appgw')).resolves.toMatchObject({ name: 'appgw' });

    expect(callLog(emulator)).toEqual(['GET 200', 'GET 429', 'GET 200']);
  });

  it('a backend-health read whose POST is throttled is retried by the SDK and completes', async () => {
    const emulator = await startEmulatorFor({
      gateways: [gateway('rg', 'appgw', { lro: { polls: 1, retryAfterSeconds: 0 } })],
      limits: { writes: { burst: 1, perSecond: 1 } },
    });
    const client = armClient(emulator);

    await client.applicationGateways.backendHealth('rg', 'appgw', { updateIntervalInMs: 5 });
    await expect(
      client.applicationGateways.backendHealth('rg', 'appgw', { updateIntervalInMs: 5 }),
    ).resolves.toMatchObject({ backendAddressPools: expect.any(Array) });

    expect(callLog(emulator)).toEqual([
      'POST backendhealth 202',
      'GET location 202',
      'GET location 200',
      'POST backendhealth 429',
      'POST backendhealth 202',
      'GET location 202',
      'GET location 200',
    ]);
  });
});

describe('scenario validation of limits', () => {
  const withLimits = (limits: unknown) => ({ gateways: [gateway('rg', 'appgw')], limits });
  const BUCKET = 'an object {"burst": <whole number >= 1>, "perSecond": <number > 0>}';

  it.each<[string, unknown, string[]]>([
    [
      'true',
      true,
      ['limits: expected false (no limits) or an object with "reads" and/or "writes", got boolean true'],
    ],
    [
      'null',
      null,
      ['limits: expected false (no limits) or an object with "reads" and/or "writes", got null'],
    ],
    [
      'an array',
      [],
      ['limits: expected false (no limits) or an object with "reads" and/or "writes", got an array'],
    ],
    [
      'a string',
      'off',
      ['limits: expected false (no limits) or an object with "reads" and/or "writes", got string "off"'],
    ],
    [
      'reads: true',
      { reads: true },
      [`limits.reads: expected false (no read limit) or ${BUCKET}, got boolean true`],
    ],
    [
      'writes: 200',
      { writes: 200 },
      [`limits.writes: expected false (no write limit) or ${BUCKET}, got number 200`],
    ],
    ['burst 0', { reads: { burst: 0, perSecond: 1 } }, ['limits.reads.burst: expected a whole number >= 1']],
    [
      'fractional burst',
      { reads: { burst: 2.5, perSecond: 1 } },
      ['limits.reads.burst: expected a whole number >= 1'],
    ],
    [
      'burst as text',
      { reads: { burst: '250', perSecond: 1 } },
      ['limits.reads.burst: expected a whole number >= 1'],
    ],
    [
      'perSecond 0',
      { writes: { burst: 1, perSecond: 0 } },
      ['limits.writes.perSecond: expected a number > 0'],
    ],
    [
      'negative perSecond',
      { writes: { burst: 1, perSecond: -10 } },
      ['limits.writes.perSecond: expected a number > 0'],
    ],
    [
      'perSecond as text',
      { writes: { burst: 1, perSecond: '10' } },
      ['limits.writes.perSecond: expected a number > 0'],
    ],
    ['no perSecond', { writes: { burst: 1 } }, ['limits.writes.perSecond: required']],
    ['no burst', { reads: { perSecond: 1 } }, ['limits.reads.burst: required']],
    [
      'a deletes bucket (the emulator serves no DELETE)',
      { deletes: { burst: 1, perSecond: 1 } },
      ['limits.deletes: unknown field'],
    ],
    [
      'a misspelt field',
      { reads: { burst: 1, refill: 1 } },
      ['limits.reads.perSecond: required', 'limits.reads.refill: unknown field'],
    ],
    [
      'every problem at once',
      { reads: { burst: 0, perSecond: 0 }, writes: true },
      [
        'limits.reads.burst: expected a whole number >= 1',
        'limits.reads.perSecond: expected a number > 0',
        `limits.writes: expected false (no write limit) or ${BUCKET}, got boolean true`,
      ],
    ],
  ])('%s', (_name, limits, expected) => {
    expect([...issuesOf(withLimits(limits))].sort()).toEqual([...expected].sort());
  });

  it('defaults: absent is ARM’s limits; a kind left out is ARM’s; false stays off; a parsed scenario parses to itself', () => {
    const gateways = [gateway('rg', 'appgw')];
    expect(parseScenario({ gateways }).limits).toEqual(ARM_REQUEST_LIMITS);
    expect(parseScenario({ gateways, limits: {} }).limits).toEqual(ARM_REQUEST_LIMITS);
    expect(parseScenario({ gateways, limits: { reads: { burst: 3, perSecond: 0.5 } } }).limits).toEqual({
      reads: { burst: 3, perSecond: 0.5 },
      writes: ARM_REQUEST_LIMITS.writes,
    });
    expect(parseScenario({ gateways, limits: { writes: false } }).limits).toEqual({
      reads: ARM_REQUEST_LIMITS.reads,
      writes: false,
    });
    expect(parseScenario({ gateways, limits: false }).limits).toBe(false);
    for (const limits of [undefined, false, { reads: false }, { writes: { burst: 9, perSecond: 2 } }]) {
      const parsed = parseScenario({ gateways, limits });
      expect(parseScenario(parsed)).toEqual(parsed);
    }
  });

  it('startEmulator refuses bad limits, naming the field', async () => {
    await expect(
      startEmulator({ scenario: withLimits({ reads: { burst: 0, perSecond: 1 } }) as never }),
    ).rejects.toThrow(/limits\.reads\.burst: expected a whole number >= 1/);
  });
});
