import { targetCovers, type Target } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';
import type { CallOptions, GatewayDirectory } from '../../../src/ports';
import { play, type Answer } from './answer';

/** A GatewayDirectory over a list of gateways, with the listings it was asked for. */
export interface MemoryGatewayDirectory extends GatewayDirectory {
  /** The gateways that exist; a listing gives those its target covers. Change it between runs. */
  gateways: GatewayRef[];
  /** Target id → how listing it answers instead (a failure, a hang, a partial list). */
  readonly answers: Map<string, Answer<GatewayRef[]>>;
  /** Every listing asked for, in order, with its abort signal. */
  readonly calls: Array<{ readonly target: Target; readonly abortSignal?: AbortSignal }>;
}

/**
 * Lists the gateways a target covers (targetCovers); a gateway target is taken as is, without a look
 * at `gateways`, as the ARM directory does (src/adapters/arm/gateway-directory.ts).
 */
export function memoryGatewayDirectory(gateways: readonly GatewayRef[] = []): MemoryGatewayDirectory {
  const directory: MemoryGatewayDirectory = {
    gateways: [...gateways],
    answers: new Map(),
    calls: [],
    listGateways(target: Target, options?: CallOptions) {
      directory.calls.push({
        target,
        ...(options?.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      const answer = directory.answers.get(target.id);
      if (answer !== undefined) return play<GatewayRef[]>(answer, options);
      if (target.kind === 'gateway') return Promise.resolve([target.gateway]);
      return Promise.resolve(directory.gateways.filter((g) => targetCovers(target, g)));
    },
  };
  return directory;
}
