/** Authentication, ARM's request checks, injected faults and delays, as the real SDK meets them. */
import { RestError } from '@azure/core-rest-pipeline';
import { existsSync, readFileSync } from 'node:fs';
import { armClient, callLog, gateway, healthBody, rawRequest, SUB, useEmulators } from './helpers';

const start = useEmulators();
const fast = { updateIntervalInMs: 5 };
const gwPath = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/applicationGateways/${name}`;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

describe('authentication and request checks', () => {
  it('answers 401 AuthenticationFailed with WWW-Authenticate when the Authorization header is missing', async () => {
    const emulator = await start({ gateways: [gateway('rg', 'appgw')] });

    const res = await rawRequest(emulator, 'GET', `${gwPath('rg', 'appgw')}?api-version=2026-01-01`);

    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        code: 'AuthenticationFailed',
        message: "Authentication failed. The 'Authorization' header is missing.",
      },
    });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  it('with auth.acceptTokens, the SDK with a wrong token gets 401 and with a listed one succeeds', async () => {
    const emulator = await start({
      gateways: [gateway('rg', 'appgw')],
      auth: { acceptTokens: ['good-token'] },
    });

    const error = await failure(
      armClient(emulator, { token: 'wrong' }).applicationGateways.get('rg', 'appgw'),
    );
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });

    await expect(
      armClient(emulator, { token: 'good-token' }).applicationGateways.get('rg', 'appgw'),
    ).resolves.toMatchObject({
      name: 'appgw',
    });
  });

  it('a request without api-version gets ARM MissingApiVersionParameter (400)', async () => {
    const emulator = await start({ gateways: [gateway('rg', 'appgw')] });

    const res = await rawRequest(emulator, 'GET', gwPath('rg', 'appgw'), { authorization: 'Bearer dev' });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
  });

  it('unknown routes are 404 InvalidResourceType and known routes with the wrong method 405', async () => {
    const emulator = await start({ gateways: [gateway('rg', 'appgw')] });
    const auth = { authorization: 'Bearer dev' };

    const unknown = await rawRequest(
      emulator,
      'GET',
      `/subscriptions/${SUB}/resourceGroups/rg?api-version=1`,
      auth,
    );
    const wrongMethod = await rawRequest(emulator, 'DELETE', `${gwPath('rg', 'appgw')}?api-version=1`, auth);

    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'InvalidResourceType' } });
    expect(wrongMethod.status).toBe(405);
  });
});

describe('injected faults', () => {
  it('429 with Retry-After: the SDK retry policy re-POSTs and the operation then completes', async () => {
    const g = gateway('rg', 'appgw', {
      faults: [{ on: 'backendHealth', status: 429, times: 1, retryAfterSeconds: 0 }],
    });
    const emulator = await start({ gateways: [g] });

    const result = await armClient(emulator).applicationGateways.backendHealth('rg', 'appgw', fast);

    expect(result).toEqual(healthBody(g.id));
    expect(callLog(emulator)).toEqual([
      'POST backendhealth 429',
      'POST backendhealth 202',
      'GET location 202',
      'GET location 200',
    ]);
  });

  it('answers faults with ARM error bodies, default codes and the Retry-After header', async () => {
    const g = gateway('rg', 'appgw', {
      faults: [
        { on: 'backendHealth', status: 429, retryAfterSeconds: 7 },
        { on: 'backendHealth', status: 403 },
        { on: 'backendHealth', status: 503 },
        { on: 'backendHealth', status: 409, code: 'AnotherOperationInProgress', message: 'Busy.' },
      ],
    });
    const emulator = await start({ gateways: [g] });
    const post = () =>
      rawRequest(emulator, 'POST', `${gwPath('rg', 'appgw')}/backendhealth?api-version=1`, {
        authorization: 'Bearer dev',
      });

    const throttled = await post();
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expect(throttled.body).toMatchObject({ error: { code: 'TooManyRequests' } });
    const forbidden = await post();
    expect(forbidden.body).toMatchObject({
      error: {
        code: 'AuthorizationFailed',
        message: expect.stringContaining(
          `'Microsoft.Network/applicationGateways/backendhealth/action' over scope '${g.id}'`,
        ),
      },
    });
    expect((await post()).body).toMatchObject({ error: { code: 'ServiceUnavailable' } });
    expect(await post()).toMatchObject({
      status: 409,
      body: { error: { code: 'AnotherOperationInProgress', message: 'Busy.' } },
    });
    expect((await post()).status).toBe(202); // every fault used up
  });

  it.each([
    ['location', 'operationResults', 'Microsoft.Network/locations/operationResults/read'],
    ['azure-async-operation', 'operations', 'Microsoft.Network/locations/operations/read'],
  ] as const)(
    "a 403 on a %s poll is ARM's AuthorizationFailed naming that URL's action over its own scope",
    async (style, segment, action) => {
      const g = gateway('rg', 'appgw', {
        lro: { polls: 1, retryAfterSeconds: 0, style },
        faults: [{ on: 'poll', status: 403 }],
      });
      const emulator = await start({ gateways: [g] });
      const auth = { authorization: 'Bearer dev' };
      const started = await rawRequest(
        emulator,
        'POST',
        `${gwPath('rg', 'appgw')}/backendhealth?api-version=1`,
        auth,
      );
      const pollUrl = new URL(
        String(started.headers[style === 'location' ? 'location' : 'azure-asyncoperation']),
      );
      expect(pollUrl.pathname).toContain(`/locations/westeurope/${segment}/`);

      const poll = await rawRequest(emulator, 'GET', `${pollUrl.pathname}${pollUrl.search}`, auth);

      expect(poll.status).toBe(403);
      expect(poll.body).toEqual({
        error: {
          code: 'AuthorizationFailed',
          message: expect.stringContaining(
            `does not have authorization to perform action '${action}' over scope '${pollUrl.pathname}' or the scope is invalid.`,
          ),
        },
      });
    },
  );

  it('a 500 fault: retried past when it is shorter than the retries, a RestError 500 when not', async () => {
    const brief = gateway('rg', 'appgw-brief', { faults: [{ on: 'backendHealth', status: 500, times: 1 }] });
    const long = gateway('rg', 'appgw-long', { faults: [{ on: 'backendHealth', status: 500, times: 5 }] });
    const emulator = await start({ gateways: [brief, long] });
    const client = armClient(emulator, { maxRetries: 1 });

    await expect(client.applicationGateways.backendHealth('rg', 'appgw-brief', fast)).resolves.toEqual(
      healthBody(brief.id),
    );
    const error = await failure(client.applicationGateways.backendHealth('rg', 'appgw-long', fast));

    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ statusCode: 500, code: 'InternalServerError' });
    expect(callLog(emulator)).toEqual([
      'POST backendhealth 500',
      'POST backendhealth 202',
      'GET location 202',
      'GET location 200',
      'POST backendhealth 500',
      'POST backendhealth 500',
    ]);
  });

  it('a poll fault is retried and does not count as one of the scenario polls', async () => {
    const g = gateway('rg', 'appgw', { faults: [{ on: 'poll', status: 503, retryAfterSeconds: 0 }] });
    const emulator = await start({ gateways: [g] });

    await expect(armClient(emulator).applicationGateways.backendHealth('rg', 'appgw', fast)).resolves.toEqual(
      healthBody(g.id),
    );
    expect(callLog(emulator)).toEqual([
      'POST backendhealth 202',
      'GET location 503',
      'GET location 202',
      'GET location 200',
    ]);
  });

  it.each([
    ['location', 'location', 'Microsoft.Network/locations/operationResults/read'],
    ['azure-async-operation', 'async', 'Microsoft.Network/locations/operations/read'],
  ] as const)(
    "a 403 on a %s poll is ARM's AuthorizationFailed naming that URL's action over that URL",
    async (style, kind, action) => {
      const g = gateway('rg', 'appgw', { lro: { style }, faults: [{ on: 'poll', status: 403, times: 1 }] });
      const emulator = await start({ gateways: [g] });

      const error = await failure(armClient(emulator).applicationGateways.backendHealth('rg', 'appgw', fast));

      expect(error).toBeInstanceOf(RestError);
      expect(error).toMatchObject({
        statusCode: 403,
        code: 'AuthorizationFailed',
        message: expect.stringContaining(
          `does not have authorization to perform action '${action}' over scope '/subscriptions/${SUB}/providers/Microsoft.Network/locations/`,
        ),
      });
      expect(callLog(emulator)).toEqual(['POST backendhealth 202', `GET ${kind} 403`]);
    },
  );

  it('a list fault hits list requests whose scope holds its gateway; get faults use code and message', async () => {
    const emulator = await start({
      gateways: [
        gateway('rg-a', 'appgw-a', {
          faults: [
            { on: 'list', status: 403, times: 2 },
            { on: 'get', status: 404, code: 'Gone', message: 'It went away.' },
          ],
        }),
        gateway('rg-b', 'appgw-b'),
      ],
    });
    const client = armClient(emulator);

    await expect(client.applicationGateways.list('rg-b').next()).resolves.toMatchObject({
      value: { name: 'appgw-b' },
    });
    await expect(client.applicationGateways.listAll().next()).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    await expect(client.applicationGateways.list('rg-a').next()).rejects.toMatchObject({ statusCode: 403 });
    await expect(client.applicationGateways.list('rg-a').next()).resolves.toMatchObject({
      value: { name: 'appgw-a' },
    });
    await expect(client.applicationGateways.get('rg-a', 'appgw-a')).rejects.toMatchObject({
      statusCode: 404,
      code: 'Gone',
      message: 'It went away.',
    });
  });
});

