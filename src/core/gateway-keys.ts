import { gatewayKey } from './arm-id';
import type { GatewayRef } from './model';

/**
 * A run's one copy of each gateway's key (gatewayKey of its id, about 150 characters): the listings add
 * the keys of the gateways they give the run (src/pipeline/expand-targets.ts), and whatever the run
 * keys by gateway afterwards takes the key from here instead of writing another copy of the id. A
 * heap snapshot of a run of 20 000 gateways held two copies of every key, 3.4 MiB (issue 14).
 */
export interface GatewayKeys {
  /** Whether the gateway of `key` (a gatewayKey) was added. */
  has(key: string): boolean;
  /** Adds `key` (a gatewayKey); a key added before stays the one kept. */
  add(key: string): void;
  /** The gateway's key: the copy kept here when its key was added, a new one otherwise (not added). */
  keyOf(gateway: Pick<GatewayRef, 'id'>): string;
}

/** An empty GatewayKeys. */
export function gatewayKeys(): GatewayKeys {
  // A map of each key to itself: a Set cannot give back the copy it holds.
  const kept = new Map<string, string>();
  return {
    has: (key) => kept.has(key),
    add: (key) => {
      if (!kept.has(key)) kept.set(key, key);
    },
    keyOf: (gateway) => {
      const key = gatewayKey(gateway.id);
      return kept.get(key) ?? key;
    },
  };
}
