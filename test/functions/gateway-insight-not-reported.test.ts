/**
 * The on-demand HTTP insight (`gatewayInsight`) of a gateway with servers in a state not reported
 * (left out of APPGW_UNHEALTHY_STATES: Draining by default): never "All … healthy" (a break trial: a
 * gateway with a server draining was "All 5 backend server(s) healthy"). Real emulator, real handler.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadFunctionHandlers } from '../helpers/function-handlers';
import { startFunctionsApp, type FunctionsAppWorld } from '../helpers/functions-app';
import { SUB, gateway } from '../helpers/scenario-builder';

const SCENARIO = {
  limits: false,
  gateways: [
    gateway('gw-drain', [
      { address: '10.0.0.4', health: 'Healthy' },
      { address: '10.0.0.5', health: 'Draining' },
      { address: '10.0.0.6', health: 'Healthy' },
    ]),
    gateway('gw-mixed', [
      { address: '10.0.1.4', health: 'Unhealthy', healthProbeLog: 'Cannot connect to backend server.' },
      { address: '10.0.1.5', health: 'Draining' },
      { address: '10.0.1.6', health: 'Unknown' },
      { address: '10.0.1.7', health: 'Healthy' },
    ]),
  ],
};

describe('Functions app: the HTTP insight of a gateway with servers in a state not reported', () => {
  let app: FunctionsAppWorld | undefined;
  beforeAll(async () => {
    // Unknown left out too: both a default and a chosen state not reported.
    app = await startFunctionsApp({
      scenario: SCENARIO,
      settings: { APPGW_UNHEALTHY_STATES: 'Down,Partial' },
    });
  }, 60_000);
  afterAll(() => app?.close());

  const ask = async (name: string, accept: string) => {
    const { gatewayInsight } = loadFunctionHandlers();
    const request = new HttpRequest({
      method: 'GET',
      url: `http://localhost/api/gateways/${SUB}/rg-test/${name}/insight`,
      params: { subscription: SUB, resourceGroup: 'rg-test', name },
      headers: { accept },
    });
    return gatewayInsight(request, new InvocationContext());
  };

  it.each([
    ['gw-drain', '2 of 3 backend server(s) healthy, 1 draining', { draining: 1 }],
    [
      'gw-mixed',
      '1 of 4 backend server(s) not healthy, 1 draining, 1 unknown (not counted: unhealthyStates leaves Unknown out)',
      { draining: 1, unknown: 1 },
    ],
  ])(
    '%s: "%s", never "All … healthy"',
    async (name, headline, notReported) => {
      const html = String((await ask(name, 'text/html')).body);
      expect(html).toContain(`<title>${name}: ${headline}</title>`);
      expect(html).not.toMatch(/All \d+ backend server\(s\) healthy/);
      const json = await ask(name, 'application/json');
      expect((json.jsonBody as { gateway: { notReported?: unknown } }).gateway.notReported).toEqual(
        notReported,
      );
    },
    60_000,
  );
});
