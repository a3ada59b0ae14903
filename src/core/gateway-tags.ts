/**
 * A gateway's ARM tags, as its resource JSON carries them (pure): what silences and a receiver's
 * `match` rules compare with a `tags` matcher (core/notice/silence.ts). Tags are the operator's own
 * labels, but they come over the network: each name and value is checked against ARM's limits, and an
 * answer that breaks them is not taken as the gateway's tags (undefined: unknown, which no tag matcher
 * matches) rather than cut, since a cut value would match what the operator never wrote.
 *
 * Limits (learn.microsoft.com azure/azure-resource-manager/management/tag-resources, "Limitations"):
 * at most 50 name/value pairs per resource, a name of at most 512 characters, a value of at most 256.
 */

/** Gateway tags: name → value. Names compare case-insensitively, values exactly (as ARM treats them). */
export type GatewayTags = Readonly<Record<string, string>>;

export const TAG_LIMITS = { pairs: 50, name: 512, value: 256 } as const;

/**
 * `value` (the resource JSON's `tags`) as GatewayTags: `{}` when absent or null (ARM leaves `tags` out
 * of a resource that has none); undefined when it is not an object of strings within TAG_LIMITS.
 */
export function readGatewayTags(value: unknown): GatewayTags | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > TAG_LIMITS.pairs) return undefined;
  const tags: Record<string, string> = {};
  for (const [name, tagValue] of entries) {
    if (name.length === 0 || name.length > TAG_LIMITS.name) return undefined;
    if (typeof tagValue !== 'string' || tagValue.length > TAG_LIMITS.value) return undefined;
    tags[name] = tagValue;
  }
  return tags;
}