describe('connection faults: no answer at all', () => {
  it.each([
    ['backendHealth', 'POST backendhealth 0'],
    ['poll', 'GET location 0'],
  ] as const)(
    'a reset on %s: the connection drops without an answer; the SDK retries it like a lost connection',
    async (on, dropped) => {
      const g = gateway('rg', 'appgw', { faults: [{ on, connection: 'reset' }] });
      const emulator = await start({ gateways: [g] });

      await expect(
        armClient(emulator).applicationGateways.backendHealth('rg', 'appgw', fast),
      ).resolves.toEqual(healthBody(g.id));
      expect(callLog(emulator)).toContain(dropped);
      expect(callLog(emulator).at(-1)).toBe('GET location 200');
    },
  );

  it('a reset without retries is the network error ECONNRESET, no status', async () => {
    const emulator = await start({
      gateways: [gateway('rg', 'appgw', { faults: [{ on: 'list', connection: 'reset' }] })],
    });
    const error = await failure(armClient(emulator, { maxRetries: 0 }).applicationGateways.list('rg').next());
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect((error as RestError).statusCode).toBeUndefined();
  });

  it.each(['list', 'backendHealth', 'poll'] as const)(
    'a hang on %s is never answered: the caller’s time-out ends it, and close() does not wait for it',
    async (on) => {
      const emulator = await start({
        gateways: [gateway('rg', 'appgw', { faults: [{ on, connection: 'hang', times: 9 }] })],
      });
      const client = armClient(emulator, { maxRetries: 0 });
      const abortSignal = AbortSignal.timeout(300);
      const call =
        on === 'list'
          ? client.applicationGateways.list('rg', { abortSignal }).next()
          : client.applicationGateways.backendHealth('rg', 'appgw', { ...fast, abortSignal });
      expect(await failure(call)).toMatchObject({ name: 'AbortError' });
      expect(emulator.requests.at(-1)?.status).toBe(0);
      await emulator.close();
    },
  );

  it('faults for the same call are used in order, whatever their kind', async () => {
    const g = gateway('rg', 'appgw', {
      faults: [
        { on: 'backendHealth', status: 503 },
        { on: 'backendHealth', connection: 'reset' },
        { on: 'backendHealth', status: 429, retryAfterSeconds: 0 },
      ],
    });
    const emulator = await start({ gateways: [g] });
    await armClient(emulator).applicationGateways.backendHealth('rg', 'appgw', fast);
    expect(callLog(emulator).filter((line) => line.startsWith('POST'))).toEqual([
      'POST backendhealth 503',
      'POST backendhealth 0',
      'POST backendhealth 429',
      'POST backendhealth 202',
    ]);
  });
});

