import type { NetworkManagementClient } from '@azure/arm-network';
import type { TokenCredential } from '@azure/identity';
import { readTextFile } from '../../config/json-file';
import { ConfigError } from '../../errors';
import { createEntraCredential } from '../identity/entra-credential';
import { createDevelopmentCredential } from './credential';
import { responseCapturePolicy } from './response-capture';

export interface ArmClientOptions {
  /** https://management.azure.com in Azure; the emulator's URL locally. */
  readonly endpoint: string;
  /** PEM file of a CA to trust besides the system's (the emulator's self-signed certificate). */
  readonly caCertFile?: string;
  readonly credential: 'default' | 'development';
  readonly maxRetries: number;
}

export type ArmClientFactory = (subscriptionId: string) => Promise<NetworkManagementClient>;

/**
 * One NetworkManagementClient per subscription, created on first use and reused (one SDK client per
 * app, as the Functions guidance says). The SDK is required lazily: it is large, and a cold start that
 * never calls ARM should not pay for it.
 */
export function createArmClientFactory(options: ArmClientOptions): ArmClientFactory {
  let shared: Promise<{ credential: TokenCredential; ca?: string }> | undefined;
  const clients = new Map<string, Promise<NetworkManagementClient>>();

  const sharedParts = () =>
    (shared ??= (async () => ({
      credential:
        options.credential === 'development' ? createDevelopmentCredential() : createEntraCredential(),
      ...(options.caCertFile ? { ca: await readCaCertFile(options.caCertFile) } : {}),
    }))());

  const create = async (subscriptionId: string): Promise<NetworkManagementClient> => {
    const parts = await sharedParts();
    const { NetworkManagementClient } = loadArmNetwork();
    return new NetworkManagementClient(parts.credential, subscriptionId, {
      endpoint: options.endpoint,
      retryOptions: { maxRetries: options.maxRetries },
      // Lets the backend-health reader read ARM's own final body (see response-capture.ts).
      additionalPolicies: [{ policy: responseCapturePolicy, position: 'perRetry' }],
      ...(parts.ca ? { tlsOptions: { ca: parts.ca } } : {}),
    });
  };

  return (subscriptionId) => {
    const key = subscriptionId.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = create(subscriptionId);
      client.catch(() => clients.delete(key)); // a failed creation (unreadable CA file) is retried next time
      clients.set(key, client);
    }
    return client;
  };
}

/** The PEM file as Windows or Linux saved it (a BOM or UTF-16 from PowerShell would break TLS). */
async function readCaCertFile(file: string): Promise<string> {
  const read = await readTextFile(file);
  if (!read.ok) throw new ConfigError([`arm.caCertFile: ${file}: ${read.problem}`]);
  return read.value;
}

/** Lazy CommonJS require: one module graph with @azure/identity, and no cost until first use. */
function loadArmNetwork(): typeof import('@azure/arm-network') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@azure/arm-network');
}
