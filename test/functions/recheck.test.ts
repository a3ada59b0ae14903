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

/** The function's answer to a POST of `body` to gateway `name`'s recheck URL. */
const post = (body: string, name?: string, subscription?: string) =>
  loadHandler()(request(body, name, subscription), context());
/** A body naming the one pool and setting every test gateway routes. */
const PAIR = '{"pool":"pool-a","settings":"settings-a"}';
/** The error message of an error answer. */
const messageOf = (answer: { jsonBody?: unknown }) =>
  (answer.jsonBody as { error: { message: string } }).error.message;
/** A 400 RecheckTargetInvalid whose message contains `text`. */
const expectTargetInvalid = (answer: { jsonBody?: unknown }, text: string) =>
  expect(answer).toMatchObject({
    status: 400,
    jsonBody: { error: { code: 'RecheckTargetInvalid', message: expect.stringContaining(text) } },
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
          // A setting of its own no rule uses (ARM probes only routed pairs).
          gateway('gw-unused', [{ address: '10.4.0.4', health: 'Unhealthy' }], {
            configuration: { backendHttpSettings: [{ name: 'unused' }] },
          }),
          // ARM refuses the probe's reference itself (as it does for a pair we cannot see).
          gateway('gw-refused', [{ address: '10.5.0.4', health: 'Unhealthy' }], {
            faults: [
              {
                on: 'onDemand',
                status: 400,
                times: 99,
                code: 'InvalidResourceReference',
                message: `Resource /subscriptions/${SUB}/resourceGroups/rg-test/providers/Microsoft.Network/applicationGateways/gw-refused/backendHttpSettingsCollection/settings-a referenced by the on-demand probe was not found on the application gateway.`,
              },
            ],
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
    const fixed = await post(PAIR);
    expect(fixed).toMatchObject({
      status: 200,
      jsonBody: {
        backendPool: 'pool-a',
        backendSettings: 'settings-a',
        servers: [{ address: '10.1.0.4', health: 'Healthy', state: 'healthy', episodeClosed: false }],
      },
    });
    const down = await post(PAIR, 'gw-down');
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
    ['no pool', '{"settings":"settings-a"}'],
    ['a number for pool', '{"pool":1,"settings":"settings-a"}'],
    ['a number for settings', '{"pool":"pool-a","settings":2}'],
    ['a name that is not an ARM name', '{"pool":"a/b","settings":"settings-a"}'],
    ['a settings name with a tab', '{"pool":"pool-a","settings":"set\\ttab"}'],
    ['a settings name with a shell substitution', '{"pool":"pool-a","settings":"set $(touch pwned1)"}'],
  ])('400 for a body that is %s, before any ARM call', async (_n, body) => {
    const before = emulator.requests.length;
    const answer = await post(body);
    expect(answer).toMatchObject({ status: 400, jsonBody: { error: { code: 'BadRequest' } } });
    expect(emulator.requests.length).toBe(before);
  });

  it('a name refused says what a name may be, in the words the CLI uses (one check)', async () => {
    const answer = await post('{"pool":"pool-a","settings":"set $(x)"}');
    expect(answer).toMatchObject({
      status: 400,
      jsonBody: {
        error: {
          message: expect.stringContaining(
            '"settings" "set $(x)" is not a name a gateway can have: 1 to 80 characters',
          ),
        },
      },
    });
  });

  // A new-user trial: the one setting to choose had to be given all the same.
  it('a body without settings: the one setting the pool is paired with is probed', async () => {
    const answer = await post('{"pool":"pool-a"}');
    expect(answer).toMatchObject({
      status: 200,
      jsonBody: { backendPool: 'pool-a', backendSettings: 'settings-a' },
    });
  });

  it('404 "No such gateway" naming the URL, for a gateway ARM does not have', async () => {
    const answer = await post(PAIR, 'gw-nope');
    expect(answer).toMatchObject({ status: 404, jsonBody: { error: { code: 'ResourceNotFound' } } });
    const message = messageOf(answer);
    expect(message).toContain('No such gateway:');
    expect(message).toContain("the URL's {subscription}/{resourceGroup}/{name}");
    expect(message).not.toContain('targets');
  });

  it('400 for a setting no rule pairs with the pool, naming it and the routed ones; nothing probed', async () => {
    const posts = () => emulator.requests.filter((r) => /getBackendHealthOnDemand/i.test(r.path)).length;
    const before = posts();
    const answer = await post('{"pool":"pool-a","settings":"unused"}', 'gw-unused');
    expectTargetInvalid(
      answer,
      `no routing rule sends pool "pool-a" to backend setting "unused", and the gateway probes only the pairs its rules use (the settings its rules pair with pool "pool-a": "settings-a"; every setting: "settings-a", "unused")`,
    );
    expect(posts()).toBe(before);
  });

  it("ARM's 400 InvalidResourceReference: names the wrong setting and lists the gateway's; not the scheduled run's text", async () => {
    const answer = await post(PAIR, 'gw-refused');
    expect(answer).toMatchObject({ status: 400, jsonBody: { error: { code: 'RecheckTargetInvalid' } } });
    const message = messageOf(answer);
    expect(message).toContain('ARM refused the on-demand probe (400 InvalidResourceReference');
    expect(message).toContain(`the wrong name is the body's "settings" "settings-a"`);
    expect(message).toContain(`The gateway's pools: "pool-a"; its settings: "settings-a"`);
    expect(message).not.toMatch(/next run|\.\./);
  });

  it('413 for a body past MAX_RECHECK_BODY_BYTES, read no further, before any ARM call', async () => {
    const before = emulator.requests.length;
    const big = `{"pool":"${'a'.repeat(MAX_RECHECK_BODY_BYTES)}","settings":"settings-a"}`;
    const answer = await post(big);
    expect(answer).toMatchObject({ status: 413, jsonBody: { error: { code: 'PayloadTooLarge' } } });
    expect(emulator.requests.length).toBe(before);
  });

  it('400 naming the pools the gateway has, for an unknown pool', async () => {
    const answer = await post('{"pool":"nope","settings":"settings-a"}');
    expectTargetInvalid(
      answer,
      `the body's "pool": the gateway has no backend pool "nope" (its pools: "pool-a")`,
    );
  });

  it('404 NotWatched for a gateway outside APPGW_TARGETS', async () => {
    const answer = await post(PAIR, 'gw-fixed', '99999999-9999-9999-9999-999999999999');
    expect(answer).toMatchObject({ status: 404, jsonBody: { error: { code: 'NotWatched' } } });
  });

  it('502 naming the action when ARM refuses it (403)', async () => {
    const answer = await post(PAIR, 'gw-denied');
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
