import * as z from '../input/zod';
import { matcherObject, matcherShape, MATCHER_KEYS } from './matcher-schema';
import type { RouteRule } from './receiver-rules';

/**
 * The schema of a receiver's `match` (`sinks.webhooks[].match`, receiver-rules.ts): a list of rules,
 * any of which routes a notice to the receiver; each rule the one matcher validator (matcher-schema.ts,
 * shared with silences: the same keys, the same accepted syntax), and `not` with the same keys. Strict:
 * a misspelt matcher would otherwise route more than meant (a rule `{"causeId": …}` read as `{}` would
 * take everything).
 */
const notSchema = matcherObject(matcherShape, `must hold at least one matcher (${MATCHER_KEYS.join(', ')})`);

const ruleSchema = matcherObject(
  { ...matcherShape, not: z.optional(notSchema) },
  `must hold at least one matcher (${MATCHER_KEYS.join(', ')}, or "not"); leave "match" out to take every notice`,
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
