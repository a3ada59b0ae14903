/** backendhealth's long-running operation, driven through the real SDK poller. */
import { RestError } from '@azure/core-rest-pipeline';
import type { ScenarioInput } from '../../src/emulator';
import { armClient, callLog, fakeClock, gateway, healthBody, rawRequest, SUB, useEmulators } from './helpers';

const start = useEmulators();
const fast = { updateIntervalInMs: 5 };

describe('backendhealth long-running operation', () => {
  it.each([1, 3])(
    'location style with %i poll(s): exactly that many 202 polls, then the body',
    async (polls) => {
      const g = gateway('rg-lro', 'appgw-loc', { lro: { polls, retryAfterSeconds: 0 } });
      const emulator = await start({ gateways: [g] });

      const result = await armClient(emulator).applicationGateways.backendHealth('rg-lro', 'appgw-loc', fast);

      expect(result).toEqual(healthBody(g.id));
      expect(callLog(emulator)).toEqual([
        'POST backendhealth 202',
        ...Array<string>(polls).fill('GET location 202'),
        'GET location 200',
      ]);
      const post = emulator.requests[0];
      expect(post?.path).toBe(
        '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-lro/providers/Microsoft.Network/applicationGateways/appgw-loc/backendhealth',
      );
      // The poll URL keeps the caller's api-version and has ARM's operationResults shape.
      const poll = emulator.requests[1];
      expect(poll?.path).toMatch(
        /^\/subscriptions\/11111111-2222-3333-4444-555555555555\/providers\/Microsoft\.Network\/locations\/westeurope\/operationResults\/[0-9a-f-]{36}$/,
      );
      expect(poll?.query['api-version']).toBe(post?.query['api-version']);
    },
  );

  it('azure-async-operation style: status polls until Succeeded, then the Location GET gives the body', async () => {
    const g = gateway('rg-lro', 'appgw-async', {
      lro: { polls: 2, retryAfterSeconds: 0, style: 'azure-async-operation' },
    });
    const emulator = await start({ gateways: [g] });

    const result = await armClient(emulator).applicationGateways.backendHealth('rg-lro', 'appgw-async', fast);

    expect(result).toEqual(healthBody(g.id));
    expect(callLog(emulator)).toEqual([
      'POST backendhealth 202',
      'GET async 200',
      'GET async 200',
      'GET async 200',
      'GET location 200',
    ]);
    expect(emulator.requests[1]?.path).toMatch(/\/locations\/westeurope\/operations\/[0-9a-f-]{36}$/);
  });

  it('polls: 0 answers the POST with 200 and the body at once', async () => {
    const g = gateway('rg-lro', 'appgw-now', { lro: { polls: 0 } });
    const emulator = await start({ gateways: [g] });

    const result = await armClient(emulator).applicationGateways.backendHealth('rg-lro', 'appgw-now', fast);

    expect(result).toEqual(healthBody(g.id));
    expect(callLog(emulator)).toEqual(['POST backendhealth 200']);
  });

  it('$expand=backendhealth/applicationgatewayresource fills in pool and settings names', async () => {
    const emulator = await start({ gateways: [gateway('rg-lro', 'appgw-x', { lro: { polls: 0 } })] });

    const result = await armClient(emulator).applicationGateways.backendHealth('rg-lro', 'appgw-x', {
      ...fast,
      expand: 'backendhealth/applicationgatewayresource',
    });

    expect(result.backendAddressPools?.map((p) => p.backendAddressPool?.name)).toEqual([
      'pool-a',
      'pool-empty',
    ]);
    expect(
      result.backendAddressPools?.[0]?.backendHttpSettingsCollection?.[0]?.backendHttpSettings?.name,
    ).toBe('settings-a');
  });

  it('a failed location-style operation ends in a 500 with ARM error body', async () => {
    const g = gateway('rg-lro', 'appgw-fail', { lro: { polls: 1, retryAfterSeconds: 0, outcome: 'failed' } });
    const emulator = await start({ gateways: [g] });

    const call = armClient(emulator, { maxRetries: 0 }).applicationGateways.backendHealth(
      'rg-lro',
      'appgw-fail',
      fast,
    );

    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ statusCode: 500, code: 'InternalServerError' });
    expect(callLog(emulator)).toEqual(['POST backendhealth 202', 'GET location 202', 'GET location 500']);
  });

  it('a failed azure-async-operation reports Failed with the error, and the SDK rejects', async () => {
    const g = gateway('rg-lro', 'appgw-fail2', {
      lro: { polls: 1, retryAfterSeconds: 0, style: 'azure-async-operation', outcome: 'failed' },
    });
    const emulator = await start({ gateways: [g] });

    await expect(
      armClient(emulator).applicationGateways.backendHealth('rg-lro', 'appgw-fail2', fast),
    ).rejects.toThrow(/long-running operation has failed\. InternalServerError\..*lro\.outcome is "failed"/);
    expect(callLog(emulator)).toEqual(['POST backendhealth 202', 'GET async 200', 'GET async 200']);
  });
});