describe('serve(): another scenario on the same URL', () => {
  it('answers from the new scenario at once, with its faults counted afresh', async () => {
    const before = gateway('rg', 'appgw');
    const emulator = await start({ gateways: [before] });
    const client = armClient(emulator, { maxRetries: 0 });
    await expect(client.applicationGateways.backendHealth('rg', 'appgw', fast)).resolves.toEqual(
      healthBody(before.id),
    );

    emulator.serve({
      gateways: [gateway('rg', 'other', { faults: [{ on: 'backendHealth', status: 500 }] })],
    });
    await expect(client.applicationGateways.backendHealth('rg', 'appgw', fast)).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    await expect(client.applicationGateways.backendHealth('rg', 'other', fast)).rejects.toMatchObject({
      statusCode: 500,
    });
    await expect(client.applicationGateways.backendHealth('rg', 'other', fast)).resolves.toBeDefined();
  });

  it('an invalid scenario is refused and the previous one is still served', async () => {
    const emulator = await start({ gateways: [gateway('rg', 'appgw')] });
    expect(() => emulator.serve({ gateways: [] })).toThrow(/gateways: expected at least one gateway/);
    await expect(
      armClient(emulator).applicationGateways.backendHealth('rg', 'appgw', fast),
    ).resolves.toBeDefined();
  });
});

