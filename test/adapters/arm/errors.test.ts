import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createArmBackendHealthReader } from '../../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory, type ArmClientOptions } from '../../../src/adapters/arm/client';
import { createArmGatewayDirectory } from '../../../src/adapters/arm/gateway-directory';
import { parseGatewayId, parseTarget, type Target } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';
import {
  createCertificate,
  startEmulator,
  type RunningEmulator,
  type ScenarioInput,
} from '../../../src/emulator';
import {
  ArmUnreachableError,
  AuthenticationError,
  MissingPermissionError,
  TargetListUnavailableError,
  TargetNotFoundError,
  ThrottledError,
} from '../../../src/errors';
import { closedPort } from '../../helpers/closed-port';
import { rejection } from '../../helpers/failures';
import { SUB, OTHER_SUB, gateway, gatewayId } from '../../helpers/scenario-builder';

/**
 * How every kind of ARM failure reaches the user, through the real @azure/arm-network client against
 * the emulator (or against endpoints that fail below HTTP): each becomes the error that says what to do.
 */
const down = { address: '10.0.0.5', health: 'Down', healthProbeLog: 'TCP connect error' };
const ref = (name: string, rg = 'rg-test'): GatewayRef => parseGatewayId(gatewayId(name, rg)) as GatewayRef;
const target = (id: string) => parseTarget(id) as Target;
const SUBSCRIPTION = `/subscriptions/${SUB}`;
const RESOURCE_GROUP = `${SUBSCRIPTION}/resourceGroups/rg-test`;

const READ = 'Microsoft.Network/applicationGateways/read';
const BACKEND_HEALTH = 'Microsoft.Network/applicationGateways/backendhealth/action';
const OPERATION_RESULTS = 'Microsoft.Network/locations/operationResults/read';

function armFor(options: Partial<ArmClientOptions> & Pick<ArmClientOptions, 'endpoint'>) {
  const clientFor = createArmClientFactory({
    credential: 'development',
    maxRetries: 0,
    retryDelayInMs: 5,
    ...options,
  });
  return {
    reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: 10 }),
    directory: createArmGatewayDirectory(clientFor),
  };
}

