import * as z from '../input/zod';
import { nearestName } from '../input/nearest-name';
import { CAUSE_IDS, isCauseId } from '../causes';
import { SEVERITIES } from './severity';
import { TAG_LIMITS } from '../gateway-tags';
import { SUBSCRIPTION_GUID } from '../arm-id';

/**
 * The one validator of matchers, for a silence's `matchers` (silence-schema.ts) and a receiver's
 * `match` rules (receiver-rules-schema.ts): one field each, the same accepted syntax in both, as the
 * one matcher (silence.ts, silenceMatches) gives them the same meaning in both. A value no Azure
 * resource can have is refused here, not accepted to match nothing.
 */

/**
 * A name glob (silence.ts, globMatches): `*` and `?` are its only wildcards. Characters no Azure name
 * of these kinds can hold are refused, so a pattern written as a regular expression (`prod-.+`,
 * `^web$`), a character class (`agw-[12]`) or a brace list (`{a,b}`) is named instead of never
 * matching: gateway and pool names take letters, digits, `_`, `.`, `-`; resource group names also `(`
 * `)` (learn.microsoft.com azure/azure-resource-manager/management/resource-name-rules,
 * Microsoft.Network/applicationGateways and Microsoft.Resources/resourcegroups).
 */
const GLOB_REFUSED = /[[\]{}\\^$+|!,/\s<>"'=;:#%&@~`]/u;
/**
 * What a name glob may hold at all, as an allow-list (Unicode letters and digits, as resource group
 * names may hold, `_ . - ( )` and the wildcards): a control or an invisible character (U+0001, U+200B)
 * passed the list above, and a silence of `poolA` + U+0001 read "poolA" in `silence list` and matched
 * no pool, so that pool paged during its maintenance (a break trial).
 */
const GLOB_ALLOWED = /^[\p{L}\p{N}_.\-()*?]*$/u;
const GLOB_PROBLEM =
  'is not a name glob: use letters, digits, "_", ".", "-", "(", ")" and the wildcards "*" (any run) and "?" (one character); no regular expressions, classes ([12]) or lists ({a,b}): write "agw-?" or "agw-*", or one rule per name';

/** A name glob of 1–90 characters (a resource group name's longest); see GLOB_REFUSED. */
export const nameGlob = z.string({ error: 'must be a name or a name glob (text), e.g. "agw-prod-*"' }).check(
  z.minLength(1, 'must not be empty; leave the matcher out to match any name'),
  z.maxLength(90, 'must be at most 90 characters (the longest Azure name of this kind)'),
  z.refine((value) => !GLOB_REFUSED.test(value) && GLOB_ALLOWED.test(value), GLOB_PROBLEM),
);

/**
 * A subscription id: a GUID, as ARM ids hold it (`/subscriptions/<guid>/…`); a subscription's display
 * name would match nothing, as a glob would (the matcher is exact).
 */
const subscriptionId = z.string({ error: 'must be a subscription id (text)' }).check(
  z.superRefine((value: string, ctx) => {
    if (SUBSCRIPTION_GUID.test(value)) return;
    // A subscription's ARM id (`/subscriptions/<guid>`, as `az account show --query id` gives it) is
    // the commonest near miss: its GUID is named, to copy.
    const armId = /^\/?subscriptions\/([^/]+)(?:\/(?:resourceGroups\/([^/]+))?.*)?$/i.exec(value.trim());
    const guid = armId && SUBSCRIPTION_GUID.test(armId[1]!) ? armId[1] : undefined;
    // A resource group's (or a gateway's) ARM id: its resource group is a matcher of its own.
    const group = guid && armId?.[2] && !GLOB_REFUSED.test(armId[2]) ? armId[2] : undefined;
    ctx.addIssue({
      code: 'custom',
      input: value,
      message: guid
        ? `must be the subscription's GUID alone, not an ARM id: give "${guid}"${group ? ` (its resource group, "${group}", is a matcher of its own)` : ''}`
        : value === ''
          ? 'must not be empty: give a subscription id (a GUID such as "00000000-0000-0000-0000-000000000000"), or leave the matcher out to match any subscription'
          : 'must be a subscription id (a GUID such as "00000000-0000-0000-0000-000000000000", as in the gateway\'s ARM id), not its display name or a glob',
    });
  }),
);

/**
 * Tag names and values as ARM takes them: a name of 1–512 characters without `<>%&\?/`, a value of at
 * most 256 characters (learn.microsoft.com azure/azure-resource-manager/management/tag-resources,
 * "Limitations"). Compared with the gateway's tags as its configuration GET last gave them
 * (GatewayRef.tags; silence.ts): names case-insensitively, values exactly, never as globs; a gateway
 * whose tags are not known (its configuration never read) matches no tag matcher.
 */
const TAG_NAME_REFUSED = /[<>%&\\?/]/;
const tagsMatcher = z
  .record(
    z.string(),
    z
      .string({ error: 'a tag value must be text (tag values are strings: "true", "42")' })
      .check(z.maxLength(TAG_LIMITS.value, `a tag value is at most ${TAG_LIMITS.value} characters`)),
    { error: 'must be an object of tag name → value, e.g. {"env": "prod"}' },
  )
  .check(
    z.superRefine(
      (tags: unknown, ctx) => {
        if (typeof tags !== 'object' || tags === null) return;
        if (Object.keys(tags).length === 0)
          ctx.addIssue({
            code: 'custom',
            input: tags,
            message:
              'must name at least one tag, e.g. {"env": "prod"}; leave the matcher out to match any tags',
          });
        for (const name of Object.keys(tags)) {
          const problem =
            name.length === 0
              ? 'a tag name must not be empty'
              : name.length > TAG_LIMITS.name
                ? `a tag name is at most ${TAG_LIMITS.name} characters`
                : TAG_NAME_REFUSED.test(name)
                  ? 'a tag name cannot hold < > % & \\ ? / (Azure refuses them in tag names)'
                  : undefined;
          if (problem) ctx.addIssue({ code: 'custom', input: name, path: [name], message: problem });
        }
        // What no gateway's tags can satisfy is refused, never stored to match nothing (issue 16's
        // trial): more names than a resource may have, or one name twice (names are case-insensitive).
        const names = Object.keys(tags);
        if (names.length > TAG_LIMITS.pairs)
          ctx.addIssue({
            code: 'custom',
            input: tags,
            message: `names ${names.length} tags; a resource has at most ${TAG_LIMITS.pairs}, so no gateway could match them all`,
          });
        const byLowerCase = new Map<string, string>();
        for (const name of names) {
          const first = byLowerCase.get(name.toLowerCase());
          if (first === undefined) byLowerCase.set(name.toLowerCase(), name);
          else
            ctx.addIssue({
              code: 'custom',
              input: name,
              path: [name],
              message: `the same tag as ${JSON.stringify(first)} (tag names are case-insensitive): name it once`,
            });
        }
      },
      { when: () => true },
    ),
  );

/** The matcher fields, in the order they are listed to users. */
export const matcherShape = {
  subscription: z.optional(subscriptionId),
  resourceGroup: z.optional(nameGlob),
  gateway: z.optional(nameGlob),
  backendPool: z.optional(nameGlob),
  cause: z.optional(
    z.string().check(z.refine(isCauseId, `must be a cause id, one of ${CAUSE_IDS.join(', ')}`)),
  ),
  severity: z.optional(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` })),
  tags: z.optional(tagsMatcher),
};

export const MATCHER_KEYS = Object.keys(matcherShape) as ReadonlyArray<keyof typeof matcherShape>;

/**
 * Names people write for a matcher (ARM's, Alertmanager's, the CLI's option names), each with the key
 * meant: `pool` (`--pool`) is `backendPool`, `causeId` is `cause`.
 */
const ALIASES: Readonly<Record<string, string>> = {
  pool: 'backendPool',
  backendaddresspool: 'backendPool',
  rg: 'resourceGroup',
  sub: 'subscription',
  subscriptionid: 'subscription',
  causeid: 'cause',
  tag: 'tags',
  sev: 'severity',
  appgateway: 'gateway',
  applicationgateway: 'gateway',
};

/** The matcher key meant by an unknown `key` (alias, a name one contains, or a near spelling), if any. */
export function matcherKeyMeant(key: string, keys: readonly string[] = MATCHER_KEYS): string | undefined {
  const bare = key.toLowerCase().replace(/[^a-z]/g, '');
  const alias = ALIASES[bare];
  if (alias && keys.includes(alias)) return alias;
  const near = nearestName(key, keys);
  if (near) return near;
  // `backendPoolName` holds `backendPool`; `resourceGroupName` holds `resourceGroup`.
  return bare.length >= 3 ? keys.find((k) => bare.startsWith(k.toLowerCase())) : undefined;
}

/** Why `keys` are refused, each with the key meant, then the keys there are. */
export function unknownMatcherKeys(keys: readonly string[], known: readonly string[]): string {
  return keys
    .map((key) => {
      const meant = matcherKeyMeant(key, known);
      return `unknown matcher "${key}"${meant ? ` (did you mean "${meant}"?)` : ''}`;
    })
    .concat(`matchers are ${known.join(', ')}`)
    .join('; ');
}

/**
 * A matcher object of `shape` (strict: a misspelt matcher would otherwise match more than meant), its
 * unknown keys named with the key meant, and at least one matcher required: `none` says why (what
 * matching everything would mean there). The "at least one" check runs even when a field was refused
 * (a user gets every problem in one round), but not when an unknown key was given: that key was meant
 * as the matcher.
 */
export function matcherObject<S extends z.core.$ZodLooseShape>(shape: S, none: string) {
  const known = Object.keys(shape);
  return z
    .strictObject(shape, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? unknownMatcherKeys(issue.keys, known)
          : `must be an object of matchers (${known.join(', ')}), e.g. {"gateway": "agw-prod-*"}`,
    })
    .check(
      z.superRefine(
        (value: unknown, ctx) => {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
          const given = Object.values(value).filter((v) => v !== undefined);
          if (given.length === 0) ctx.addIssue({ code: 'custom', input: value, message: none });
        },
        {
          // Unknown keys are dropped from the value by now: such a key was meant as the matcher.
          when: (payload) => !payload.issues.some((i) => i.code === 'unrecognized_keys' && !i.path?.length),
        },
      ),
    );
}
