import { gatewayKey } from '../core/arm-id';
import { readGatewayConfig, type ConfigurationResource, type GatewayConfig } from '../core/gateway-config';
import type { GatewayRef } from '../core/model';
import { writeJsonText } from '../core/input/json-text';
import type { Spool, SpoolEntry } from './spool';

/**
 * The configurations a direct run's listings gave (TargetListing.configurations), until each gateway
 * is checked: in the run's scratch file (spool.ts), not in memory, since a listing of 20 000 gateways
 * comes before the first is checked (a few KB of JSON each; memory holds a place per gateway).
 * A gateway's configuration is taken once, when its findings need it, then forgotten.
 */
export interface ListedConfigurations {
  /** Keeps `configurations` (gatewayKey → resource); a gateway kept twice keeps the first. Never throws. */
  keep(configurations: ReadonlyMap<string, ConfigurationResource>): Promise<void>;
  /**
   * The gateway's configuration as listed, read strictly (readGatewayConfig), and forgets it; undefined
   * when none was kept, when it cannot be read back (a disk error), or when it is not a configuration
   * ARM could have sent: the caller then reads it by the GET, which says what is wrong. Never throws.
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
      for (const [key, resource] of configurations) {
        if (places.has(key)) continue;
        const text = writeJsonText(resource);
        // Nested too deep to be written (no answer of ARM's): this gateway's GET reads it.
        if (text === undefined) continue;
        places.set(key, PENDING);
        // Appended at once: the scratch file hands out each text's place as it is asked.
        added.push(
          spool.add(text).then(
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
        const read = readGatewayConfig(JSON.parse(await spool.text(place)));
        return read.ok ? read.config : undefined;
      } catch {
        return undefined;
      }
    },
    forget(gateway) {
      places.delete(gatewayKey(gateway.id));
    },
  };
}
