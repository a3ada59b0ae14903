/**
 * `requestCounts()`: every answered request counted once, by the route it asked for and its status, so
 * a bench can read a run's requests and throttles (the `emulator` verb writes them with `--counts`).
 */
import { gateway, gatewayId, rawRequest, SUB, useEmulators } from './helpers';

const start = useEmulators();
const auth = { authorization: 'Bearer dev' };
const V = 'api-version=2024-05-01';

describe('request counts', () => {
  it('counts each request by route and status: served, throttled, faulted, refused and unknown', async () => {
    const emulator = await start({
      gateways: [
        gateway('rg-a', 'gw-1', {
          faults: [{ on: 'get', status: 503, times: 1 }],
        }),
        gateway('rg-a', 'gw-2'),
      ],
      // Two writes, then the third POST is throttled (one token back every 1000 s).
      limits: { reads: false, writes: { burst: 2, perSecond: 0.001 } },
    });
    const gw1 = gatewayId('rg-a', 'gw-1');
    const gw2 = gatewayId('rg-a', 'gw-2');

    const list = await rawRequest(
      emulator,
      'GET',
      `/subscriptions/${SUB}/providers/Microsoft.Network/applicationGateways?${V}`,
      auth,
    );
    const posted = await rawRequest(emulator, 'POST', `${gw1}/backendhealth?${V}`, auth);
    const location = new URL(String(posted.headers['location']));
    await rawRequest(emulator, 'GET', `${location.pathname}${location.search}`, auth); // 202: one poll left
    await rawRequest(emulator, 'GET', `${location.pathname}${location.search}`, auth); // 200: the body
    await rawRequest(emulator, 'POST', `${gw2}/backendhealth?${V}`, auth);
    await rawRequest(emulator, 'POST', `${gw2}/backendhealth?${V}`, auth); // 429: no write left
    await rawRequest(emulator, 'GET', `${gw1}?${V}`, auth); // 503: the injected fault
    await rawRequest(emulator, 'GET', `${gw1}?${V}`, auth); // 200
    await rawRequest(emulator, 'GET', `${gw2}?${V}`); // 401: no token
    await rawRequest(emulator, 'PUT', `${gw2}?${V}`, auth); // 405: a known route, wrong method
    await rawRequest(emulator, 'GET', `/subscriptions/${SUB}/providers/Microsoft.Compute/vms?${V}`, auth);

    expect(list.status).toBe(200);
    expect(emulator.requestCounts()).toEqual({
      list: { '200': 1 },
      backendHealth: { '202': 2, '429': 1 },
      operationResult: { '202': 1, '200': 1 },
      gateway: { '503': 1, '200': 1, '401': 1, '405': 1 },
      other: { '404': 1 },
    });
    // The same requests `requests` lists, one count each.
    const total = Object.values(emulator.requestCounts())
      .flatMap((byStatus) => Object.values(byStatus ?? {}))
      .reduce((a, b) => a + b, 0);
    expect(total).toBe(emulator.requests.length);
  });

  it('counts a connection fault as status 0, and hands out a new object each time', async () => {
    const emulator = await start({
      gateways: [gateway('rg-a', 'gw-1', { faults: [{ on: 'get', connection: 'reset', times: 1 }] })],
    });
    await expect(rawRequest(emulator, 'GET', `${gatewayId('rg-a', 'gw-1')}?${V}`, auth)).rejects.toThrow();
    const first = emulator.requestCounts();
    expect(first).toEqual({ gateway: { '0': 1 } });
    await rawRequest(emulator, 'GET', `${gatewayId('rg-a', 'gw-1')}?${V}`, auth);
    expect(first).toEqual({ gateway: { '0': 1 } });
    expect(emulator.requestCounts()).toEqual({ gateway: { '0': 1, '200': 1 } });
  });
});
