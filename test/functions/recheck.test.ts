import { HttpRequest, InvocationContext } from '@azure/functions';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { resetFunctionServices } from '../../src/app/function-services';
import { MAX_RECHECK_BODY_BYTES } from '../../src/app/recheck-response';
import { emulatorArmSettings } from '../helpers/emulator-settings';
import { loadFunctionModule } from '../helpers/function-handlers';
import { SUB, gateway } from '../helpers/scenario-builder';

/**
 * The recheck HTTP function called as the host calls it: the library's real HttpRequest and
 * InvocationContext, the app settings from the environment, the emulator as ARM. No receivers are
 * configured here (no notify state): closing an episode is tested through the CLI (test/cli/recheck.test.ts)
 * on the same pipeline.
 */
type Handler = (r: HttpRequest, c: InvocationContext) => Promise<{ status?: number; jsonBody?: unknown }>;

const loadHandler = (): Handler => loadFunctionModule('recheck-gateway').recheckGatewayHttp;

const context = () => new InvocationContext({ invocationId: 'inv-1', logHandler: () => {} });
const request = (body: string, name = 'gw-fixed', subscription = SUB) =>
  new HttpRequest({
    method: 'POST',
    url: `http://localhost/api/gateways/${subscription}/rg-test/${name}/recheck`,
    params: { subscription, resourceGroup: 'rg-test', name },
    headers: { 'content-type': 'application/json' },
    body: { string: body },
  });

describe('POST /api/gateways/{subscription}/{resourceGroup}/{name}/recheck', () => {
  let emulator: RunningEmulator;
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    emulator = await startEmulator({
      scenario: {
        gateways: [
          gateway(
            'gw-fixed',
            [{ address: '10.1.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' }],
            {
              onDemand: 'healthy',
            },
          ),
          gateway('gw-down', [
            { address: '10.2.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' },
          ]),
          gateway('gw-denied', [{ address: '10.3.0.4', health: 'Unhealthy' }], {
            faults: [{ on: 'onDemand', status: 403, times: 99 }],
          }),
        ],
      } as never,
    });
    Object.assign(process.env, {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      APPGW_TARGETS: `/subscriptions/${SUB}`,
      ...emulatorArmSettings(emulator),
    });
    resetFunctionServices();
  });
  afterAll(async () => {
    process.env = savedEnv;
    resetFunctionServices();
    await emulator?.close();
  });

  it('answers 200 with each server as the on-demand probe found it', async () => {
    const fixed = await loadHandler()(request('{"pool":"pool-a","settings":"settings-a"}'), context());
    expect(fixed).toMatchObject({
      status: 200,
      jsonBody: {
        backendPool: 'pool-a',
        backendSettings: 'settings-a',
        servers: [{ address: '10.1.0.4', health: 'Healthy', state: 'healthy', episodeClosed: false }],
      },
    });
    const down = await loadHandler()(
      request('{"pool":"pool-a","settings":"settings-a"}', 'gw-down'),
      context(),
    );
    expect(down).toMatchObject({
      status: 200,
      jsonBody: {
        servers: [{ state: 'unhealthy', probeLog: 'TCP connect error', cause: { id: 'tcp-connect' } }],
      },
    });
  });

  it.each([
    ['not JSON', 'pool=a'],
    ['an array', '[]'],
    ['no settings', '{"pool":"pool-a"}'],
    ['a number for pool', '{"pool":1,"settings":"settings-a"}'],
    ['a name that is not an ARM name', '{"pool":"a/b","settings":"settings-a"}'],
  ])('400 for a body that is %s, before any ARM call', async (_n, body) => {
    const before = emulator.requests.length;
    const answer = await loadHandler()(request(body), context());
    expect(answer).toMatchObject({ status: 400, jsonBody: { error: { code: 'BadRequest' } } });
    expect(emulator.requests.length).toBe(before);
  });

  it('413 for a body past MAX_RECHECK_BODY_BYTES, read no further, before any ARM call', async () => {
    const before = emulator.requests.length;
    const big = `{"pool":"${'a'.repeat(MAX_RECHECK_BODY_BYTES)}","settings":"settings-a"}`;
    const answer = await loadHandler()(request(big), context());
    expect(answer).toMatchObject({ status: 413, jsonBody: { error: { code: 'PayloadTooLarge' } } });
    expect(emulator.requests.length).toBe(before);
  });

  it('400 naming the pools the gateway has, for an unknown pool', async () => {
    const answer = await loadHandler()(request('{"pool":"nope","settings":"settings-a"}'), context());
    expect(answer).toMatchObject({
      status: 400,
      jsonBody: {
        error: { code: 'RecheckTargetInvalid', message: expect.stringContaining('(it has: "pool-a")') },
      },
    });
  });

  it('404 NotWatched for a gateway outside APPGW_TARGETS', async () => {
    const answer = await loadHandler()(
      request(
        '{"pool":"pool-a","settings":"settings-a"}',
        'gw-fixed',
        '99999999-9999-9999-9999-999999999999',
      ),
      context(),
    );
    expect(answer).toMatchObject({ status: 404, jsonBody: { error: { code: 'NotWatched' } } });
  });

  it('502 naming the action when ARM refuses it (403)', async () => {
    const answer = await loadHandler()(
      request('{"pool":"pool-a","settings":"settings-a"}', 'gw-denied'),
      context(),
    );
    expect(answer).toMatchObject({
      status: 502,
      jsonBody: {
        error: {
          code: 'AuthorizationFailed',
          message: expect.stringContaining(
            'Microsoft.Network/applicationGateways/getBackendHealthOnDemand/action',
          ),
        },
      },
    });
  });

  it('is registered as the README says: POST, function key, the route', () => {
    const options = loadFunctionModule('recheck-gateway').recheckGatewayOptions;
    expect(options).toMatchObject({
      methods: ['POST'],
      authLevel: 'function',
      route: 'gateways/{subscription}/{resourceGroup}/{name}/recheck',
    });
  });
});
