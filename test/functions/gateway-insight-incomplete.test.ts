/**
 * The on-demand HTTP insight (`gatewayInsight`) of a reading that lacked a routed pool: never "All …
 * healthy" (a break trial: a pool with a member was listed with no server, and the page was an
 * all-clear). Real emulator (its configuration GET answers the routed pools), real handler.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadFunctionHandlers } from '../helpers/function-handlers';
import { startFunctionsApp, type FunctionsAppWorld } from '../helpers/functions-app';
import { SUB, gatewayId } from '../helpers/scenario-builder';

const id = gatewayId('gw-inc');
const pool = (name: string, address: string) => ({
  id: `${id}/backendAddressPools/${name}`,
  name,
  properties: { backendAddresses: [{ ipAddress: address }] },
});
const SETTINGS = `${id}/backendHttpSettingsCollection/settings-a`;
/** The gateway as its GET answers: two pools, both routed. */
const resource = {
  id,
  name: 'gw-inc',
  type: 'Microsoft.Network/applicationGateways',
  location: 'westeurope',
  properties: {
    provisioningState: 'Succeeded',
    operationalState: 'Running',
    sku: { name: 'Standard_v2', tier: 'Standard_v2', capacity: 1 },
    backendAddressPools: [pool('pool-a', '10.0.0.4'), pool('pool-b', '10.0.0.9')],
    backendHttpSettingsCollection: [
      { id: SETTINGS, name: 'settings-a', properties: { port: 80, protocol: 'Http' } },
    ],
    requestRoutingRules: ['pool-a', 'pool-b'].map((p, i) => ({
      id: `${id}/requestRoutingRules/r${i}`,
      name: `r${i}`,
      properties: {
        ruleType: 'Basic',
        priority: 10 + i,
        backendAddressPool: { id: `${id}/backendAddressPools/${p}` },
        backendHttpSettings: { id: SETTINGS },
      },
    })),
  },
};
/** Its backend health: pool-a's server healthy, pool-b listed with no server. */
const SCENARIO = {
  limits: false,
  gateways: [
    {
      id,
      lro: { polls: 0 },
      backendHealth: {
        backendAddressPools: [
          {
            backendAddressPool: { id: `${id}/backendAddressPools/pool-a` },
            backendHttpSettingsCollection: [
              {
                backendHttpSettings: { id: SETTINGS },
                servers: [{ address: '10.0.0.4', health: 'Healthy' }],
              },
            ],
          },
          {
            backendAddressPool: { id: `${id}/backendAddressPools/pool-b` },
            backendHttpSettingsCollection: [{ backendHttpSettings: { id: SETTINGS }, servers: [] }],
          },
        ],
      },
      faults: [{ on: 'get', text: JSON.stringify(resource), times: 1000 }],
    },
  ],
};

describe('Functions app: the HTTP insight of a reading short of a routed pool', () => {
  let app: FunctionsAppWorld | undefined;
  beforeAll(async () => {
    app = await startFunctionsApp({ scenario: SCENARIO });
  }, 60_000);
  afterAll(() => app?.close());

  it('says the reading is incomplete and names the pool, never "All … healthy"', async () => {
    const { gatewayInsight } = loadFunctionHandlers();
    const request = (accept: string) =>
      new HttpRequest({
        method: 'GET',
        url: `http://localhost/api/gateways/${SUB}/rg-test/gw-inc/insight`,
        params: { subscription: SUB, resourceGroup: 'rg-test', name: 'gw-inc' },
        headers: { accept },
      });
    const html = String((await gatewayInsight(request('text/html'), new InvocationContext())).body);
    expect(html).toMatch(
      /<title>gw-inc: Reading incomplete: 1 backend pool\(s\) not read \(pool-b\); 0 of the 1 backend server\(s\) read not healthy<\/title>/,
    );
    expect(html).toContain('<strong>⚠ Reading incomplete:</strong>');
    expect(html).not.toMatch(/All \d+ backend server\(s\) healthy/);
    const json = await gatewayInsight(request('application/json'), new InvocationContext());
    expect((json.jsonBody as { gateway: { poolsNotRead?: string[] } }).gateway.poolsNotRead).toEqual([
      'pool-b',
    ]);
  }, 60_000);
});
