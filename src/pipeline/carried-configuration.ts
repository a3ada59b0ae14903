import { readGatewayConfig, type ConfigurationResource, type GatewayConfig } from '../core/gateway-config';
import type { GatewayMessage } from '../ports';

/**
 * The longest configuration a queue message carries, in characters of JSON: a message is at most
 * 64 KiB, Base64-encoded (Queue Storage's Put Message; the trigger's default encoding), so 48 KiB of
 * JSON; this leaves the rest room (an operation URL up to 2 048, an alert's trigger). A gateway whose
 * configuration is longer is read by the GET, as before.
 */
export const CARRIED_CONFIGURATION_MAX_CHARS = 24_000;

/** `{ configuration }` for a message when `resource` is given and short enough; else nothing. */
export function carried(resource: ConfigurationResource | undefined): {
  readonly configuration?: ConfigurationResource;
} {
  if (resource === undefined) return {};
  return JSON.stringify(resource).length <= CARRIED_CONFIGURATION_MAX_CHARS
    ? { configuration: resource }
    : {};
}

/**
 * A message's `configuration` as read back: a JSON object no longer than a message carries, else
 * undefined (the message stays good: its gateway's configuration is then read by the GET). Its
 * content is read strictly only when a finding needs it (configurationOf).
 */
export function readCarriedConfiguration(value: unknown): ConfigurationResource | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return JSON.stringify(value).length <= CARRIED_CONFIGURATION_MAX_CHARS
    ? (value as ConfigurationResource)
    : undefined;
}

/**
 * The configuration a message carried, read as the GET's answer is (readGatewayConfig); undefined when
 * it carried none or it does not read (a message changed on the way): the caller reads it by the GET.
 */
export async function configurationOf(message: GatewayMessage): Promise<GatewayConfig | undefined> {
  if (message.configuration === undefined) return undefined;
  const read = readGatewayConfig(message.configuration);
  return read.ok ? read.config : undefined;
}
