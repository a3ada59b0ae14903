import { targetCovers, type Target } from '../../../src/core/arm-id';
import type { ListScope } from '../../../src/core/gateway-list-page';
import type { GatewayRef } from '../../../src/core/model';
import type { CallOptions, GatewayDirectory, TargetListing } from '../../../src/ports';
import { play, type Answer } from './answer';

/** A GatewayDirectory over a list of gateways, with the listings it was asked for. */
export interface MemoryGatewayDirectory extends GatewayDirectory {
  /** The gateways that exist; a listing gives those its target covers. Change it between runs. */
  gateways: GatewayRef[];
  /**
   * Target id → how listing it answers instead (a failure, a hang, a partial list). A plain list is
   * answered as ARM's list call would: all present, the target's scope shown whole; a TargetListing
   * (a Resource Graph answer, a filtered one) as given.
   */
  readonly answers: Map<string, Answer<GatewayRef[] | TargetListing>>;
  /** Every listing asked for, in order, with its abort signal. */
  readonly calls: Array<{ readonly target: Target; readonly abortSignal?: AbortSignal }>;
}

/**
 * Lists the gateways a target covers (targetCovers); a gateway target is taken as is, without a look
 * at `gateways`, as the ARM directory does (src/adapters/arm/gateway-directory.ts). A management group
 * lists nothing unless `answers` says what.
 */
export function memoryGatewayDirectory(gateways: readonly GatewayRef[] = []): MemoryGatewayDirectory {
  const directory: MemoryGatewayDirectory = {
    gateways: [...gateways],
    answers: new Map(),
    calls: [],
    async listGateways(target: Target, options?: CallOptions): Promise<TargetListing> {
      directory.calls.push({
        target,
        ...(options?.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      const answer = directory.answers.get(target.id);
      const listed =
        answer !== undefined
          ? await play<GatewayRef[] | TargetListing>(answer, options)
          : target.kind === 'gateway'
            ? [target.gateway]
            : directory.gateways.filter((g) => targetCovers(target, g));
      return Array.isArray(listed) ? armListing(target, listed) : (listed as TargetListing);
    },
  };
  return directory;
}

/** What ARM's list call answers for `target` with these gateways (gateway-directory.ts). */
function armListing(target: Target, gateways: readonly GatewayRef[]): TargetListing {
  if (target.kind === 'gateway') return { gateways, present: gateways, shownScopes: [] };
  const scope: ListScope[] =
    target.kind === 'resourceGroup'
      ? [{ subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup }]
      : target.kind === 'subscription'
        ? [{ subscriptionId: target.subscriptionId }]
        : [];
  return { gateways, present: gateways, shownScopes: scope };
}

/**
 * Holds `target`'s listing until the returned `release` is called, then answers `gateways`: a listing
 * still running while the others have ended.
 */
export function holdListing(
  directory: MemoryGatewayDirectory,
  target: string,
  gateways: GatewayRef[],
): () => void {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  directory.answers.set(target, async () => {
    await held;
    return gateways;
  });
  return release;
}
