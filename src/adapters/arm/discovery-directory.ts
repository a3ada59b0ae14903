import type { Target } from '../../core/arm-id';
import { hasFilter, type DiscoveryFilter } from '../../core/discovery/filter';
import type { GatewayDirectory, ListOptions, TargetListing } from '../../ports';

/**
 * Which listing each target gets: a gateway named by its id is taken as is (the filter chooses among
 * what a scope holds, not among what is named); a management group, and any scope when a discovery
 * filter is set, goes to Azure Resource Graph (one paged query across its subscriptions, filtered
 * there: resource-graph-directory.ts); a subscription or resource group without a filter to ARM's
 * paged list call (gateway-directory.ts), which needs no more than the gateways' read permission.
 */
export function createDiscoveryDirectory(directories: {
  readonly arm: GatewayDirectory;
  readonly graph: GatewayDirectory;
  readonly filter: DiscoveryFilter;
}): GatewayDirectory {
  const filtered = hasFilter(directories.filter);
  return {
    listGateways(target: Target, options?: ListOptions): Promise<TargetListing> {
      // A gateway target goes to ARM's directory, which takes it as is without a call.
      const viaGraph = target.kind === 'managementGroup' || (filtered && target.kind !== 'gateway');
      return (viaGraph ? directories.graph : directories.arm).listGateways(target, options);
    },
  };
}
