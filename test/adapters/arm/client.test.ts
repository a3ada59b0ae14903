/**
 * The ARM client factory builds every client on the ARM endpoint, Resource Graph's too, with one CA
 * (read once for all, and again after a failed read) and the same policies.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createArmClientFactory } from '../../../src/adapters/arm/client';
import { SUBSCRIPTION_PACING_POLICY } from '../../../src/adapters/arm/pacing-policy';
import { createResourceGraphClient } from '../../../src/adapters/arm/resource-graph-client';
import { responseCapturePolicy } from '../../../src/adapters/arm/response-capture';
import { TOO_MANY_REQUESTS_RETRY_POLICY } from '../../../src/adapters/arm/retry';
import { createSubscriptionPacer } from '../../../src/adapters/arm/subscription-pacer';
import { ConfigError } from '../../../src/errors';
import { SUB } from '../../helpers/scenario-builder';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-arm-client-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const policyNames = (client: { pipeline: { getOrderedPolicies(): Array<{ name: string }> } }) =>
  client.pipeline.getOrderedPolicies().map((p) => p.name);

describe('the ARM client factory', () => {
  // A heap snapshot at 50 subscriptions: each subscription's NetworkManagementClient kept its ~170
  // operation groups, 129 KiB each (14 KiB for what the app calls); 500 subscriptions, 63 MiB.
  it("a subscription's client keeps only what the app calls: its pipeline and applicationGateways", async () => {
    const clientFor = createArmClientFactory({
      endpoint: 'https://127.0.0.1:1',
      credential: 'development',
      maxRetries: 0,
    });
    const client = await clientFor('00000000-0000-0000-0000-000000000001');
    expect(Object.keys(client).sort()).toEqual(['applicationGateways', 'pipeline']);
    expect(Object.keys(client.applicationGateways)).toEqual(
      expect.arrayContaining(['list', 'listAll', 'get']),
    );
    // The policies the factory adds are on the pipeline kept.
    expect(client.pipeline.getOrderedPolicies().map((p) => p.name)).toEqual(
      expect.arrayContaining([TOO_MANY_REQUESTS_RETRY_POLICY]),
    );
    // One per subscription, reused.
    await expect(clientFor('00000000-0000-0000-0000-000000000001')).resolves.toBe(client);
  });

  it('an unreadable CA file fails both clients with a ConfigError, and is read again once it is there', async () => {
    const ca = path.join(dir, 'ca.pem');
    const clientFor = createArmClientFactory({
      endpoint: 'https://127.0.0.1:9',
      caCertFile: ca,
      credential: 'development',
      maxRetries: 0,
    });
    const graph = createResourceGraphClient(clientFor);
    await expect(clientFor(SUB)).rejects.toBeInstanceOf(ConfigError);
    await expect(graph()).rejects.toThrow(/arm\.caCertFile: .*ca\.pem/);
    await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    await expect(clientFor(SUB)).resolves.toBeDefined();
    await expect(graph()).resolves.toBeDefined();
  });

  it('Resource Graph’s client has the ARM clients’ policies, and its own quota pacing', async () => {
    const clientFor = createArmClientFactory({
      endpoint: 'https://127.0.0.1:9',
      credential: 'development',
      maxRetries: 0,
      observer: createSubscriptionPacer(),
    });
    const arm = policyNames(await clientFor(SUB));
    const graph = policyNames(await createResourceGraphClient(clientFor)());
    const ours = [responseCapturePolicy.name, SUBSCRIPTION_PACING_POLICY, TOO_MANY_REQUESTS_RETRY_POLICY];
    expect(ours.filter((name) => arm.includes(name))).toEqual(ours);
    expect(ours.filter((name) => graph.includes(name))).toEqual(ours);
    expect(graph).toContain('appgwResourceGraphQuota');
    expect(arm).not.toContain('appgwResourceGraphQuota');
  });
});
