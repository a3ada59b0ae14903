import { gatewayKey } from '../core/arm-id';
import type { GatewayConfig } from '../core/gateway-config';
import type { GatewayRef } from '../core/model';
import type { Spool, SpoolEntry } from './spool';

/**
 * The configurations a direct run's listings gave (TargetListing.configurations), until each gateway
 * is checked: in the run's scratch file (spool.ts), not in memory, since a listing of 20 000 gateways
 * comes before the first is checked (about 1 KB of JSON each; memory holds a place per gateway).
 * A gateway's configuration is taken once, when its findings need it, then forgotten.
 */
export interface ListedConfigurations {
  /** Keeps `configurations` (gatewayKey → configuration); a gateway kept twice keeps the first. Never throws. */
  keep(configurations: ReadonlyMap<string, GatewayConfig>): Promise<void>;
  /**
   * The gateway's configuration as listed, and forgets it; undefined when none was kept, or when it
   * cannot be read back (a disk error): the caller then reads it by the GET. Never throws.
   */
  take(gateway: GatewayRef): Promise<GatewayConfig | undefined>;
  /** Forgets the gateway's configuration (it is done, with or without findings). */
  forget(gateway: GatewayRef): void;
}

/** A place being written (keep is awaited before any gateway is checked, so never taken as one). */
const PENDING = Symbol('pending');

export function listedConfigurations(spool: Spool): ListedConfigurations {
  const places = new Map<string, SpoolEntry | typeof PENDING>();
  return {
    async keep(configurations) {
      const added: Array<Promise<void>> = [];
      for (const [key, config] of configurations) {
        if (places.has(key)) continue;
        places.set(key, PENDING);
        // Appended at once: the scratch file hands out each text's place as it is asked.
        added.push(
          spool.add(JSON.stringify(config)).then(
            (place) => void places.set(key, place),
            // The spool keeps a text in memory when its file fails; anything else costs this gateway a GET.
            () => void places.delete(key),
          ),
        );
      }
      await Promise.all(added);
    },
    async take(gateway) {
      const key = gatewayKey(gateway.id);
      const place = places.get(key);
      if (place === undefined || place === PENDING) return undefined;
      places.delete(key);
      try {
        return JSON.parse(await spool.text(place)) as GatewayConfig;
      } catch {
        return undefined;
      }
    },
    forget(gateway) {
      places.delete(gatewayKey(gateway.id));
    },
  };
}
