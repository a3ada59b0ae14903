import * as z from '../input/zod';
import { nearestName } from '../input/nearest-name';
import { nameGlob, silenceMatcherShape } from './silence-schema';
import { SEVERITIES } from './severity';
import type { RouteRule } from './receiver-rules';

/**
 * The schema of a receiver's `match` (`sinks.webhooks[].match`, receiver-rules.ts): a list of rules,
 * any of which routes a notice to the receiver; each rule the silence matchers (their one shape,
 * silence-schema.ts) plus `severity`, and `not` with the same keys. Strict: a misspelt matcher would
 * otherwise route more than meant (a rule `{"causeId": …}` read as `{}` would take everything).
 */
const MATCHER_KEYS = [...Object.keys(silenceMatcherShape), 'severity'] as const;

const matcherShape = {
  ...silenceMatcherShape,
  // Globs checked for characters no Azure name holds (a regular expression would never match).
  resourceGroup: z.optional(nameGlob),
  gateway: z.optional(nameGlob),
  backendPool: z.optional(nameGlob),
  severity: z.optional(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` })),
};

/** Unknown keys named, with the matcher meant when one is near (`causeId` → `cause`). */
function unknownKeys(keys: readonly string[], also: readonly string[] = []): string {
  return keys
    .map((key) => {
      const near =
        nearestName(key, [...MATCHER_KEYS, ...also]) ?? (/^cause/i.test(key) ? 'cause' : undefined);
      return `unknown matcher "${key}"${near ? ` (did you mean "${near}"?)` : ''}`;
    })
    .concat(`matchers are ${[...MATCHER_KEYS, ...also].join(', ')}`)
    .join('; ');
}

const hasMatcher = (m: Record<string, unknown>) => Object.values(m).some((v) => v !== undefined);
/** Only when the object had no other problem: an unknown key is reported alone, not as "no matcher" too. */
const whenClean = { when: (payload: { readonly issues: readonly unknown[] }) => payload.issues.length === 0 };

const notSchema = z
  .strictObject(matcherShape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? unknownKeys(issue.keys) : 'must be an object of matchers',
  })
  .check(
    z.refine(hasMatcher, {
      message: `must hold at least one matcher (${MATCHER_KEYS.join(', ')})`,
      ...whenClean,
    }),
  );

const ruleSchema = z
  .strictObject(
    { ...matcherShape, not: z.optional(notSchema) },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? unknownKeys(issue.keys, ['not'])
          : 'must be an object of matchers, e.g. {"severity": "critical"}',
    },
  )
  .check(
    z.refine(hasMatcher, {
      message: `must hold at least one matcher (${MATCHER_KEYS.join(', ')}, or "not"); leave "match" out to take every notice`,
      ...whenClean,
    }),
  );

/** `match`: one rule or more (an empty list would route nothing: leave `match` out instead). */
export const receiverMatchSchema = z
  .array(ruleSchema, { error: 'must be a list of rules, e.g. [{"severity": "critical"}]' })
  .check(
    z.minLength(1, 'must list at least one rule; leave "match" out for a receiver that takes every notice'),
  );

/** Compile-time check that the schema's output is a RouteRule list. */
export type ReceiverMatchInput = z.infer<typeof receiverMatchSchema>;
const _isRules = (r: ReceiverMatchInput): readonly RouteRule[] => r;
void _isRules;