describe('answers ARM never sends, exactly as given (text) and on one page of a listing (page)', () => {
  const listPath = (rg?: string) =>
    `/subscriptions/${SUB}${rg ? `/resourceGroups/${rg}` : ''}/providers/Microsoft.Network/applicationGateways`;
  const many = (n: number, extra: Parameters<typeof gateway>[2] = {}) =>
    Array.from({ length: n }, (_, i) =>
      gateway('rg-many', `appgw-${String(i).padStart(2, '0')}`, i === 0 ? extra : {}),
    );

  it('a list text fault is the page as written, once; later lists are whole again', async () => {
    const emulator = await start({
      gateways: [gateway('rg', 'appgw', { faults: [{ on: 'list', text: '{"value":[{"name":"appgw"}]}' }] })],
    });
    const page = await rawRequest(emulator, 'GET', `${listPath()}?api-version=1`, {
      authorization: 'Bearer x',
    });
    expect(page).toMatchObject({ status: 200, body: { value: [{ name: 'appgw' }] } });
    const again = await rawRequest(emulator, 'GET', `${listPath()}?api-version=1`, {
      authorization: 'Bearer x',
    });
    expect(again.body).toMatchObject({ value: [{ id: gwPath('rg', 'appgw'), name: 'appgw' }] });
  });

  it('page: the fault answers only that page of a listing (here the nextLink page), through the real SDK', async () => {
    const emulator = await start({
      gateways: many(60, { faults: [{ on: 'list', page: 2, text: '{"value":null}' }] }),
    });
    const pages = armClient(emulator).applicationGateways.list('rg-many').byPage();
    await expect(pages.next()).resolves.toMatchObject({ value: expect.arrayContaining([expect.anything()]) });
    await expect(pages.next()).rejects.toThrow("Cannot read properties of null (reading 'map')"); // the SDK's own words
    expect(emulator.requests.map((r) => `${r.query['$skipToken'] ?? 'first'} ${r.status}`)).toEqual([
      'first 200',
      '50 200',
    ]);
  });

  it('page with an error status: the first page is served, the nextLink page fails', async () => {
    const emulator = await start({
      gateways: many(60, { faults: [{ on: 'list', page: 2, status: 500, times: 9 }] }),
    });
    const ids: string[] = [];
    const error = await failure(
      (async () => {
        for await (const g of armClient(emulator, { maxRetries: 1 }).applicationGateways.list('rg-many'))
          ids.push(g.id ?? '');
      })(),
    );
    expect(ids).toHaveLength(50);
    expect(error).toMatchObject({ statusCode: 500 });
  });

  it("a backendHealth text fault is the operation's final 200 answer as written, once", async () => {
    const text = JSON.stringify({ value: healthBody(gwPath('rg', 'appgw')) });
    const emulator = await start({
      gateways: [gateway('rg', 'appgw', { lro: { polls: 0 }, faults: [{ on: 'backendHealth', text }] })],
    });
    const post = () =>
      rawRequest(emulator, 'POST', `${gwPath('rg', 'appgw')}/backendhealth?api-version=1`, {
        authorization: 'Bearer x',
      });
    await expect(post()).resolves.toMatchObject({ status: 200, body: JSON.parse(text) });
    await expect(post()).resolves.toMatchObject({ status: 200, body: healthBody(gwPath('rg', 'appgw')) });
  });
});

describe('delays and lifecycle', () => {
  it('delayMs holds the answer long enough for an AbortSignal time-out to abort the SDK call', async () => {
    // A delay no busy machine comes near: finishing well before it proves the abort (and close) did not wait.
    const emulator = await start({ gateways: [gateway('rg', 'appgw-slow', { delayMs: 120_000 })] });
    const started = Date.now();

    const error = await failure(
      armClient(emulator).applicationGateways.get('rg', 'appgw-slow', {
        abortSignal: AbortSignal.timeout(200),
      }),
    );

    expect(error).toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(20_000);
    const closing = Date.now();
    await emulator.close(); // must not wait for the delay
    expect(Date.now() - closing).toBeLessThan(20_000);
  });

  it('delayMs delays the answer by about that long', async () => {
    const emulator = await start({ gateways: [gateway('rg', 'appgw', { delayMs: 300 })] });
    const started = Date.now();

    await armClient(emulator).applicationGateways.get('rg', 'appgw');

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('serves a certificate from a temp file that close() removes', async () => {
    const emulator = await start({ gateways: [gateway('rg', 'appgw')] });
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(emulator.caCertFile, 'utf8')).toBe(emulator.caCertPem);

    await emulator.close();
    await emulator.close(); // twice is fine

    expect(existsSync(emulator.caCertFile)).toBe(false);
  });
});
