import { readGatewayConfig, type ConfigurationResource, type GatewayConfig } from '../core/gateway-config';
import type { GatewayMessage } from '../ports';
import { writeJsonText } from '../core/input/json-text';

/**
 * The longest configuration a queue message carries, in bytes of UTF-8 JSON (a tag or a probe's body
 * match of CJK characters is 3 bytes a character): a message is at most 64 KiB once Base64-encoded
 * (Queue Storage's Put Message; the trigger's default encoding), 48 KiB of JSON; this leaves the rest
 * room. A gateway whose configuration is longer is read by the GET, as before; and a message that
 * would still be too long drops its configuration (withinQueueMessage).
 */
export const CARRIED_CONFIGURATION_MAX_BYTES = 24_000;

/** Put Message's limit on a message's text (Base64 here), in characters: 64 KiB. */
export const QUEUE_MESSAGE_MAX_CHARS = 64 * 1024;

/** Bytes of `value` as UTF-8 JSON; undefined when it cannot be written (writeJsonText). */
function jsonBytes(value: unknown): number | undefined {
  const text = writeJsonText(value);
  return text === undefined ? undefined : Buffer.byteLength(text, 'utf8');
}

const isCarriable = (value: unknown): boolean =>
  (jsonBytes(value) ?? Number.POSITIVE_INFINITY) <= CARRIED_CONFIGURATION_MAX_BYTES;

/** `{ configuration }` for a message when `resource` is given and short enough; else nothing. Never throws. */
export function carried(resource: ConfigurationResource | undefined): {
  readonly configuration?: ConfigurationResource;
} {
  return resource !== undefined && isCarriable(resource) ? { configuration: resource } : {};
}

/**
 * `message`, or, when its Base64 text would pass Put Message's 64 KiB, the same without its
 * `configuration` (its gateway's configuration is then read by the GET): the one part a message can
 * do without. Never throws.
 */
export function withinQueueMessage<M extends GatewayMessage>(message: M): M {
  if (message.configuration === undefined) return message;
  const bytes = jsonBytes(message);
  if (bytes !== undefined && Math.ceil(bytes / 3) * 4 <= QUEUE_MESSAGE_MAX_CHARS) return message;
  const { configuration: _dropped, ...rest } = message;
  return rest as M;
}

/**
 * A message's `configuration` as read back: a JSON object no longer than a message carries, else
 * undefined (the message stays good: its gateway's configuration is then read by the GET), nested too
 * deep to be written included. Its content is read strictly only when a finding needs it
 * (configurationOf). Never throws.
 */
export function readCarriedConfiguration(value: unknown): ConfigurationResource | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return isCarriable(value) ? (value as ConfigurationResource) : undefined;
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
