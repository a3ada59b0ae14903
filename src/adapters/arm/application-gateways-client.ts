/**
 * A subscription's client for what the app calls of `@azure/arm-network` (ArmNetworkClient: its pipeline
 * and its applicationGateways operations), made of the package's own modular parts instead of its
 * classic NetworkManagementClient.
 *
 * Why: requiring the package's root loads all of its ~170 operation groups and the classic client that
 * builds each of them: 13.6 MiB of V8 heap and 42 MiB of RSS in a process that calls three operations
 * of one group. The modular parts it is made of take 6.5 MiB and 28 MiB (measured 2026-12-05, Node 22,
 * @azure/arm-network 39.0.0, a forced GC before and after each `require`). A direct run of 20 000
 * gateways peaked about 250 MiB, where the target is 250 MB (238 MiB).
 *
 * The parts, as the package's classic client assembles them (dist/commonjs/networkManagementClient.js,
 * its constructor): `createNetworkManagement` (the public `@azure/arm-network/api` export) makes the
 * context, whose `pipeline` is the client's; `_getApplicationGatewaysOperations(context)`
 * (dist/commonjs/classic/applicationGateways/index.js, not in the package's exports map, so required by
 * its path) makes `applicationGateways`. The object is the one the classic client holds, method for
 * method. Where those files are not found (another layout of the package), the classic client is made
 * as before: more memory, the same calls. The Functions bundle has its own lean client
 * (scripts/bundle.js), and there this module's loader is replaced by one that finds nothing.
 */
import type { NetworkManagementClient, NetworkManagementClientOptionalParams } from '@azure/arm-network';
import { loadArmNetworkParts } from './arm-network-parts';

/** The pipeline and the applicationGateways operations of a NetworkManagementClient. */
export type ApplicationGatewaysClient = Pick<NetworkManagementClient, 'pipeline' | 'applicationGateways'>;

/**
 * The client of `subscriptionId`, made with `options` as `new NetworkManagementClient(credential,
 * subscriptionId, options)` would be; only its pipeline and applicationGateways are there.
 */
export function createApplicationGatewaysClient(
  credential: ConstructorParameters<typeof NetworkManagementClient>[0],
  subscriptionId: string,
  options: NetworkManagementClientOptionalParams,
): ApplicationGatewaysClient {
  const parts = loadArmNetworkParts();
  if (parts) {
    const context = parts.createNetworkManagement(credential, subscriptionId, options);
    return { pipeline: context.pipeline, applicationGateways: parts.applicationGatewaysOf(context) };
  }
  const { NetworkManagementClient: Classic } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@azure/arm-network') as typeof import('@azure/arm-network');
  const client = new Classic(credential, subscriptionId, options);
  return { pipeline: client.pipeline, applicationGateways: client.applicationGateways };
}
