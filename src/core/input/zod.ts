import { didYouMean } from './nearest-name';
import { config } from 'zod/mini';
import { globalConfig, type $ZodRawIssue } from 'zod/v4/core';
import { en } from 'zod/locales';

/**
 * Every schema the app checks input with (the config, webhook receivers, the notify state document)
 * uses `zod/mini` (functional API, a fraction of classic zod's size and load time: bench/README.md),
 * imported as `import * as z from '…/core/input/zod'` so that a bundler keeps only what they use.
 * Unlike classic zod, `zod/mini` registers no locale, and its messages would all read "Invalid input";
 * this sets English, as classic zod does, unless a locale was chosen already, and puts the issues a
 * user meets most in our words (ourWords), so no "Too small: expected number to be >=1" reaches them.
 */
if (!globalConfig.localeError) config(en());
if (!globalConfig.customError) config({ customError: ourWords });

export * from 'zod/mini';

/** A check's definition as zod keeps it (`_zod.def`): its kind and bound. */
interface CheckDef {
  readonly check?: string;
  readonly value?: unknown;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
}

/**
 * The message of an issue no schema gave its own words for, or undefined for zod's English: numbers
 * with their range ("must be a whole number from 1 to 100"), a type as a user names it ("must be
 * text"), an unknown key with the keys there are. A field whose range needs its meaning gives its own
 * message (src/config/schema.ts).
 */
function ourWords(issue: $ZodRawIssue): string | undefined {
  const schemaDef = (issue as { schema?: { _zod?: { def?: NumberDef } } }).schema?._zod?.def;
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    if (issue.origin === 'number') return numberRange(schemaDef);
    const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
    if (issue.origin === 'string')
      return issue.code === 'too_small'
        ? bound === '1'
          ? 'must not be empty'
          : `must be at least ${bound} characters`
        : `must be at most ${bound} characters`;
    if (issue.origin === 'array')
      return issue.code === 'too_small'
        ? `must list at least ${bound} ${bound === '1' ? 'entry' : 'entries'}`
        : `must list at most ${bound} entries`;
    return undefined;
  }
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `is missing: give ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    const range =
      issue.expected === 'int' || issue.expected === 'number' ? numberRange(schemaDef) : undefined;
    return range ?? `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(
      (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape ?? {},
    );
    // A key within a typo's reach of one there is says which (a new-user trial: "target", "caCertfile").
    const keys = issue.keys.map((k) => `"${k}"${didYouMean(k, known)}`).join(', ');
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}${known.length ? `: the keys here are ${known.join(', ')}` : '; remove it'}`;
  }
  if (issue.code === 'invalid_value' && issue.values.length > 0)
    return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}`;
  return undefined;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list ([…])',
  object: 'an object ({…})',
  record: 'an object ({…})',
};

/** A schema's definition as zod keeps it: its type, format (`safeint` for z.int()) and checks. */
interface NumberDef {
  readonly type?: string;
  readonly format?: string;
  readonly checks?: readonly unknown[];
}

/** "must be a whole number from 1 to 100" from a number schema's checks (gte/lte), or undefined. */
function numberRange(def: NumberDef | undefined): string | undefined {
  let min: unknown;
  let max: unknown;
  for (const check of def?.checks ?? []) {
    const def = (check as { _zod?: { def?: CheckDef } })._zod?.def;
    if (def?.check === 'greater_than') min = def.value;
    if (def?.check === 'less_than') max = def.value;
  }
  const kind = /int/.test(def?.format ?? '') ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `must be ${kind} from ${String(min)} to ${String(max)}`;
  if (min !== undefined) return `must be ${kind} of at least ${String(min)}`;
  if (max !== undefined) return `must be ${kind} of at most ${String(max)}`;
  return undefined;
}