describe('ARM errors, each mapped to what the user must do', () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  async function against(scenario: ScenarioInput, options: Partial<ArmClientOptions> = {}) {
    emulator = await startEmulator({ scenario: scenario as never });
    return armFor({ endpoint: emulator.url, caCertFile: emulator.caCertFile, ...options });
  }

  describe('403 names the action ARM names, wherever it happens', () => {
    it.each([
      ['the Location poll', 'location', OPERATION_RESULTS, /\/locations\/westeurope\/operationResults\//],
      // The reader polls Location in both styles (backend-health-reader.ts): its read is the one refused.
      [
        'the Location poll of an Azure-AsyncOperation',
        'azure-async-operation',
        OPERATION_RESULTS,
        /\/locations\/westeurope\/operationResults\//,
      ],
    ] as const)('%s: its own read action, not backendhealth/action', async (_, style, action, scope) => {
      const { reader } = await against({
        gateways: [
          gateway('gw', [down], {
            lro: { polls: 1, retryAfterSeconds: 0, style },
            faults: [{ on: 'poll', status: 403 }],
          }),
        ],
      });
      const error = await rejection(reader.getBackendHealth(ref('gw')));
      expect(error).toBeInstanceOf(MissingPermissionError);
      expect(error).toMatchObject({ action, code: 'AuthorizationFailed' });
      expect((error as MissingPermissionError).scope).toMatch(scope);
      expect((error as Error).message).toContain(`"${action}"`);
      expect((error as Error).message).not.toContain(BACKEND_HEALTH);
      expect((error as Error).message).toContain('for client dev@emulator.local with object id');
    });

    it('the backendhealth POST: backendhealth/action on the gateway, and why Reader is not enough', async () => {
      const { reader } = await against({
        gateways: [gateway('gw', [down], { faults: [{ on: 'backendHealth', status: 403 }] })],
      });
      const error = await rejection(reader.getBackendHealth(ref('gw')));
      expect(error).toMatchObject({ action: BACKEND_HEALTH, scope: gatewayId('gw') });
      expect((error as Error).message).toContain('Reader alone is not enough');
    });

    it.each([
      ['a subscription', SUBSCRIPTION],
      ['a resource group', RESOURCE_GROUP],
    ])('listing %s: read on that scope', async (_, id) => {
      const { directory } = await against({
        gateways: [gateway('gw', [down], { faults: [{ on: 'list', status: 403 }] })],
      });
      const error = await rejection(directory.listGateways(target(id)));
      expect(error).toBeInstanceOf(MissingPermissionError);
      expect(error).toMatchObject({ action: READ, scope: id });
    });

    it("names the linked action of ARM's LinkedAuthorizationFailed", async () => {
      const linked = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw`;
      const message =
        `The client 'c' with object id 'o' has permission to perform action '${BACKEND_HEALTH}' on scope ` +
        `'${gatewayId('gw')}'; however, it does not have permission to perform action ` +
        `'Microsoft.Network/virtualNetworks/subnets/read' on the linked scope(s) '${linked}' or the linked scope(s) are invalid.`;
      const { reader } = await against({
        gateways: [
          gateway('gw', [down], {
            faults: [{ on: 'backendHealth', status: 403, code: 'LinkedAuthorizationFailed', message }],
          }),
        ],
      });
      expect(await rejection(reader.getBackendHealth(ref('gw')))).toMatchObject({
        action: 'Microsoft.Network/virtualNetworks/subnets/read',
        scope: linked,
      });
    });

    it.each([
      ['a poll', 'poll', OPERATION_RESULTS],
      ['the POST', 'backendHealth', BACKEND_HEALTH],
    ] as const)('a 403 that names no action (%s): the action of the URL called', async (_, on, action) => {
      const { reader } = await against({
        gateways: [
          gateway('gw', [down], {
            faults: [{ on, status: 403, code: 'RequestDisallowedByPolicy', message: 'Denied by a policy.' }],
          }),
        ],
      });
      expect(await rejection(reader.getBackendHealth(ref('gw')))).toMatchObject({ action });
    });
  });

  describe('429 without Retry-After is retried with back-off, bounded by arm.maxRetries', () => {
    it.each(['backendHealth', 'poll'] as const)('%s: twice throttled, then answered', async (on) => {
      const { reader } = await against(
        { gateways: [gateway('gw', [down], { faults: [{ on, status: 429, times: 2 }] })] },
        { maxRetries: 2 },
      );
      await expect(reader.getBackendHealth(ref('gw'))).resolves.toBeDefined();
      const statuses = emulator?.requests.map((r) => r.status) ?? [];
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    });

    it('a list call: throttled once, then answered', async () => {
      const { directory } = await against(
        { gateways: [gateway('gw', [down], { faults: [{ on: 'list', status: 429 }] })] },
        { maxRetries: 1 },
      );
      expect((await directory.listGateways(target(SUBSCRIPTION))).gateways).toHaveLength(1);
      expect(emulator?.requests.map((r) => r.status)).toEqual([429, 200]);
    });

    it('throttling that outlasts the retries: ThrottledError after maxRetries + 1 tries', async () => {
      const { reader } = await against(
        { gateways: [gateway('gw', [down], { faults: [{ on: 'backendHealth', status: 429, times: 9 }] })] },
        { maxRetries: 2 },
      );
      expect(await rejection(reader.getBackendHealth(ref('gw')))).toBeInstanceOf(ThrottledError);
      expect(emulator?.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
    });

    it('maxRetries 0: no retry', async () => {
      const { reader } = await against({
        gateways: [gateway('gw', [down], { faults: [{ on: 'backendHealth', status: 429, times: 1 }] })],
      });
      expect(await rejection(reader.getBackendHealth(ref('gw')))).toBeInstanceOf(ThrottledError);
      expect(emulator?.requests).toHaveLength(1);
    });
  });

  describe('listing a target', () => {
    it.each([
      ['subscription', `/subscriptions/${OTHER_SUB}`, `Subscription ${OTHER_SUB}`, 'SubscriptionNotFound'],
      [
        'resource group',
        `${SUBSCRIPTION}/resourceGroups/rg-none`,
        `Resource group rg-none in subscription ${SUB}`,
        'ResourceGroupNotFound',
      ],
    ])('a %s that does not exist: named, in our words', async (_, id, what, code) => {
      const { directory } = await against({ gateways: [gateway('gw', [down])] });
      const error = await rejection(directory.listGateways(target(id)));
      expect(error).toBeInstanceOf(TargetNotFoundError);
      expect(error).toMatchObject({ code: 'TargetNotFound', target: id });
      expect((error as Error).message).toContain(`${what} does not exist`);
      expect((error as Error).message).toContain(code);
      expect((error as Error).message).not.toMatch(/pagination|statusCode|unexpected/i);
    });

    it('a 5xx: the listing is unavailable (retryable), not a backend-health error', async () => {
      const { directory } = await against({
        gateways: [gateway('gw', [down], { faults: [{ on: 'list', status: 503 }] })],
      });
      const error = await rejection(directory.listGateways(target(RESOURCE_GROUP)));
      expect(error).toBeInstanceOf(TargetListUnavailableError);
      expect(error).toMatchObject({ code: 'TargetListUnavailable', retryable: true });
      expect((error as Error).message).toContain(RESOURCE_GROUP);
      expect((error as Error).message).toContain('ServiceUnavailable');
      expect((error as Error).message).not.toMatch(/backend health|pagination/i);
    });

    it('cancelled (the run’s time-out): the listing is unavailable', async () => {
      const { directory } = await against({ gateways: [gateway('gw', [down], { delayMs: 5000 })] });
      const error = await rejection(
        directory.listGateways(target(SUBSCRIPTION), { abortSignal: AbortSignal.timeout(100) }),
      );
      expect(error).toBeInstanceOf(TargetListUnavailableError);
    });
  });

  // A break trial: a 400 was retryable, so the queue's host sent the same refused request 5 times.
  it.each([
    [400, 'InvalidRequestFormat', false],
    [422, 'UnprocessableEntity', false],
    [409, 'AnotherOperationInProgress', true],
    [500, 'InternalServerError', true],
  ])('the backendhealth POST answered %i %s: retryable %s', async (status, code, retryable) => {
    const { reader } = await against({
      gateways: [gateway('gw', [down], { faults: [{ on: 'backendHealth', status, code, times: 99 }] })],
    });
    const error = await rejection(reader.getBackendHealth(ref('gw')));
    expect(error).toMatchObject({ code: 'BackendHealthUnavailable', retryable });
    expect((error as Error).message).toContain(`${status} ${code}`);
    // A new-user trial: a 400 said nothing of what to check.
    if (retryable) expect((error as Error).message).not.toContain('refused the request as it was sent');
    else
      expect((error as Error).message).toMatch(
        /ARM refused the request as it was sent, so it is not sent again this run; the next run sends it again\. If it persists, check that arm\.endpoint \(APPGW_ARM_ENDPOINT\) is Azure Resource Manager/,
      );
  });

  it.each([
    [400, 'BadRequest'],
    [413, 'RequestEntityTooLarge'],
  ])('the listing answered %i %s: what to check, and no gateway taken as deleted', async (status, code) => {
    const { directory } = await against({
      gateways: [gateway('gw', [down], { faults: [{ on: 'list', status, code, times: 99 }] })],
    });
    const error = await rejection(directory.listGateways(target(SUBSCRIPTION)));
    expect(error).toMatchObject({ code: 'TargetListUnavailable' });
    expect((error as Error).message).toContain(`${status} ${code}`);
    expect((error as Error).message).toContain('No gateway is taken as deleted for missing from it.');
    expect((error as Error).message).toContain('ARM refused the request as it was sent');
  });

  it('a refused token (401) says whose token and what to do', async () => {
    const { reader } = await against({
      gateways: [gateway('gw', [down])],
      auth: { acceptTokens: ['other'] },
    });
    const error = await rejection(reader.getBackendHealth(ref('gw')));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toContain('refused the token of the development credential');
    expect((error as Error).message).toContain('InvalidAuthenticationToken');
    expect((error as Error).message).toContain('auth.acceptTokens');
  });
});

describe('ARM unreachable: its own error naming the endpoint and the setting, not a gateway problem', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  /** Both calls the app makes fail the same way: the listing and the backend-health call. */
  async function expectUnreachable(
    options: Partial<ArmClientOptions> & Pick<ArmClientOptions, 'endpoint'>,
    detail: RegExp,
    setting: string,
    /** Whether it may pass by itself; a function of the message when the system decides (DNS). */
    retryable: boolean | ((message: string) => boolean),
  ) {
    const { reader, directory } = armFor(options);
    // One after the other: a call started early could reject before anything awaits it.
    for (const call of [
      () => reader.getBackendHealth(ref('gw')),
      () => directory.listGateways(target(SUBSCRIPTION)),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(ArmUnreachableError);
      const { message } = error as Error;
      expect(error).toMatchObject({
        code: 'ArmUnreachable',
        endpoint: options.endpoint,
        retryable: typeof retryable === 'function' ? retryable(message) : retryable,
      });
      expect(message).toContain(`Azure Resource Manager at ${options.endpoint} cannot be reached`);
      expect(message).toMatch(detail);
      expect(message).toContain(setting);
      expect(message).not.toMatch(/backend health|gatewayTimeoutInMs/i);
    }
  }

  it('nothing listens there (connection refused)', async () => {
    const port = await closedPort();
    await expectUnreachable(
      { endpoint: `https://127.0.0.1:${port}` },
      /nothing accepts connections at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      'arm.endpoint (APPGW_ARM_ENDPOINT)',
      false,
    );
  });

  it('the host name does not resolve', async () => {
    await expectUnreachable(
      { endpoint: 'https://arm.appgw-insights.invalid' },
      /the host name arm\.appgw-insights\.invalid (does not resolve \(ENOTFOUND\)|could not be resolved \(DNS failed\) \(EAI_AGAIN\))/,
      'arm.endpoint (APPGW_ARM_ENDPOINT)',
      // No such name (ENOTFOUND) is a setting to fix; a resolver that failed (EAI_AGAIN, e.g. no DNS
      // server on a sealed machine) may pass by itself.
      (message) => message.includes('EAI_AGAIN'),
    );
  });

  it('the connection is reset (retryable: it may pass)', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    await expectUnreachable(
      { endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}` },
      /the connection to 127\.0\.0\.1:\d+ was reset \(ECONNRESET\)/,
      'arm.endpoint (APPGW_ARM_ENDPOINT)',
      true,
    );
  });

  it('TLS: the certificate is not trusted and no CA file is set', async () => {
    const emulator = await startEmulator({ scenario: { gateways: [gateway('gw', [down])] } as never });
    cleanups.push(() => emulator.close());
    await expectUnreachable(
      { endpoint: emulator.url },
      /TLS failed: .*\(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
      'arm.caCertFile (APPGW_ARM_CA_CERT_FILE)',
      false,
    );
  });

  it('TLS: the CA file given does not vouch for the endpoint', async () => {
    const emulator = await startEmulator({ scenario: { gateways: [gateway('gw', [down])] } as never });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-ca-'));
    cleanups.push(
      () => emulator.close(),
      () => rm(dir, { recursive: true, force: true }),
    );
    const otherCa = path.join(dir, 'other-ca.pem');
    await writeFile(otherCa, (await createCertificate()).certPem);
    await expectUnreachable(
      { endpoint: emulator.url, caCertFile: otherCa },
      /TLS failed: /,
      `The CA in arm.caCertFile (APPGW_ARM_CA_CERT_FILE, ${otherCa}) does not vouch for it`,
      false,
    );
  });

  it('TLS: the certificate is for another host name', async () => {
    // The emulator's certificate names 127.0.0.1, ::1 and localhost; 127.0.0.2 is loopback too (Linux).
    const emulator = await startEmulator({
      scenario: { gateways: [gateway('gw', [down])] } as never,
      host: '127.0.0.2',
    });
    cleanups.push(() => emulator.close());
    await expectUnreachable(
      { endpoint: emulator.url, caCertFile: emulator.caCertFile },
      /TLS failed: .*\(ERR_TLS_CERT_ALTNAME_INVALID\)/,
      'for another host name: check arm.endpoint (APPGW_ARM_ENDPOINT)',
      false,
    );
  });

  it('TLS: the endpoint speaks plain HTTP', async () => {
    const server = http.createServer((_, res) => res.end('plain'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    await expectUnreachable(
      { endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}` },
      /TLS failed: .*\((EPROTO|ERR_SSL_WRONG_VERSION_NUMBER)\)/,
      'does not speak TLS there: check that arm.endpoint (APPGW_ARM_ENDPOINT) is its https:// URL',
      false,
    );
  });
});
