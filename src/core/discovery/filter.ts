/**
 * The discovery filter (`discovery` in the config): which of the gateways a target's scope holds are
 * evaluated, by tag, name and location. Pure: the config schema reads each entry with these functions,
 * src/core/discovery/gateway-query.ts turns the names and locations into Resource Graph's KQL, and
 * tagsMatch picks by tags from the tags each row of its answer carries.
 *
 * Meaning: every kind that is given must match (tags AND names AND locations); within a kind any entry
 * may (a name matching any pattern, a location among the list). Tags are grouped by name: a gateway
 * matches a tag name when it carries it with any of the values given for it, or with any value at all
 * when the name is also given alone (`"owner"`); every tag name given must match.
 */

/**
 * One tag entry: `key=value` (that tag with that value, any case) or `key` (that tag, any value); the
 * name in any case, as ARM treats tag names (tagsMatch).
 */
export interface TagFilter {
  readonly key: string;
  /** undefined: the tag only has to be there. */
  readonly value?: string;
}

export interface DiscoveryFilter {
  readonly tags: readonly TagFilter[];
  /** Glob patterns on the gateway's name (`*` any run of characters, `?` one), any case. */
  readonly namePatterns: readonly string[];
  /** Region names as ARM writes them (`westeurope`), already normalised by readLocation. */
  readonly locations: readonly string[];
}

export const NO_FILTER: DiscoveryFilter = { tags: [], namePatterns: [], locations: [] };

/** Whether the filter leaves anything out (then discovery goes through Resource Graph). */
export function hasFilter(filter: DiscoveryFilter): boolean {
  return filter.tags.length > 0 || filter.namePatterns.length > 0 || filter.locations.length > 0;
}

/**
 * Characters ARM refuses in a tag name (`<`, `>`, `%`, `&`, `\`, `?`, `/`), and its limits: a name up to
 * 512 characters, a value up to 256 (learn.microsoft.com azure/azure-resource-manager/management/
 * tag-resources, "Limitations").
 */
const TAG_NAME_FORBIDDEN = /[<>%&\\?/]/;
const TAG_NAME_MAX = 512;
const TAG_VALUE_MAX = 256;
/** C0 controls and DEL: no tag carries them, and a query never needs them. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Reads one tag entry, `key=value` or `key` (split at the first `=`: a tag name with `=` in it cannot be
 * given). Returns the filter, or a problem saying what is wrong with it.
 */
export function readTagFilter(text: string): TagFilter | { readonly problem: string } {
  // Spaces around the name and around "=" are how people write it ("env = prod"), never part of a tag:
  // a name or value that starts or ends with a space is not one anyone means. Read so from a file and a
  // setting alike.
  const at = text.indexOf('=');
  const key = (at < 0 ? text : text.slice(0, at)).trim();
  const value = at < 0 ? undefined : text.slice(at + 1).trim();
  if (key.trim() === '')
    return { problem: `${JSON.stringify(text)}: give a tag name, "name=value" or "name"` };
  if (key.length > TAG_NAME_MAX)
    return {
      problem: `tag name ${JSON.stringify(key.slice(0, 40))}…: longer than ARM's ${TAG_NAME_MAX} characters`,
    };
  if (TAG_NAME_FORBIDDEN.test(key))
    return {
      problem: `tag name ${JSON.stringify(key)}: ARM tag names cannot hold < > % & \\ ? /`,
    };
  if (CONTROL.test(key) || (value !== undefined && CONTROL.test(value)))
    return { problem: `${JSON.stringify(text)}: holds a control character (a line break, a tab …)` };
  if (value !== undefined && value.length > TAG_VALUE_MAX)
    return {
      problem: `tag ${JSON.stringify(key)}: its value is longer than ARM's ${TAG_VALUE_MAX} characters`,
    };
  return value === undefined ? { key } : { key, value };
}

/**
 * A gateway name pattern: the characters ARM allows in an application gateway's name (letters, digits,
 * `_`, `.`, `-`; up to 80: learn.microsoft.com azure/azure-resource-manager/management/
 * resource-name-rules, Microsoft.Network/applicationGateways) plus the wildcards `*` and `?`.
 */
const NAME_PATTERN = /^[A-Za-z0-9_.*?-]{1,80}$/;

export function readNamePattern(text: string): string | { readonly problem: string } {
  return NAME_PATTERN.test(text)
    ? text
    : {
        problem:
          `${JSON.stringify(text)}: a gateway name pattern holds letters, digits, "_", "." and "-" ` +
          '(what ARM allows in a name) and the wildcards "*" and "?", up to 80 characters',
      };
}

/**
 * A region as ARM writes a resource's `location` (`westeurope`): "West Europe" and "WestEurope" are
 * read as that too (lower case, spaces dropped), as the portal's display names map to it.
 */
export function readLocation(text: string): string | { readonly problem: string } {
  const location = text.replace(/\s+/g, '').toLowerCase();
  return /^[a-z0-9]{1,50}$/.test(location)
    ? location
    : {
        problem: `${JSON.stringify(text)}: expected a region name such as "westeurope" (az account list-locations -o table)`,
      };
}

/**
 * Tag entries grouped by name in any case (`env` and `ENV` are one name, as ARM reads them), in
 * first-seen order, each named as first written: `undefined` in `values` means "any value".
 */
export function tagGroups(
  tags: readonly TagFilter[],
): ReadonlyArray<{ readonly key: string; readonly values: ReadonlyArray<string | undefined> }> {
  const groups = new Map<string, { key: string; values: Array<string | undefined> }>();
  for (const tag of tags) {
    const group = groups.get(tag.key.toLowerCase()) ?? { key: tag.key, values: [] };
    if (!group.values.includes(tag.value)) group.values.push(tag.value);
    groups.set(tag.key.toLowerCase(), group);
  }
  return [...groups.values()];
}

/**
 * Whether a gateway's ARM tags (`{ name: value }`, as Resource Graph's `tags` column gives them;
 * undefined: none) match the filter's tags (tagGroups: every name given, with one of its values or any).
 * Names compare in any case: "Tag names are case-insensitive for operations", while "the resource
 * provider might keep the casing you provide" (learn.microsoft.com azure-resource-manager/management/
 * tag-resources, Limitations), so a gateway tagged `Env` is one tagged `env`. Resource Graph's KQL reads
 * `tags['env']` in the case written, which is why this is not in the query (gateway-query.ts). Values
 * compare in any case too, as KQL's `=~` did before (the README's `discovery.tags`). True without tags
 * in the filter.
 */
export function tagsMatch(
  filter: readonly TagFilter[],
  tags: Readonly<Record<string, string>> | undefined,
): boolean {
  if (filter.length === 0) return true;
  // By name in any case; a row holding one name in two cases (ARM would not write it) keeps both.
  const byName = new Map<string, string[]>();
  for (const [name, value] of Object.entries(tags ?? {})) {
    const key = name.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), value.toLowerCase()]);
  }
  return tagGroups(filter).every(({ key, values }) => {
    const held = byName.get(key.toLowerCase()) ?? [];
    return values.some((v) => (v === undefined ? held.length > 0 : held.includes(v.toLowerCase())));
  });
}
