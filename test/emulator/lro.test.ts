/** backendhealth's long-running operation, driven through the real SDK poller. */
import { RestError } from '@azure/core-rest-pipeline';
import { armClient, callLog, gateway, healthBody, useEmulators } from './helpers';

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