describe('backendhealth long-running operation: polled by hand (the product polls Location only)', () => {
  const token = { authorization: 'Bearer dev' };
  const pathOf = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };
  const postPath = (name: string) =>
    `/subscriptions/${SUB}/resourceGroups/rg-lro/providers/Microsoft.Network/applicationGateways/${name}/backendhealth?api-version=2026-01-01`;

  async function startWithClock(scenario: ScenarioInput) {
    const clock = fakeClock(1_000);
    return { emulator: await start(scenario, { clock }), advance: clock.advance };
  }

  it('azure-async-operation style: the Location URL alone answers 202 for `polls` GETs, then the body', async () => {
    const g = gateway('rg-lro', 'appgw-loc-only', {
      lro: { polls: 2, retryAfterSeconds: 0, style: 'azure-async-operation' },
    });
    const emulator = await start({ gateways: [g] });
    const posted = await rawRequest(emulator, 'POST', postPath('appgw-loc-only'), token);
    expect(posted.headers['azure-asyncoperation']).toBeDefined();
    const location = pathOf(String(posted.headers['location']));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await rawRequest(emulator, 'GET', location, token)).status);
    expect(statuses).toEqual([202, 202, 200]);
    expect(callLog(emulator)).toEqual([
      'POST backendhealth 202',
      'GET location 202',
      'GET location 202',
      'GET location 200',
    ]);
  });

  it('retryAfterSeconds null: no Retry-After on the 202s or the InProgress status', async () => {
    const g = gateway('rg-lro', 'appgw-no-ra', {
      lro: { polls: 1, retryAfterSeconds: null, style: 'azure-async-operation' },
    });
    const emulator = await start({ gateways: [g] });
    const posted = await rawRequest(emulator, 'POST', postPath('appgw-no-ra'), token);
    expect(posted.status).toBe(202);
    expect(posted.headers['retry-after']).toBeUndefined();
    const status = await rawRequest(
      emulator,
      'GET',
      pathOf(String(posted.headers['azure-asyncoperation'])),
      token,
    );
    expect(status.body).toMatchObject({ status: 'InProgress' });
    expect(status.headers['retry-after']).toBeUndefined();
    const result = await rawRequest(emulator, 'GET', pathOf(String(posted.headers['location'])), token);
    expect([result.status, result.headers['retry-after']]).toEqual([202, undefined]);
  });

  it.each(['location', 'azure-async-operation'] as const)(
    'runsForMs (%s): running until that long after the POST by the emulator clock, however often polled',
    async (style) => {
      const g = gateway('rg-lro', 'appgw-timed', { lro: { runsForMs: 5_000, retryAfterSeconds: 5, style } });
      const { emulator, advance } = await startWithClock({ gateways: [g] });
      const posted = await rawRequest(emulator, 'POST', postPath('appgw-timed'), token);
      expect([posted.status, posted.headers['retry-after']]).toEqual([202, '5']);
      const location = pathOf(String(posted.headers['location']));
      for (let i = 0; i < 4; i++)
        expect((await rawRequest(emulator, 'GET', location, token)).status).toBe(202);
      if (style === 'azure-async-operation') {
        const async = pathOf(String(posted.headers['azure-asyncoperation']));
        expect((await rawRequest(emulator, 'GET', async, token)).body).toMatchObject({
          status: 'InProgress',
        });
        advance(5_000);
        expect((await rawRequest(emulator, 'GET', async, token)).body).toMatchObject({ status: 'Succeeded' });
      } else {
        advance(4_999);
        expect((await rawRequest(emulator, 'GET', location, token)).status).toBe(202);
        advance(1);
      }
      const done = await rawRequest(emulator, 'GET', location, token);
      expect([done.status, done.body]).toEqual([200, healthBody(g.id)]);
      // Each request's arrival by the same clock.
      expect(emulator.requests[0]?.receivedAtMs).toBe(1_000);
      expect(emulator.requests.at(-1)?.receivedAtMs).toBe(6_000);
    },
  );

  it('runsForMs 0: the POST still answers 202; the first poll has the body', async () => {
    const g = gateway('rg-lro', 'appgw-zero', { lro: { runsForMs: 0, polls: 0 } });
    const { emulator } = await startWithClock({ gateways: [g] });
    const posted = await rawRequest(emulator, 'POST', postPath('appgw-zero'), token);
    expect(posted.status).toBe(202);
    expect(
      (await rawRequest(emulator, 'GET', pathOf(String(posted.headers['location'])), token)).status,
    ).toBe(200);
  });
});
